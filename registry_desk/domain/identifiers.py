"""Identifiers the counter types or prints, checked against their standards (REFERENCE §5)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from stdnum.iso7064 import mod_37_36

from registry_desk.domain.codes import IdType
from registry_desk.domain.errors import ValidationError

# ---------------------------------------------------------------------------------------------------------
# 居民身份证号码 (GB 11643-1999)
# ---------------------------------------------------------------------------------------------------------

RESIDENT_ID_RULE = "GB 11643-1999 公民身份号码"
_RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# Σ mod 11 indexes this string (GB 11643-1999 §7 / GB/T 17710 MOD 11-2).
_RESIDENT_ID_CHECK = "10X98765432"

# First two digits of the address code: GB/T 2260 provinces, plus 71/81/82 (台湾/香港/澳门).  83 is not a
# GB/T 2260 province but is the address code printed on 台湾居民居住证 (since 2018, alongside 810000 and
# 820000 for 港澳居民居住证); those holders present that number at the counter, so it is accepted too.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    }
)  # fmt: skip
# Land and buildings are registered only under mainland divisions (GB/T 2260 11..65).
MAINLAND_PROVINCE_CODES = frozenset(code for code in PROVINCE_CODES if code <= "65")

# The oldest valid example in REFERENCE §5 is born 1880; nothing older can be a living party.
_EARLIEST_BIRTH = date(1800, 1, 1)


def resident_id_check_char(first17: str) -> str:
    """The 18th character of a resident ID for its first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValidationError(
            f"公民身份号码本体码“{first17}”应为17位数字，无法计算校验码",
            rule=f"{RESIDENT_ID_RULE} 位数",
            record=first17,
        )
    total = sum(int(digit) * weight for digit, weight in zip(first17, _RESIDENT_ID_WEIGHTS, strict=True))
    return _RESIDENT_ID_CHECK[total % 11]


def _birth_date_of(digits8: str, whole: str, *, today: date | None) -> date:
    try:
        born = date(int(digits8[0:4]), int(digits8[4:6]), int(digits8[6:8]))
    except ValueError:
        raise ValidationError(
            f"公民身份号码“{whole}”的出生日期“{digits8}”不是真实存在的日期",
            rule=f"{RESIDENT_ID_RULE} 出生日期",
            record=whole,
        ) from None
    if born < _EARLIEST_BIRTH or (today is not None and born > today):
        raise ValidationError(
            f"公民身份号码“{whole}”的出生日期“{born.isoformat()}”不在合理范围内",
            rule=f"{RESIDENT_ID_RULE} 出生日期",
            record=whole,
        )
    return born


def validate_resident_id(text: str, *, today: date | None = None) -> str:
    """Return the resident ID normalised (stripped, upper-case X) or raise ValidationError.

    Checks, in the order a clerk would fix them: length (位数), digits (字符), address code (地址码),
    birth date (出生日期; not after `today` when the caller passes it) and the check character (校验码).
    stdnum's `cn.ric.validate` is not used: it also looks the address code up in a county table by birth
    year and so refuses, for example, a 640502 (沙坡头区, created 2004) number of someone born in 1980,
    which is a real number (the code is where the ID was first issued, not where the holder was born).
    """
    number = text.strip().upper()
    if len(number) != 18:
        hint = "（15位旧号码请先升位为18位）" if len(number) == 15 else ""
        raise ValidationError(
            f"公民身份号码“{number}”位数不符：应为18位，实为{len(number)}位{hint}",
            rule=f"{RESIDENT_ID_RULE} 位数",
            record=number,
        )
    if not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
        raise ValidationError(
            f"公民身份号码“{number}”含非法字符：前17位应为数字，第18位应为数字或X",
            rule=f"{RESIDENT_ID_RULE} 字符",
            record=number,
        )
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(
            f"公民身份号码“{number}”的地址码“{number[:6]}”不是有效的省级行政区划代码开头",
            rule=f"{RESIDENT_ID_RULE} 地址码",
            record=number,
        )
    _birth_date_of(number[6:14], number, today=today)
    # The expected character is not shown: a clerk told "should be 7" tends to change the last digit,
    # while the typo is usually elsewhere.
    if resident_id_check_char(number[:17]) != number[17]:
        raise ValidationError(
            f"公民身份号码“{number}”校验码不符，请逐位核对证件",
            rule=f"{RESIDENT_ID_RULE} 校验码",
            record=number,
        )
    return number


