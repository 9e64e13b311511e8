"""Certificate numbers (证号): `宁(2026)中卫市不动产权第0000001号` and `…不动产证明第…号`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from registry_desk.domain.codes import CertificateKind
from registry_desk.domain.errors import ValidationError

PROVINCE = "宁"
CITY = "中卫市"

# Real data mixes full- and half-width brackets (REFERENCE §4): accept both, print half-width.
_NUMBER = re.compile(
    r"^\s*(?P<prov>[\u4e00-\u9fff])\s*[(（]\s*(?P<year>\d{4})\s*[)）]\s*(?P<city>[\u4e00-\u9fff]+?[市县区])"
    r"(?P<word>不动产权|不动产证明)第(?P<seq>\d{7})号\s*$"
)


@dataclass(frozen=True, order=True)
class CertificateNumber:
    kind: CertificateKind
    year: int
    seq: int
    province: str = PROVINCE
    city: str = CITY

    def __str__(self) -> str:
        return f"{self.province}({self.year}){self.city}{self.kind.number_word}第{self.seq:07d}号"


def format_certificate_number(kind: CertificateKind, year: int, seq: int) -> str:
    if not 1 <= seq <= 9_999_999:
        raise ValidationError(f"证号顺序号 {seq} 超出 0000001–9999999 范围", rule="证号格式")
    return str(CertificateNumber(kind, year, seq))


def parse_certificate_number(text: str) -> CertificateNumber:
    match = _NUMBER.match(text)
    if not match:
        raise ValidationError(
            f"“{text}”不是有效的证号，应形如 宁(2026)中卫市不动产权第0000001号", rule="证号格式", record=text
        )
    kind = (
        CertificateKind.RIGHT_CERTIFICATE
        if match["word"] == "不动产权"
        else CertificateKind.REGISTRATION_PROOF
    )
    return CertificateNumber(kind, int(match["year"]), int(match["seq"]), match["prov"], match["city"])


def looks_like_certificate_number(text: str) -> bool:
    return bool(_NUMBER.match(text))
