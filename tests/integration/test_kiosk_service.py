"""The kiosk's services on a real register: identify from the receipt's QR, five wrong IDs lock the case
(surviving a restart), pay, print on numbered paper with a spoiled sheet and one retry, one print per
certificate, the sealed 查询结果, and the kiosk account refused everything else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from registry_desk.documents.seal import verify_pdf
from registry_desk.documents.verification import document_text, qr_texts_in
from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.domain.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from registry_desk.domain.payment_orders import SETTLED
from registry_desk.registration import certificates, queries, recording
from registry_desk.registration import issuing
from registry_desk.kiosk import paper_stock
from registry_desk.kiosk.identify import admin_exit, check_case, identify
from registry_desk.kiosk.payment import payment_state, refresh_payment, simulate_scan_payment
from registry_desk.kiosk.printing import print_certificate
from registry_desk.kiosk.progress import case_status
from registry_desk.kiosk.query import statement_pdf
from registry_desk.registration import register
from registry_desk.operations import users
from registry_desk.kernel.context import SYSTEM, utc_now
from registry_desk.kiosk.identify import KioskPolicy
from registry_desk.storage.database import Database
from registry_desk.storage.kiosk.tables import KioskPrint, PaperSerial
from registry_desk.storage.tables import AuditEvent, Case, Certificate
from tests.integration.test_case_helpers import CLERK, REGISTRAR, WANG, bad_check
from tests.integration.test_kiosk_helpers import (
    ADMIN,
    BUYER,
    KIOSK,
    SELLER,
    kiosk_identify,
    load_paper,
    open_case,
    pay_side,
    ready_case,
)


def _actions(db, action: str) -> list[AuditEvent]:
    with db.unit_of_work(write=False) as uow:
        events = list(
            uow.session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
            )
        )
        uow.session.expunge_all()  # keep the loaded values after the read transaction ends
        return events


def _cert(db, case_number: str) -> Certificate:
    with db.unit_of_work(write=False) as uow:
        cert = uow.session.scalars(
            select(Certificate)
            .join(Certificate.right)
            .where(Certificate.case_id.isnot(None))
            .order_by(Certificate.id.desc())
        ).first()
        uow.session.expunge(cert)
        return cert


def test_the_receipt_qr_text_identifies_the_case_and_the_buyer_with_masked_display(sqlite_db, tmp_path):
    kc = open_case(sqlite_db, tmp_path)
    receipt = issuing.acceptance_receipt_pdf(sqlite_db, CLERK, kc.case_number, settings=kc.settings)
    (scanned,) = qr_texts_in(receipt)
    number = check_case(sqlite_db, KIOSK, scanned + "\r\n")  # scanners end with Enter
    assert number == kc.case_number
    who = identify(
        sqlite_db, KIOSK, number, BUYER[1].lower(), kc.codes[BUYER[1]], settings=kc.settings
    )  # a lower-case x is the same ID
    assert who.name_masked == "赵*" and who.id_masked == BUYER[1][:4] + "*" * 10 + BUYER[1][-4:]
    assert BUYER[0] not in repr(who) and BUYER[1] not in repr(who)
    status = case_status(sqlite_db, KIOSK, who)
    assert status.status is CaseStatus.AWAITING_PAYMENT
    assert status.steps[:3] == (CaseStatus.ACCEPTED, CaseStatus.AWAITING_PAYMENT, CaseStatus.IN_REVIEW)
    # The buyer sees only the buyer's order (登记费 + 契税), never the seller's taxes.
    assert [o.side for o in status.unpaid_orders] == ["buyer"]
    assert {line.item for line in status.unpaid_orders[0].lines} == {"登记费", "契税"}
    with pytest.raises(ValidationError, match="12位业务号"):
        check_case(sqlite_db, KIOSK, "宁(2026)中卫市不动产权第0000001号")


def test_five_wrong_ids_lock_the_case_for_every_kiosk_even_after_a_restart(sqlite_db, tmp_path):
    kc = open_case(sqlite_db, tmp_path)
    policy = KioskPolicy(max_failures=5, lock_minutes=30)
    now = utc_now()
    for attempt in range(1, 5):
        with pytest.raises(PermissionDenied, match=f"还可再试 {5 - attempt} 次"):
            identify(
                sqlite_db,
                KIOSK,
                kc.case_number,
                bad_check(BUYER[1]),
                kc.codes[BUYER[1]],
                settings=kc.settings,
                policy=policy,
                now=now,
            )
    with pytest.raises(PermissionDenied, match="已暂时锁定"):
        identify(
            sqlite_db,
            KIOSK,
            kc.case_number,
            "110105194912310021",
            "00000000",
            settings=kc.settings,
            policy=policy,
            now=now,
        )
    restarted = Database(sqlite_db.url)  # another kiosk process on the same register
    try:
        # Locked now even for the right ID, at the first screen already.
        with pytest.raises(PermissionDenied, match="已暂时锁定"):
            identify(
                restarted,
                KIOSK,
                kc.case_number,
                BUYER[1],
                kc.codes[BUYER[1]],
                settings=kc.settings,
                policy=policy,
                now=now + timedelta(minutes=29),
            )
        with pytest.raises(PermissionDenied, match="已暂时锁定"):
            check_case(restarted, KIOSK, kc.case_number, now=now + timedelta(minutes=29))
        who = identify(
            restarted,
            KIOSK,
            kc.case_number,
            BUYER[1],
            kc.codes[BUYER[1]],
            settings=kc.settings,
            policy=policy,
            now=now + timedelta(minutes=31),
        )
        assert who.case_number == kc.case_number
    finally:
        restarted.dispose()
    failed = _actions(sqlite_db, "kiosk.identify_failed")
    assert [e.after["failures"] for e in failed] == [1, 2, 3, 4, 5]
    assert all(BUYER[1][:6] not in str(e.after) for e in failed)  # typed numbers are not kept
    assert len(_actions(sqlite_db, "kiosk.locked")) == 1


def test_an_unknown_case_counts_against_nothing_and_a_success_restarts_the_count(sqlite_db, tmp_path):
    kc = open_case(sqlite_db, tmp_path)
    strict = KioskPolicy(max_failures=1)
    with pytest.raises(NotFound):
        identify(sqlite_db, KIOSK, "209901010001", BUYER[1], "00000000", settings=kc.settings, policy=strict)
    with pytest.raises(NotFound):
        check_case(sqlite_db, KIOSK, "209901010001")
    assert kiosk_identify(sqlite_db, kc, BUYER, policy=strict).case_number == kc.case_number
    policy = KioskPolicy(max_failures=2)
    with pytest.raises(PermissionDenied, match="还可再试 1 次"):
        identify(
            sqlite_db,
            KIOSK,
            kc.case_number,
            bad_check(BUYER[1]),
            kc.codes[BUYER[1]],
            settings=kc.settings,
            policy=policy,
        )
    kiosk_identify(sqlite_db, kc, SELLER, policy=policy)
    with pytest.raises(PermissionDenied, match="还可再试 1 次"):
        identify(
            sqlite_db,
            KIOSK,
            kc.case_number,
            bad_check(BUYER[1]),
            kc.codes[BUYER[1]],
            settings=kc.settings,
            policy=policy,
        )


def test_paying_at_the_kiosk_settles_the_buyer_order_and_shows_its_receipts(sqlite_db, tmp_path):
    kc = open_case(sqlite_db, tmp_path)
    who = kiosk_identify(sqlite_db, kc, BUYER)
    state = payment_state(sqlite_db, KIOSK, who)
    assert not state.settled and state.receipts == ()
    simulate_scan_payment(KIOSK, kc.channel, state.orders[0].payload)
    state = refresh_payment(sqlite_db, KIOSK, who, kc.channel, settings=kc.settings)
    assert state.settled and state.orders[0].status == SETTLED
    assert sorted(r.kind for r in state.receipts) == ["fee", "tax"]
    assert all(r.attachment_id is not None for r in state.receipts)  # sealed PDFs made and attached
    # The case waits for the seller's side before review.
    assert case_status(sqlite_db, KIOSK, who).status is CaseStatus.AWAITING_PAYMENT
    pay_side(sqlite_db, kc, "seller")
    assert case_status(sqlite_db, KIOSK, who).status is CaseStatus.IN_REVIEW


class FlakyPrinter:
    """Jams on the first sheet, prints the next."""

    def __init__(self, failures: int = 1) -> None:
        self.failures = failures
        self.jobs: list[str] = []

    def __call__(self, pdf: bytes, name: str) -> str:
        self.jobs.append(name)
        if self.failures:
            self.failures -= 1
            raise OSError("卡纸")
        assert pdf.startswith(b"%PDF")
        return f"printer:{name}"


def test_a_jam_spoils_the_sheet_and_the_retry_prints_on_the_next_then_no_second_print(sqlite_db, tmp_path):
    kc = ready_case(sqlite_db, tmp_path)
    load_paper(sqlite_db)
    buyer = kiosk_identify(sqlite_db, kc, BUYER)
    (printable,) = case_status(sqlite_db, KIOSK, buyer).certificates
    assert printable.can_print and printable.reason == ""
    printer = FlakyPrinter(failures=1)

    first = print_certificate(sqlite_db, KIOSK, buyer, printable.number, printer, settings=kc.settings)
    assert (first.ok, first.serial, first.retry_allowed) == (False, "NX2026000001", True)
    assert "作废" in first.message and first.case_status is CaseStatus.CERTIFICATE_READY

    def version() -> int:
        with sqlite_db.unit_of_work(write=False) as uow:
            return uow.session.scalar(select(Case.version).where(Case.case_number == kc.case_number))

    seen = version()
    second = print_certificate(sqlite_db, KIOSK, buyer, printable.number, printer, settings=kc.settings)
    assert (second.ok, second.serial, second.case_status) == (True, "NX2026000002", CaseStatus.ISSUED)
    # Handed over at the kiosk as at the window (registration.handover.record_handover): a window still
    # showing the case as 已缮证 is refused, not allowed to hand the certificate over a second time.
    assert version() > seen

    cert = _cert(sqlite_db, kc.case_number)
    assert (cert.paper_serial, cert.receiver_name, cert.handed_over_by) == (
        "NX2026000002",
        BUYER[0],
        KIOSK.username,
    )
    with sqlite_db.unit_of_work(write=False) as uow:
        sheets = {
            r.serial: r for r in uow.session.scalars(select(PaperSerial).where(PaperSerial.position < 3))
        }
        log = list(uow.session.scalars(select(KioskPrint).order_by(KioskPrint.id)))
        uow.session.expunge_all()
    assert sheets["NX2026000001"].status == "spoiled" and "卡纸" in sheets["NX2026000001"].spoiled_reason
    assert (
        sheets["NX2026000002"].status == "used" and sheets["NX2026000002"].certificate_number == cert.number
    )
    assert sheets["NX2026000003"].status == "free"
    assert [(p.serial, p.outcome, p.kiosk_user) for p in log] == [
        ("NX2026000001", "failed", KIOSK.username),
        ("NX2026000002", "printed", KIOSK.username),
    ]
    handed = _actions(sqlite_db, "certificate.handed_over")[-1]
    assert handed.after["paper_serial"] == "NX2026000002" and handed.after["receiver"] == BUYER[0]
    assert [e.record for e in _actions(sqlite_db, "paper.spoiled")] == ["NX2026000001"]

    with pytest.raises(RuleViolation, match="补打.*窗口"):
        print_certificate(sqlite_db, KIOSK, buyer, printable.number, printer, settings=kc.settings)
    assert len(printer.jobs) == 2


def test_two_failures_send_the_citizen_to_the_counter(sqlite_db, tmp_path):
    kc = ready_case(sqlite_db, tmp_path)
    load_paper(sqlite_db, "NX2026000001", "NX2026000010")
    buyer = kiosk_identify(sqlite_db, kc, BUYER)
    number = case_status(sqlite_db, KIOSK, buyer).certificates[0].number
    printer = FlakyPrinter(failures=5)
    assert print_certificate(sqlite_db, KIOSK, buyer, number, printer, settings=kc.settings).retry_allowed
    last = print_certificate(sqlite_db, KIOSK, buyer, number, printer, settings=kc.settings)
    assert not last.ok and not last.retry_allowed
    with pytest.raises(RuleViolation, match="失败两次"):
        print_certificate(sqlite_db, KIOSK, buyer, number, printer, settings=kc.settings)
    assert _cert(sqlite_db, kc.case_number).paper_serial is None
    assert paper_stock.stock_status(sqlite_db, ADMIN).spoiled == 2


def test_only_the_holder_prints_and_only_when_paper_is_loaded(sqlite_db, tmp_path):
    kc = ready_case(sqlite_db, tmp_path)
    seller = kiosk_identify(sqlite_db, kc, SELLER)
    (cert,) = case_status(sqlite_db, KIOSK, seller).certificates
    assert not cert.can_print and "持证人" in cert.reason
    with pytest.raises(RuleViolation, match="持证人"):
        print_certificate(sqlite_db, KIOSK, seller, cert.number, FlakyPrinter(0), settings=kc.settings)
    buyer = kiosk_identify(sqlite_db, kc, BUYER)
    with pytest.raises(RuleViolation, match="证书纸已用完"):
        print_certificate(sqlite_db, KIOSK, buyer, cert.number, FlakyPrinter(0), settings=kc.settings)
    assert _cert(sqlite_db, kc.case_number).paper_serial is None  # nothing half-saved


def test_a_certificate_printed_at_the_counter_is_not_printed_again_here(sqlite_db, tmp_path):
    kc = open_case(sqlite_db, tmp_path)
    pay_side(sqlite_db, kc, "buyer")
    pay_side(sqlite_db, kc, "seller")
    recording.record_case(sqlite_db, REGISTRAR, kc.case_number)
    number = _cert(sqlite_db, kc.case_number).number
    certificates.mark_certificate_ready(
        sqlite_db, REGISTRAR, kc.case_number, paper_serials={number: "NX2025999999"}
    )
    buyer = kiosk_identify(sqlite_db, kc, BUYER)
    assert "窗口" in case_status(sqlite_db, KIOSK, buyer).certificates[0].reason


def test_the_statement_lists_the_holders_units_with_restrictions_and_is_sealed(sqlite_db, tmp_path):
    kc = ready_case(sqlite_db, tmp_path)
    seller = kiosk_identify(sqlite_db, kc, SELLER)
    # 王建国 sold this flat but still owns 102 jointly with 李秀兰.
    assert case_status(sqlite_db, KIOSK, seller).owns_units
    pdf = statement_pdf(sqlite_db, KIOSK, seller, settings=kc.settings)
    text = document_text(pdf).replace("\n", "")
    assert "不动产登记资料查询结果" in text and "102室" in text and "李秀兰" in text
    assert kc.unit_number not in text  # sold: no longer his
    assert WANG[1] not in text and WANG[1][:4] + "*" * 10 in text
    report = verify_pdf(pdf, issuing.centre_kit(kc.settings).trust)
    assert report.signatures and all(sig.intact and sig.trusted for sig in report.signatures)
    assert _actions(sqlite_db, "kiosk.statement")[-1].after["units"]


def test_the_kiosk_account_can_do_nothing_else_and_clerks_cannot_use_the_kiosk(sqlite_db, tmp_path):
    kc = ready_case(sqlite_db, tmp_path)
    refused = [
        lambda: register.search(sqlite_db, KIOSK, "鼓楼东街"),
        lambda: register.unit_register(sqlite_db, KIOSK, kc.unit_number),
        lambda: queries.get_case(sqlite_db, KIOSK, kc.case_number),
        lambda: recording.record_case(sqlite_db, KIOSK, kc.case_number),
        lambda: certificates.issue_certificate(sqlite_db, KIOSK, kc.case_number, "赵敏"),
        lambda: issuing.certificate_pdf(
            sqlite_db, KIOSK, _cert(sqlite_db, kc.case_number).number, settings=kc.settings
        ),
        lambda: paper_stock.load_range(sqlite_db, KIOSK, "NX1", "NX9"),
        lambda: paper_stock.stock_status(sqlite_db, KIOSK),
        lambda: users.create_user(sqlite_db, KIOSK, "x", "x", Role.CLERK, "password-1"),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied, match="自助终端"):
            call()
    for call in (
        lambda: check_case(sqlite_db, CLERK, kc.case_number),
        lambda: kiosk_identify(sqlite_db, kc, BUYER, actor=REGISTRAR),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_leaving_kiosk_mode_needs_an_administrators_password(sqlite_db):
    users.create_user(sqlite_db, SYSTEM, "admin", "管理员", Role.ADMIN, "admin-pass-1")
    users.create_user(sqlite_db, SYSTEM, "clerk", "受理员", Role.CLERK, "clerk-pass-1")
    with pytest.raises(PermissionDenied):
        admin_exit(sqlite_db, KIOSK, "admin", "wrong")
    with pytest.raises(PermissionDenied, match="不是系统管理员"):
        admin_exit(sqlite_db, KIOSK, "clerk", "clerk-pass-1")
    assert admin_exit(sqlite_db, KIOSK, "admin", "admin-pass-1").role is Role.ADMIN
    assert len(_actions(sqlite_db, "kiosk.exit_refused")) == 2
    assert [e.record for e in _actions(sqlite_db, "kiosk.exit")] == [KIOSK.username]


def test_a_citizen_back_after_the_order_expired_gets_a_fresh_qr(sqlite_db, tmp_path):
    from datetime import timedelta

    kc = open_case(sqlite_db, tmp_path, now=utc_now() - timedelta(hours=2))
    who = kiosk_identify(sqlite_db, kc, BUYER)
    stale = payment_state(sqlite_db, KIOSK, who).orders[0]
    assert stale.expires_at < utc_now()
    fresh = refresh_payment(sqlite_db, KIOSK, who, kc.channel, settings=kc.settings).orders
    live = [o for o in fresh if o.status == "open"]
    assert live and live[0].order_no != stale.order_no and live[0].expires_at > utc_now()
    simulate_scan_payment(KIOSK, kc.channel, live[0].payload)  # the new QR pays
    assert refresh_payment(sqlite_db, KIOSK, who, kc.channel, settings=kc.settings).settled