def is_valid_resident_id(text: str, *, today: date | None = None) -> bool:
    """True when `validate_resident_id` accepts the text."""
    try:
        validate_resident_id(text, today=today)
    except ValidationError:
        return False
    return True


def convert_15_to_18(id15: str) -> str:
    """Upgrade a first-generation 15-digit number: insert the century "19" and append the check character."""
    number = id15.strip()
    if len(number) != 15 or not number.isascii() or not number.isdigit():
        raise ValidationError(
            f"15位公民身份号码“{number}”位数或字符不符：应为15位数字",
            rule=f"{RESIDENT_ID_RULE} 位数",
            record=number,
        )
    first17 = number[:6] + "19" + number[6:]
    return validate_resident_id(first17 + resident_id_check_char(first17))


def birth_date(resident_id: str) -> date:
    """The holder's date of birth (digits 7-14)."""
    number = validate_resident_id(resident_id)
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender(resident_id: str) -> str:
    """ "男" or "女": the 17th digit (顺序码 last digit) is odd for men, even for women."""
    number = validate_resident_id(resident_id)
    return "男" if int(number[16]) % 2 == 1 else "女"


def mask_resident_id(resident_id: str) -> str:
    """Kiosk display form: the first 4 and last 4 characters, the birth date and the rest hidden."""
    number = validate_resident_id(resident_id)
    return number[:4] + "*" * 10 + number[-4:]


# ---------------------------------------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015)
# ---------------------------------------------------------------------------------------------------------

