"""分别持证 at the kiosk: two buyers of one flat, one of whom asked for a certificate of her own. Each prints
their own certificate there (never the other's); the case stays 已缮证 until the last certificate is out, its
version moves on with each hand-over, and the trail says who took which certificate on which sheet."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from registry_desk.config import Settings
from registry_desk.domain.codes import CaseStatus, CoOwnership
from registry_desk.domain.errors import RuleViolation
from registry_desk.kiosk.identify import identify
from registry_desk.kiosk.printing import print_certificate
from registry_desk.kiosk.progress import case_status
from registry_desk.registration import certificates, intake, payment_status, recording
from registry_desk.storage.kiosk.tables import KioskPrint
from registry_desk.storage.tables import AuditEvent, Case, Certificate
from tests.integration import test_case_helpers as _helpers
from tests.integration.test_case_helpers import CASHIER, CHEN, CLERK, MONDAY, REGISTRAR, WANG, ZHAO, transfer
from tests.integration.test_kiosk_helpers import KIOSK, load_paper, receipt_codes

# The shared fixtures: the tiny register built once per module and copied for each test.
register_template = _helpers.register_template
sqlite_register = _helpers.sqlite_register
any_register = _helpers.any_register


def _to_file(pdf: bytes, name: str) -> str:
    assert pdf.startswith(b"%PDF")
    return f"file:{name}"


def _case(db, number: str) -> tuple[int, CaseStatus]:
    with db.unit_of_work(write=False) as uow:
        case = uow.session.scalar(select(Case).where(Case.case_number == number))
        return case.version, case.status


def _certificate(db, number: str) -> Certificate:
    with db.unit_of_work(write=False) as uow:
        cert = uow.session.scalar(select(Certificate).where(Certificate.number == number))
        uow.session.expunge(cert)  # keep the loaded values after the read transaction ends
        return cert


def _reasons(db, who) -> dict[str, str]:
    return {c.number: c.reason for c in case_status(db, KIOSK, who).certificates}


def test_each_co_owner_prints_their_own_and_the_case_is_issued_with_the_last(any_register, tmp_path):
    db, reg = any_register
    request = transfer(reg.plain, [WANG], [ZHAO, CHEN], co=CoOwnership.JOINT)
    request = dataclasses.replace(
        request,
        parties=tuple(
            dataclasses.replace(p, wants_own_certificate=True) if p.name == CHEN[0] else p
            for p in request.parties
        ),
    )
    number = intake.accept_case(db, CLERK, request, now=MONDAY).case_number
    payment_status.confirm_payment(db, CASHIER, number, now=MONDAY)
    # Her own certificate first, then the one of the buyers holding together (赵敏 alone here).
    hers, his = recording.record_case(db, REGISTRAR, number, now=MONDAY).issued_certificates
    certificates.mark_certificate_ready(db, REGISTRAR, number, now=MONDAY)
    load_paper(db, "NX2026000001", "NX2026000010")
    settings = Settings(tmp_path, db.url)
    codes = receipt_codes(db, number, settings)

    zhao = identify(db, KIOSK, number, ZHAO[1], codes[ZHAO[1]], settings=settings)
    assert _reasons(db, zhao) == {hers: "仅持证人本人可在自助机打印此证", his: ""}
    with pytest.raises(RuleViolation, match="仅持证人本人"):
        print_certificate(db, KIOSK, zhao, hers, _to_file, settings=settings)

    version, _ = _case(db, number)
    first = print_certificate(db, KIOSK, zhao, his, _to_file, settings=settings)
    assert (first.ok, first.serial, first.case_status) == (True, "NX2026000001", CaseStatus.CERTIFICATE_READY)
    after_first, status = _case(db, number)
    assert status is CaseStatus.CERTIFICATE_READY  # 陈静's certificate is still waiting for her
    assert after_first > version
    assert _certificate(db, hers).handed_over_at is None
    taken = _certificate(db, his)
    assert (taken.receiver_name, taken.handed_over_by, taken.paper_serial) == (
        ZHAO[0],
        KIOSK.username,
        "NX2026000001",
    )
    assert _reasons(db, zhao) == {
        hers: "仅持证人本人可在自助机打印此证",
        his: "已发证；如需补打，请到窗口办理",
    }

    chen = identify(db, KIOSK, number, CHEN[1], codes[CHEN[1]], settings=settings)
    assert _reasons(db, chen) == {hers: "", his: "已发证；如需补打，请到窗口办理"}
    second = print_certificate(db, KIOSK, chen, hers, _to_file, settings=settings)
    assert (second.ok, second.serial, second.case_status) == (True, "NX2026000002", CaseStatus.ISSUED)
    after_second, status = _case(db, number)
    assert status is CaseStatus.ISSUED and after_second > after_first
    assert _certificate(db, hers).receiver_name == CHEN[0]

    with db.unit_of_work(write=False) as uow:
        handed = [
            (e.actor, e.record, e.after)
            for e in uow.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == "certificate.handed_over")
                .order_by(AuditEvent.seq)
            )
        ]
        log = [
            (p.certificate_number, p.serial, p.outcome)
            for p in uow.session.scalars(select(KioskPrint).order_by(KioskPrint.id))
        ]
    assert [(actor, record) for actor, record, _ in handed] == [(KIOSK.username, number)] * 2
    assert [
        (a["certificates"], a["receiver"], a["status"], a["channel"], a["paper_serial"]) for _, _, a in handed
    ] == [
        ([his], ZHAO[0], CaseStatus.CERTIFICATE_READY.value, "kiosk", "NX2026000001"),
        ([hers], CHEN[0], CaseStatus.ISSUED.value, "kiosk", "NX2026000002"),
    ]
    assert log == [(his, "NX2026000001", "printed"), (hers, "NX2026000002", "printed")]
