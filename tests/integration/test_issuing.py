"""Printing from the register: the sealed 不动产权证书 / 登记证明 carries every field as issued, a QR that
verifies offline and stays the same on reprint, and passes `registry-desk verify`; the 受理凭证 masks IDs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from registry_desk.cli import main
from registry_desk.documents.pki import create_demo_pki
from registry_desk.documents.seal import read_payload, verify_pdf
from registry_desk.documents.verification import check_document, document_text, qr_texts_in, verify_payload
from registry_desk.domain.codes import CertificateStatus, Role
from registry_desk.domain.errors import NotFound, PermissionDenied
from registry_desk.registration import issuing
from registry_desk.kernel.context import SYSTEM, Actor
from registry_desk.storage.tables import AuditEvent, Certificate
from tests.conftest import migrated_sqlite
from tests.unit.exemptions.ecert.register import (
    BANK,
    BUYER,
    STRANGER,
    build_tiny_register,
    organisations_json,
    settings_for,
)

CLERK = Actor(user_id=None, username="clerk01", display_name="受理员甲", role=Role.CLERK, window="3")
CASHIER = Actor(user_id=None, username="cash01", display_name="收费员丙", role=Role.CASHIER)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("issuing-data")


@pytest.fixture(scope="module")
def env(tmp_path_factory, data_dir):
    """One register for the module; each test prints a different certificate, so their audit trails differ."""
    with migrated_sqlite(tmp_path_factory.mktemp("issuing-db")) as db:
        yield db, settings_for(data_dir, db), build_tiny_register(db)


def _row(db, number: str) -> Certificate:
    with db.unit_of_work(write=False) as uow:
        cert = uow.session.scalar(select(Certificate).where(Certificate.number == number))
        uow.session.expunge(cert)
        return cert


def _renders(db, number: str) -> list[dict]:
    with db.unit_of_work(write=False) as uow:
        return [
            e.after
            for e in uow.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "certificate.render", AuditEvent.record == number)
                .order_by(AuditEvent.seq)
            )
        ]


def test_printed_certificate_shows_every_field_and_its_qr_verifies(env):
    db, settings, reg = env
    pdf = issuing.certificate_pdf(db, CLERK, reg.buyer_certificate, settings=settings)
    row = _row(db, reg.buyer_certificate)
    text = document_text(pdf).replace(" ", "").replace("\n", "")
    for label, value in row.fields.items():
        assert value.replace(" ", "").replace("\n", "") in text, label
    assert reg.buyer_certificate in text and "2026年3月3日" in text
    assert "NX2026000001" in text  # 权证印刷序列号
    assert "中卫市自然资源局" in text  # 登记机构

    # The QR on the page is the payload kept on the row, signed by the agency and naming the certificate.
    assert qr_texts_in(pdf) == (row.qr_payload,)
    assert read_payload(pdf) == row.qr_payload
    checked = verify_payload(row.qr_payload, issuing.centre_kit(settings).trust)
    assert checked.ok and checked.signer_org == "中卫市自然资源局"
    assert checked.fields == {
        "kind": "right_certificate",
        "number": reg.buyer_certificate,
        "unit_number": reg.flat,
        "holders": [BUYER[0]],
        "issued_on": "2026-03-03",
    }
    seals = verify_pdf(pdf, issuing.centre_kit(settings).trust)
    # 中卫市自然资源局: the unit is in 沙坡头区 (640502), which the city's agency registers (条例第七条).
    assert seals.ok and [s.signer_uscc for s in seals.signatures] == ["11640500MB0A1W001J"]


def test_the_verify_command_passes_on_a_printed_certificate(env, tmp_path, capsys):
    db, settings, reg = env
    out = tmp_path / "proof.pdf"
    out.write_bytes(issuing.certificate_pdf(db, CLERK, reg.mortgage_proof, settings=settings))
    assert main(["--data-dir", str(settings.data_dir), "verify", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "结论：验证通过" in printed and "内容完整：是" in printed and BANK[0] in printed


def test_a_reprint_carries_the_same_payload_and_either_bracket_width_works(env):
    db, settings, reg = env
    first = issuing.certificate_pdf(db, CLERK, reg.couple_certificate, settings=settings)
    payload = _row(db, reg.couple_certificate).qr_payload
    full_width = reg.couple_certificate.replace("(", "（").replace(")", "）")
    again = issuing.certificate_pdf(db, CLERK, full_width, settings=settings)
    assert read_payload(first) == read_payload(again) == payload
    assert _row(db, reg.couple_certificate).qr_payload == payload
    renders = _renders(db, reg.couple_certificate)
    assert [r["payload_made"] for r in renders] == [True, False]
    # A cancelled certificate can be reprinted for the archive; the audit trail says which status it had.
    assert renders[0]["status"] == "cancelled"


def test_a_payload_signed_by_a_key_no_longer_trusted_is_replaced(env, tmp_path):
    db, settings, reg = env
    foreign = create_demo_pki(tmp_path / "old-keys", organisations_json())
    stale = issuing.certificate_payload(
        issuing.payload_fields(_row(db, reg.other_certificate)), foreign.centre
    )
    with db.unit_of_work() as uow:
        uow.session.scalar(
            select(Certificate).where(Certificate.number == reg.other_certificate)
        ).qr_payload = stale
        uow.commit()
    pdf = issuing.certificate_pdf(db, CLERK, reg.other_certificate, settings=settings)
    fresh = _row(db, reg.other_certificate).qr_payload
    assert fresh != stale and read_payload(pdf) == fresh
    assert check_document(pdf, issuing.centre_kit(settings).trust).ok
    assert _renders(db, reg.other_certificate)[-1]["payload_made"] is True


def test_printing_needs_the_right_role_and_an_existing_number(env):
    db, settings, reg = env
    before = len(_renders(db, reg.buyer_certificate))
    with pytest.raises(PermissionDenied, match="无权执行"):
        issuing.certificate_pdf(db, CASHIER, reg.buyer_certificate, settings=settings)
    with pytest.raises(NotFound, match="没有证号为 宁\\(2026\\)中卫市不动产权第0000099号"):
        issuing.certificate_pdf(db, CLERK, "宁（2026）中卫市不动产权第0000099号", settings=settings)
    assert len(_renders(db, reg.buyer_certificate)) == before  # a refused print leaves no trace


def test_the_receipt_masks_ids_lists_missing_materials_and_is_sealed(env):
    db, settings, reg = env
    pdf = issuing.acceptance_receipt_pdf(db, CASHIER, reg.open_case, settings=settings)
    text = document_text(pdf)
    assert "不动产登记受理凭证" in text and reg.open_case in text
    assert STRANGER[1] not in text and BUYER[1] not in text  # full ID numbers never printed
    assert f"{STRANGER[1][:4]}**********{STRANGER[1][-4:]}" in text
    assert "转让方（义务人）" in text and "受让方（权利人）" in text
    missing_block = text[text.index("需补正材料") :]
    assert "不动产权证书" in missing_block and "存量房买卖合同" in missing_block
    assert "2026年3月6日前" in text and "受理员甲" in text and "3号窗口" in text
    assert "2026年3月3日 15:30" in text  # Beijing time, not UTC
    assert qr_texts_in(pdf) == (reg.open_case,)
    report = check_document(pdf, issuing.centre_kit(settings).trust)
    assert report.ok, report.problems
    assert report.payload.fields["case_number"] == reg.open_case


def test_a_fresh_data_directory_gets_its_seal_keys_on_first_print(sqlite_db, tmp_path):
    reg = build_tiny_register(sqlite_db)
    settings = settings_for(tmp_path / "fresh", sqlite_db)
    assert not settings.keys_dir.exists()
    pdf = issuing.certificate_pdf(sqlite_db, SYSTEM, reg.buyer_certificate, settings=settings)
    assert (settings.keys_dir / "seals" / "centre.key.pem").is_file()
    assert check_document(pdf, issuing.centre_kit(settings).trust).ok


def test_a_cancelled_certificate_reprints_marked_as_such_on_the_page_and_in_its_seal(env):
    """Status is never hidden: a reprint of the couple's certificate, cancelled by the transfer, carries
    已注销／仅供查档 with the date on the page (a line and a watermark) and in the signed payload."""
    db, settings, reg = env
    pdf = issuing.certificate_pdf(db, CLERK, reg.couple_certificate, settings=settings)
    text = document_text(pdf).replace(" ", "").replace("\n", "")
    assert "已注销／仅供查档：本不动产权证书已于2026年3月3日注销" in text
    assert "已注销仅供查档" in text.replace("\u3000", "")  # the watermark across the page
    row = _row(db, reg.couple_certificate)
    checked = verify_payload(row.qr_payload, issuing.centre_kit(settings).trust)
    assert (
        checked.ok and checked.fields["status"] == "cancelled" and checked.fields["status_on"] == "2026-03-03"
    )
    report = check_document(pdf, issuing.centre_kit(settings).trust)
    assert report.ok, report.problems
    assert any("打印时该不动产权证书已注销（2026-03-03）" in note for note in report.notes)
    assert any("离线核验只能证明本件打印时的内容与状态" in note for note in report.notes)
    assert _renders(db, reg.couple_certificate)[-1]["status"] == "cancelled"


def test_a_current_certificate_verifies_as_current_at_printing_and_says_what_offline_cannot_know(env):
    db, settings, reg = env
    pdf = issuing.certificate_pdf(db, CLERK, reg.buyer_certificate, settings=settings)
    report = check_document(pdf, issuing.centre_kit(settings).trust)
    assert report.ok and "已注销" not in document_text(pdf)
    assert "打印时该不动产权证书为现势" in report.notes and any("--database-url" in n for n in report.notes)


def test_verify_online_tells_a_certificate_cancelled_after_it_was_printed(env, tmp_path, capsys):
    db, settings, reg = env
    out = tmp_path / "other.pdf"
    out.write_bytes(issuing.certificate_pdf(db, CLERK, reg.other_certificate, settings=settings))
    base = ["--data-dir", str(settings.data_dir), "--database-url", str(db.engine.url)]
    assert main([*base, "verify", str(out)]) == 0
    assert "登记簿现状：现势" in capsys.readouterr().out
    with db.unit_of_work() as uow:  # the certificate is cancelled after printing (e.g. by a transfer)
        row = uow.session.scalar(select(Certificate).where(Certificate.number == reg.other_certificate))
        row.status, row.cancelled_at = CertificateStatus.CANCELLED, dt.datetime(2026, 4, 1, 2, tzinfo=dt.UTC)
        uow.commit()
    try:
        assert main(["--data-dir", str(settings.data_dir), "verify", str(out)]) == 0  # offline: as printed
        assert main([*base, "verify", str(out)]) == 1
        printed = capsys.readouterr().out
        assert "登记簿现状：注销（2026年04月01日）" in printed
        assert (
            f"登记簿显示证书 {reg.other_certificate} 现为“注销”" in printed and "结论：验证未通过" in printed
        )
    finally:
        with db.unit_of_work() as uow:
            row = uow.session.scalar(select(Certificate).where(Certificate.number == reg.other_certificate))
            row.status, row.cancelled_at = CertificateStatus.CURRENT, None
            uow.commit()


def _county_certificate(db) -> str:
    """A flat in 中宁县 (640521) with its 不动产权证书, added to the module's register."""
    from tests.unit.exemptions.ecert import register

    with db.unit_of_work() as uow:
        s = uow.session
        unit = register._unit(s, 501, "中卫市中宁县宁安镇示范街5号1幢1单元501室")
        unit.unit_number = "640521" + unit.unit_number[6:]
        unit.parcel_code, unit.county_code = "640521" + unit.parcel_code[6:], "640521"
        holder = register._party(s, ("马小芳", register.rid("19900101", "002")))
        right = register._right(
            s, unit, register.RightType.OWNERSHIP, [holder], dt.datetime(2021, 6, 1, 2, tzinfo=dt.UTC)
        )
        cert = register._certificate(
            s,
            right,
            register.CertificateKind.RIGHT_CERTIFICATE,
            2021,
            901,
            holder,
            register.right_certificate_fields(unit, "马小芳", "单独所有"),
        )
        number = cert.number
        uow.commit()
    return number


def test_a_county_certificate_is_sealed_and_printed_by_the_county_agency(env, tmp_path, capsys):
    """《不动产登记暂行条例》第七条: 中宁县's property is registered by 中宁县自然资源局, not the city's agency;
    the certificate prints that agency as 登记机构 and carries its seal, and `verify` says so in Chinese."""
    db, settings, _reg = env
    number = _county_certificate(db)
    pdf = issuing.certificate_pdf(db, CLERK, number, settings=settings)
    report = check_document(pdf, issuing.centre_kit(settings).trust)
    assert report.ok, report.problems
    assert [s.signer_org for s in report.seals.signatures] == ["中宁县自然资源局"]
    text = document_text(pdf)
    assert "中宁县自然资源局" in text and "中卫市自然资源局" not in text

    out = tmp_path / "county.pdf"
    out.write_bytes(pdf)
    assert main(["--data-dir", str(settings.data_dir), "verify", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "签章 1：中宁县自然资源局（11640521MB0A2N002F）" in printed
    assert "证书种类：不动产权证书" in printed and "发证日期：2021年06月01日" in printed
    assert "北京时间" in printed
    for internal in ("right_certificate", "issued_on", "unit_number", "UTC", "+00:00"):
        assert internal not in printed, internal