USCC_RULE = "GB 32100-2015 统一社会信用代码"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The 18th character of a USCC for its first 17 characters.

    (31 − Σ mod 31) mod 31: when Σ mod 31 is 0 the check is "0", not an index 31 off the alphabet.
    """
    if len(first17) != 17 or any(char not in USCC_ALPHABET for char in first17):
        raise ValidationError(
            f"统一社会信用代码本体“{first17}”应为17位，且只用数字和除I、O、Z、S、V外的大写字母",
            rule=f"{USCC_RULE} 位数",
            record=first17,
        )
    total = sum(
        USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, _USCC_WEIGHTS, strict=True)
    )
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(text: str) -> str:
    """Return the USCC normalised (stripped, upper case) or raise ValidationError.

    stdnum's `cn.uscc.validate` insists the first 8 characters are digits, which refuses the codes of
    农村集体经济组织 (registration authority "N" 农业, e.g. N2…), the collective that holds 集体土地所有权;
    here the first two characters may be any character of the alphabet and only 3-8 (the region) are digits.
    """
    code = text.strip().upper()
    if len(code) != 18:
        raise ValidationError(
            f"统一社会信用代码“{code}”位数不符：应为18位，实为{len(code)}位",
            rule=f"{USCC_RULE} 位数",
            record=code,
        )
    bad = [char for char in code if char not in USCC_ALPHABET]
    if bad:
        raise ValidationError(
            f"统一社会信用代码“{code}”含非法字符“{''.join(dict.fromkeys(bad))}”（不使用I、O、Z、S、V及符号）",
            rule=f"{USCC_RULE} 字符",
            record=code,
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            f"统一社会信用代码“{code}”第3至8位登记管理机关行政区划码“{code[2:8]}”应为数字",
            rule=f"{USCC_RULE} 行政区划码",
            record=code,
        )
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(
            f"统一社会信用代码“{code}”校验码不符，请逐位核对营业执照或登记证书",
            rule=f"{USCC_RULE} 校验码",
            record=code,
        )
    return code


def is_valid_uscc(text: str) -> bool:
    """True when `validate_uscc` accepts the text."""
    try:
        validate_uscc(text)
    except ValidationError:
        return False
    return True


# ---------------------------------------------------------------------------------------------------------
# 不动产单元号 (GB/T 37346-2019)
# ---------------------------------------------------------------------------------------------------------

UNIT_NUMBER_RULE = "GB/T 37346-2019 不动产单元编码"

LAND_OWNERSHIP_LABELS = {"G": "国有", "J": "集体", "Z": "未定"}
PARCEL_USE_LABELS = {
    "A": "集体土地所有权",
    "B": "建设用地使用权（地表）",
    "S": "建设用地使用权（地上）",
    "X": "建设用地使用权（地下）",
    "C": "宅基地使用权",
    "D": "土地承包经营权（耕地）",
    "E": "土地承包经营权（林地）",
    "F": "土地承包经营权（草地）",
    "H": "海域使用权",
    "G": "无居民海岛使用权",
    "W": "使用权未定或有争议",
    "Y": "其他",
}
# A collective's ownership and homesteads exist only on collective land.
_COLLECTIVE_ONLY_USES = frozenset("AC")
FIXTURE_LABELS = {"F": "房屋", "L": "林木", "Q": "其他", "W": "无"}
COUNTY_LABELS = {"640500": "中卫市", "640502": "沙坡头区", "640521": "中宁县", "640522": "海原县"}
_UNKNOWN_COUNTY = "未知区县"
# A parcel with nothing fixed on it carries 定着物单元编号 00000000 (the familiar "…W00000000" tail).
_NO_FIXTURE_UNIT = "00000000"


@dataclass(frozen=True, slots=True)
class UnitNumber:
    """A parsed 28-character 不动产单元号; build it with `parse_unit_number` so it is always valid."""

    county_code: str  # 县级行政区划代码 (GB/T 2260), 6 digits
    cadastral_district: str  # 地籍区, 3 digits
    cadastral_subdistrict: str  # 地籍子区, 3 digits
    parcel_feature: str  # 宗地特征码, 2 letters
    parcel_seq: str  # 宗地顺序号, 5 digits
    fixture_feature: str  # 定着物特征码, 1 letter
    fixture_unit: str  # 定着物单元编号, 8 digits

    def __str__(self) -> str:
        return (
            self.county_code
            + self.cadastral_district
            + self.cadastral_subdistrict
            + self.parcel_feature
            + self.parcel_seq
            + self.fixture_feature
            + self.fixture_unit
        )

    @property
    def parcel_code(self) -> str:
        """宗地代码: the first 19 characters, shared by every unit on the parcel."""
        return str(self)[:19]

    @property
    def land_ownership_label(self) -> str:
        return LAND_OWNERSHIP_LABELS[self.parcel_feature[0]]

    @property
    def parcel_use_label(self) -> str:
        return PARCEL_USE_LABELS[self.parcel_feature[1]]

    @property
    def fixture_label(self) -> str:
        return FIXTURE_LABELS[self.fixture_feature]

    @property
    def is_house(self) -> bool:
        return self.fixture_feature == "F"

    @property
    def building_no(self) -> str | None:
        """幢号 (4 digits, as printed) for a house; None for other fixtures."""
        return self.fixture_unit[:4] if self.is_house else None

    @property
    def room_no(self) -> str | None:
        """户号 (4 digits, as printed) for a house; None for other fixtures."""
        return self.fixture_unit[4:] if self.is_house else None

    @property
    def county_label(self) -> str:
        return COUNTY_LABELS.get(self.county_code, _UNKNOWN_COUNTY)


def _unit_error(code: str, segment: str, problem: str) -> ValidationError:
    return ValidationError(
        f"不动产单元号“{code}”的{segment}{problem}", rule=f"{UNIT_NUMBER_RULE} {segment}", record=code
    )


def _require_digits(code: str, value: str, segment: str) -> None:
    if not (value.isascii() and value.isdigit()):
        raise _unit_error(code, segment, f"“{value}”应为{len(value)}位数字")


def parse_unit_number(text: str) -> UnitNumber:
    """Split and check a 不动产单元号 segment by segment.

    The unit number has no check digit: a digit mistyped for another digit in a numeric segment cannot
    be detected here and is only caught when the unit is looked up in the register.
    """
    code = text.strip().upper()
    if len(code) != 28:
        raise ValidationError(
            f"不动产单元号“{code}”位数不符：应为28位，实为{len(code)}位",
            rule=f"{UNIT_NUMBER_RULE} 位数",
            record=code,
        )
    unit = UnitNumber(
        county_code=code[0:6],
        cadastral_district=code[6:9],
        cadastral_subdistrict=code[9:12],
        parcel_feature=code[12:14],
        parcel_seq=code[14:19],
        fixture_feature=code[19],
        fixture_unit=code[20:28],
    )
    _require_digits(code, unit.county_code, "县级行政区划代码")
    if unit.county_code[:2] not in MAINLAND_PROVINCE_CODES:
        raise _unit_error(code, "县级行政区划代码", f"“{unit.county_code}”不是有效的省级行政区划代码开头")
    _require_digits(code, unit.cadastral_district, "地籍区")
    _require_digits(code, unit.cadastral_subdistrict, "地籍子区")
    ownership, use = unit.parcel_feature[0], unit.parcel_feature[1]
    if ownership not in LAND_OWNERSHIP_LABELS:
        raise _unit_error(code, "宗地特征码", f"第一位“{ownership}”应为G（国有）、J（集体）或Z（未定）")
    if use not in PARCEL_USE_LABELS:
        raise _unit_error(code, "宗地特征码", f"第二位“{use}”不在代码表 {'、'.join(PARCEL_USE_LABELS)} 中")
    if use in _COLLECTIVE_ONLY_USES and ownership != "J":
        raise _unit_error(
            code, "宗地特征码", f"第二位“{use}”（{PARCEL_USE_LABELS[use]}）仅用于集体土地，第一位应为J"
        )
    _require_digits(code, unit.parcel_seq, "宗地顺序号")
    if unit.fixture_feature not in FIXTURE_LABELS:
        raise _unit_error(
            code, "定着物特征码", f"“{unit.fixture_feature}”应为F（房屋）、L（林木）、Q（其他）或W（无）"
        )
    _require_digits(code, unit.fixture_unit, "定着物单元编号")
    if unit.fixture_feature == "W" and unit.fixture_unit != _NO_FIXTURE_UNIT:
        raise _unit_error(code, "定着物单元编号", f"“{unit.fixture_unit}”：无定着物（W）时应为00000000")
    return unit


def _padded(value: str | int, width: int, segment: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value < 10**width:
            raise ValidationError(
                f"{segment}“{value}”超出{width}位数字范围",
                rule=f"{UNIT_NUMBER_RULE} {segment}",
                record=str(value),
            )
        return f"{value:0{width}d}"
    return str(value).strip().upper()


def format_unit_number(
    county: str | int,
    district: str | int,
    subdistrict: str | int,
    feature: str,
    parcel_seq: int,
    fixture: str,
    building: int = 0,
    room: int = 0,
    *,
    fixture_unit: int | None = None,
) -> str:
    """Build a 28-character unit number; for a house (F) the last 8 digits are 幢号 `building` + 户号 `room`.

    Forest (L) and other (Q) fixtures have no 幢/户: pass their 8-digit sequence as `fixture_unit`.
    No fixture (W) takes neither. The result is checked by `parse_unit_number`.
    """
    if fixture_unit is not None:
        tail = _padded(fixture_unit, 8, "定着物单元编号")
    else:
        tail = _padded(building, 4, "幢号") + _padded(room, 4, "户号")
    code = (
        _padded(county, 6, "县级行政区划代码")
        + _padded(district, 3, "地籍区")
        + _padded(subdistrict, 3, "地籍子区")
        + feature.strip().upper()
        + _padded(parcel_seq, 5, "宗地顺序号")
        + fixture.strip().upper()
        + tail
    )
    return str(parse_unit_number(code))


# ---------------------------------------------------------------------------------------------------------
# 电子证照标识
# ---------------------------------------------------------------------------------------------------------

ECERT_RULE = "电子证照标识 ISO 7064 MOD 37,36"
ECERT_PREFIX = "1.2.156.3005.2."
ECERT_TYPE_RIGHT_CERTIFICATE = "11100000MB03271699001"  # 不动产权证
ECERT_TYPE_REGISTRATION_PROOF = "11100000MB03271699022"  # 不动产登记证明
ECERT_TYPE_LABELS = {
    ECERT_TYPE_RIGHT_CERTIFICATE: "不动产权证",
    ECERT_TYPE_REGISTRATION_PROOF: "不动产登记证明",
}
# The type code is the issuing ministry's 18-character USCC plus a 3-digit sequence; the issuer is a
# 6-digit region code or an 18-character USCC in the verified examples; bounds are kept that loose.
_ECERT_FIELDS = {
    "证照类型代码": re.compile(r"[0-9A-Z]{21}"),
    "颁发机构代码": re.compile(r"[0-9A-Z]{6,18}"),
    "证照编号": re.compile(r"[0-9A-Z]{1,32}"),
    "版本号": re.compile(r"[0-9]{3}"),
    "校验位": re.compile(r"[0-9A-Z]"),
}


@dataclass(frozen=True, slots=True)
class EcertId:
    """A parsed 电子证照标识; build it with `parse_ecert_id` so the check character is right."""

    type_code: str
    issuer: str
    serial: str
    version: int
    check: str

    def __str__(self) -> str:
        return f"{ECERT_PREFIX}{self.type_code}.{self.issuer}.{self.serial}.{self.version:03d}.{self.check}"

    @property
    def type_label(self) -> str:
        return ECERT_TYPE_LABELS.get(self.type_code, "其他证照")


def _ecert_error(whole: str, problem: str, rule_part: str) -> ValidationError:
    return ValidationError(f"电子证照标识“{whole}”{problem}", rule=f"{ECERT_RULE} {rule_part}", record=whole)


def _check_ecert_fields(whole: str, values: dict[str, str]) -> None:
    for name, value in values.items():
        if not _ECERT_FIELDS[name].fullmatch(value):
            raise _ecert_error(whole, f"的{name}“{value}”格式不符", name)


def _version_text(version: int | str) -> str:
    if isinstance(version, int) and not isinstance(version, bool):
        return f"{version:03d}" if 0 <= version <= 999 else str(version)
    return str(version)


def ecert_check_char(type_code: str, issuer: str, serial: str, version: int | str) -> str:
    """ISO 7064 MOD 37,36 check character over type+issuer+serial+version (3 digits), dots left out."""
    version_text = _version_text(version)
    whole = f"{type_code}.{issuer}.{serial}.{version_text}"
    _check_ecert_fields(
        whole, {"证照类型代码": type_code, "颁发机构代码": issuer, "证照编号": serial, "版本号": version_text}
    )
    return mod_37_36.calc_check_digit(type_code + issuer + serial + version_text)


def parse_ecert_id(text: str) -> EcertId:
    """Split and check an e-licence identifier, including its check character."""
    whole = text.strip().upper()
    if not whole.startswith(ECERT_PREFIX):
        raise _ecert_error(whole, f"应以“{ECERT_PREFIX}”开头", "前缀")
    parts = whole[len(ECERT_PREFIX) :].split(".")
    if len(parts) != 5:
        raise _ecert_error(whole, "应由前缀和类型、机构、编号、版本、校验位五段组成", "段数")
    type_code, issuer, serial, version_text, check = parts
    _check_ecert_fields(
        whole,
        {
            "证照类型代码": type_code,
            "颁发机构代码": issuer,
            "证照编号": serial,
            "版本号": version_text,
            "校验位": check,
        },
    )
    if mod_37_36.calc_check_digit(type_code + issuer + serial + version_text) != check:
        raise _ecert_error(whole, "校验位不符，请核对证照上的标识", "校验位")
    return EcertId(type_code, issuer, serial, int(version_text), check)


def make_ecert_id(type_code: str, issuer: str, serial: str, version: int = 1) -> str:
    """The full identifier for a newly issued e-licence."""
    check = ecert_check_char(type_code, issuer, serial, version)
    return str(EcertId(type_code, issuer, serial, version, check))


# ---------------------------------------------------------------------------------------------------------
# 证件号码 by 证件种类
# ---------------------------------------------------------------------------------------------------------

PARTY_ID_RULE = "证件号码格式"
# Passports and permits carry no check digit we can verify, and their formats changed over the years
# (港澳通行证 H/M + 8 or 10 digits, 台胞证 8 digits or older 10 characters): only characters and length.
_DOCUMENT_LENGTHS = {
    IdType.PASSPORT: (5, 20),
    IdType.HK_MACAO_PERMIT: (8, 11),
    IdType.TAIWAN_PERMIT: (8, 10),
}
_DOCUMENT_CHARS = re.compile(r"[0-9A-Z]+")


_ID_TYPES: dict[Any, IdType] = {kind: kind for kind in IdType}


@lru_cache(maxsize=4096)
def validate_party_id(id_type: IdType | str, number: str) -> str:
    """Check a party's document number by its document type and return it normalised.

    Remembered for the numbers seen lately (a pure function of its arguments; a refusal is not
    remembered): recording re-checks every party of the case, and a busy window meets the same people again.
    """
    kind = _ID_TYPES.get(id_type)
    if kind is None:
        raise ValidationError(f"未知的证件种类代码“{id_type}”", rule=PARTY_ID_RULE, record=str(id_type))
    if kind is IdType.RESIDENT_ID:
        return validate_resident_id(number)
    if kind is IdType.USCC:
        return validate_uscc(number)
    value = number.strip().upper()
    if not value:
        raise ValidationError(f"{kind.label}号码不能为空", rule=f"{PARTY_ID_RULE} {kind.label}", record="")
    if not _DOCUMENT_CHARS.fullmatch(value) or not value.isascii():
        raise ValidationError(
            f"{kind.label}号码“{value}”只能包含数字和大写英文字母",
            rule=f"{PARTY_ID_RULE} {kind.label}",
            record=value,
        )
    low, high = _DOCUMENT_LENGTHS[kind]
    if not low <= len(value) <= high:
        raise ValidationError(
            f"{kind.label}号码“{value}”位数不符：应为{low}至{high}位，实为{len(value)}位",
            rule=f"{PARTY_ID_RULE} {kind.label}",
            record=value,
        )
    return value
