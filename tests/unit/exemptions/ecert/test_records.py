"""The 电子证照标识 derived from a certificate number, and the record kept beside each e-certificate."""

from __future__ import annotations

import datetime as dt

import pytest

from registry_desk.domain.codes import CertificateKind, CertificateStatus
from registry_desk.domain.errors import ValidationError
from registry_desk.domain.identifiers import parse_ecert_id
from registry_desk.exemptions.ecert.records import (
    EcertHolder,
    EcertRecord,
    ecert_id_for_certificate,
    ecert_type_code,
)

OWNER = EcertHolder("王建国", "111", "64050219750312011X")
SPOUSE = EcertHolder("李秀兰", "111", "640502197805210229")


def test_ecert_id_follows_the_national_pattern_with_the_area_code_and_number_serial():
    ecert_id = ecert_id_for_certificate("宁(2018)中卫市不动产权第0000740号")
    # The same identifier the demo register carries for this certificate.
    assert ecert_id == "1.2.156.3005.2.11100000MB03271699001.640500.20180000740.001.C"
    parsed = parse_ecert_id(ecert_id)
    assert (parsed.issuer, parsed.serial, parsed.version) == ("640500", "20180000740", 1)


def test_a_proof_gets_the_proof_type_code_and_bracket_width_does_not_matter():
    half = ecert_id_for_certificate("宁(2024)中卫市不动产证明第0001224号")
    full = ecert_id_for_certificate("宁（2024）中卫市不动产证明第0001224号")
    assert half == full == "1.2.156.3005.2.11100000MB03271699022.640500.20240001224.001.K"
    assert ecert_type_code(CertificateKind.REGISTRATION_PROOF) == "11100000MB03271699022"


def test_a_bad_certificate_number_is_refused():
    with pytest.raises(ValidationError, match="不是有效的证号"):
        ecert_id_for_certificate("宁2024中卫市不动产权第1号")


def _record(**kw) -> EcertRecord:
    values = {
        "ecert_id": ecert_id_for_certificate("宁(2021)中卫市不动产权第0000201号"),
        "number": "宁(2021)中卫市不动产权第0000201号",
        "holder": OWNER,
        "co_holders": (SPOUSE,),
        "unit_number": "640502001001GB00001F00010201",
        "issued_on": dt.date(2021, 6, 1),
    }
    values.update(kw)
    return EcertRecord(**values)


def test_a_record_with_a_wrong_check_character_is_refused():
    good = ecert_id_for_certificate("宁(2021)中卫市不动产权第0000201号")
    wrong = good[:-1] + ("A" if good[-1] != "A" else "B")
    with pytest.raises(ValidationError, match="校验位不符"):
        _record(ecert_id=wrong)


def test_the_record_survives_its_json_and_knows_its_type():
    rec = _record(extra={"坐落": "中卫市沙坡头区鼓楼东街1号"}).with_sha256("ab" * 32)
    back = EcertRecord.from_json(rec.to_json())
    assert back == rec and back.extra == rec.extra
    assert back.type_label == "不动产权证" and back.kind is CertificateKind.RIGHT_CERTIFICATE
    assert rec.to_json()["holder"] == {"name": "王建国", "id_type": "111", "id_number": "64050219750312011X"}


def test_a_co_owner_holds_the_certificate_too_and_cancelling_keeps_the_reason():
    rec = _record()
    assert rec.held_by("640502197805210229") and rec.held_by(" 64050219750312011x ")
    assert not rec.held_by("640502199002150441")
    gone = rec.cancelled("转移登记", dt.date(2026, 3, 3))
    assert gone.status is CertificateStatus.CANCELLED and not gone.is_current
    assert (gone.cancel_reason, gone.cancelled_on) == ("转移登记", dt.date(2026, 3, 3))
    assert rec.is_current  # records are immutable
