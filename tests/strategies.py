"""Hypothesis strategies for valid identifiers, shared by every test that needs realistic demo data.

Check characters are computed here with python-stdnum, not with `registry_desk.domain.identifiers`, so a
test that feeds these values to our validators compares two independent implementations.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from hypothesis import strategies as st
from stdnum.cn import ric, uscc
from stdnum.iso7064 import mod_37_36

__all__ = [
    "ECERT_TYPE_CODES",
    "PROVINCE_CODES",
    "ZHONGWEI_COUNTY_CODES",
    "ecert_ids",
    "region_codes",
    "resident_ids",
    "unit_numbers",
    "usccs",
]

# GB/T 2260 provinces (mainland) used to make addresses plausible.
PROVINCE_CODES = (
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
)  # fmt: skip
ZHONGWEI_COUNTY_CODES = ("640500", "640502", "640521", "640522")
ECERT_TYPE_CODES = ("11100000MB03271699001", "11100000MB03271699022")

_DIGITS = "0123456789"
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# 登记管理部门 + 机构类别 pairs in use since the 2016 revision (1 机构编制 … 9 工商, A 军队, N 农业, Y 其他).
_USCC_PREFIXES = (
    "11", "12", "13", "19", "21", "29", "31", "32", "33", "34", "35", "39", "41", "49", "51", "52", "53",
    "59", "61", "62", "69", "71", "72", "79", "81", "89", "91", "92", "93", "A1", "A9", "N1", "N2", "N3",
    "N9", "Y1",
)  # fmt: skip
# GB 11714-1997 organisation code: weights for the 8-character body, check 11 - Σ mod 11 (10 → X, 11 → 0).
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _text(alphabet: str, size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=size, max_size=size)


def region_codes(provinces: Sequence[str] = PROVINCE_CODES) -> st.SearchStrategy[str]:
    """Six-digit address codes starting with a real province code (the rest is not looked up)."""
    return st.builds(lambda province, rest: province + rest, st.sampled_from(provinces), _text(_DIGITS, 4))


@st.composite
def resident_ids(
    draw: st.DrawFn,
    regions: Sequence[str] | None = None,
    born_from: date = date(1920, 1, 1),
    born_to: date = date(2010, 12, 31),
    sex: str | None = None,
) -> str:
    """Valid 18-character resident IDs; `regions` limits the address codes, `sex` is "男" or "女"."""
    region = draw(st.sampled_from(regions)) if regions else draw(region_codes())
    born = draw(st.dates(min_value=born_from, max_value=born_to))
    order = draw(st.integers(min_value=0, max_value=999))
    if sex == "男" and order % 2 == 0:
        order = order + 1 if order < 999 else 1
    elif sex == "女" and order % 2 == 1:
        order -= 1
    first17 = f"{region}{born:%Y%m%d}{order:03d}"
    # stdnum's calc_check_digit wants a placeholder where the check character goes.
    return first17 + ric.calc_check_digit(first17 + "0")


def _organisation_code(body: str) -> str:
    total = sum(_ALNUM.index(char) * weight for char, weight in zip(body, _ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


@st.composite
def usccs(
    draw: st.DrawFn, regions: Sequence[str] | None = None, prefixes: Sequence[str] = _USCC_PREFIXES
) -> str:
    """Valid USCCs whose characters 9-17 are themselves a valid GB 11714 organisation code, like real ones."""
    prefix = draw(st.sampled_from(prefixes))
    region = draw(st.sampled_from(regions)) if regions else draw(region_codes())
    body = draw(_text(_USCC_ALPHABET, 8))
    first17 = prefix + region + _organisation_code(body)
    return first17 + uscc.calc_check_digit(first17)


@st.composite
def unit_numbers(draw: st.DrawFn, counties: Sequence[str] | None = None, fixtures: str = "FLQW") -> str:
    """Valid 28-character 不动产单元号 (format and code lists only: there is no check digit)."""
    county = draw(st.sampled_from(counties)) if counties else draw(region_codes())
    ownership = draw(st.sampled_from("GJZ"))
    uses = "ABSXCDEFHGWY" if ownership == "J" else "BSXDEFHGWY"
    use = draw(st.sampled_from(uses))
    fixture = draw(st.sampled_from(fixtures))
    tail = "00000000" if fixture == "W" else draw(_text(_DIGITS, 8))
    return (
        county
        + draw(_text(_DIGITS, 3))
        + draw(_text(_DIGITS, 3))
        + ownership
        + use
        + draw(_text(_DIGITS, 5))
        + fixture
        + tail
    )


@st.composite
def ecert_ids(draw: st.DrawFn, type_codes: Sequence[str] = ECERT_TYPE_CODES) -> str:
    """Valid 电子证照标识 for the two certificate types, issued by a region code or a USCC."""
    type_code = draw(st.sampled_from(type_codes))
    issuer = draw(st.one_of(region_codes(), usccs()))
    serial = draw(st.text(alphabet=_DIGITS, min_size=1, max_size=12))
    version = f"{draw(st.integers(min_value=1, max_value=999)):03d}"
    body = type_code + issuer + serial + version
    return f"1.2.156.3005.2.{type_code}.{issuer}.{serial}.{version}.{mod_37_36.calc_check_digit(body)}"
