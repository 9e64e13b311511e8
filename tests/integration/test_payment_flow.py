"""税费同缴 wired into the counter: orders at acceptance from the case's own facts, one scan per side settles and
moves the case, recording refuses unpaid charged cases (契税法§10), closing voids unpaid orders, and the
cashier's refund reverses what was settled."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from registry_desk.domain.cases import TransferTaxFacts
from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.kernel.context import Actor
from registry_desk.domain.errors import PermissionDenied, RuleViolation
from registry_desk.domain.money import Money
from registry_desk.domain.payment_orders import OPEN, VOIDED
from registry_desk.payments.channel import STATUS_CLOSED
from registry_desk.payments.local_channel import LocalChannel
from registry_desk.storage.ledger.tables import LedgerEntry, PaymentOrder, PaymentReceipt
from registry_desk.registration import intake, payment_status, queries, recording
from registry_desk.payments import service as payment_flow
from registry_desk.storage.tables import AuditEvent
from tests.integration import test_case_helpers as _helpers
from tests.integration.test_case_helpers import (
    BANK_HH,
    CASHIER,
    CLERK,
    LI,
    MONDAY,
    REGISTRAR,
    WANG,
    ZHANG,
    ZHAO,
    cancellation,
    mortgage,
    transfer,
)

register_template = _helpers.register_template
sqlite_register = _helpers.sqlite_register
any_register = _helpers.any_register

LATER = MONDAY + timedelta(minutes=3)


@pytest.fixture
def db(any_register):
    return any_register[0]


@pytest.fixture
def reg(any_register):
    return any_register[1]


@pytest.fixture
def channel(tmp_path) -> LocalChannel:
    return LocalChannel(tmp_path / "data")


def _resale(reg, **tax):
    request = transfer(reg.plain, [WANG], [ZHAO], price="1050000")
    # Signed in December 2025, so the worked example's (pre-VAT-law) rates apply.
    facts = TransferTaxFacts(contract_date=date(2025, 12, 1), buyer_homes=1, seller_years=1, **tax)
    from dataclasses import replace

    return replace(request, tax=facts)


def _pay_all(db, channel, number, when=LATER):
    payment = payment_flow.case_payment(db, number)
    for side in payment.sides:
        if side.order.status != OPEN:
            continue
        payment_flow.simulate_scan(channel, side.order.payload, now=when)
    return payment_flow.poll_and_issue(db, channel, now=when + timedelta(seconds=5))


def test_acceptance_issues_one_order_per_side_from_the_confirmed_tax_facts(db, reg, channel):
    done = payment_flow.accept_and_bill(db, CLERK, _resale(reg), channel, now=MONDAY)
    assert done.summary.status is CaseStatus.AWAITING_PAYMENT and done.payment_error is None
    buyer, seller = done.orders
    # REFERENCE §8 worked example, seller held 1 year, deemed 1% IIT, buyer's only home (<=140㎡ since
    # 2024-12-01 → 1%): 契税 10,000 + 登记费 80 for the buyer; VAT 50,000 and what follows it for the seller.
    assert (buyer.side, buyer.amount) == ("buyer", Money.yuan("10080.00"))
    assert {line.item for line in buyer.lines} == {"登记费", "契税"}
    assert {line.taxpayer_name for line in buyer.lines} == {ZHAO[0]}
    assert seller.side == "seller" and {line.taxpayer_id for line in seller.lines} == {WANG[1]}
    assert "增值税" in {line.item for line in seller.lines}
    assert buyer.payload.startswith("ZWPAY1|") and buyer.expires_at == MONDAY + timedelta(minutes=30)


def test_ensure_orders_is_idempotent_and_reissues_an_expired_side(db, reg, channel):
    number = intake.accept_case(db, CLERK, _resale(reg), now=MONDAY).case_number  # orders failed to follow
    assert payment_flow.case_payment(db, number).sides == ()
    first = payment_flow.ensure_orders(db, channel, CLERK, number, now=MONDAY)
    again = payment_flow.ensure_orders(db, channel, CLERK, number, now=MONDAY + timedelta(minutes=1))
    assert [o.order_no for o in again] == [o.order_no for o in first] and len(first) == 2
    later = payment_flow.ensure_orders(db, channel, CLERK, number, now=MONDAY + timedelta(minutes=31))
    assert not {o.order_no for o in later} & {o.order_no for o in first}
    assert channel.query(first[0].order_no).status == STATUS_CLOSED  # the old QR can no longer be paid
    with db.unit_of_work(write=False) as uow:
        issuers = set(uow.session.scalars(select(PaymentOrder.created_by)))
    assert issuers == {CLERK.username}  # the orders name who issued them, not an anonymous system


def test_one_scan_per_side_settles_moves_the_case_and_recording_follows(db, reg, channel):
    done = payment_flow.accept_and_bill(db, CLERK, _resale(reg), channel, now=MONDAY)
    number = done.summary.case_number
    with pytest.raises(RuleViolation, match="契税未缴清，不得办理登记") as refused:
        recording.record_case(db, REGISTRAR, number, now=LATER)
    assert refused.value.record == done.orders[0].order_no
    # Paying one side is not enough: the case waits for the other.
    payment_flow.simulate_scan(channel, done.orders[0].payload, now=LATER)
    payment_flow.poll_and_issue(db, channel, now=LATER)
    assert queries.get_case(db, CLERK, number).status is CaseStatus.AWAITING_PAYMENT
    result = _pay_all(db, channel, number, LATER + timedelta(minutes=1))
    assert result.receipts_made >= 1
    assert queries.get_case(db, CLERK, number).status is CaseStatus.IN_REVIEW
    payment = payment_flow.case_payment(db, number)
    assert payment.paid
    kinds = sorted(r.kind for r in payment.receipts)
    assert kinds == ["fee", "tax", "tax"]  # 登记费票据 and one 完税凭证 per taxpayer
    assert all(r.attachment_id for r in payment.receipts)
    with db.unit_of_work(write=False) as uow:
        paid_event = (
            uow.session.execute(select(AuditEvent).where(AuditEvent.action == "case.paid")).scalars().one()
        )
        assert paid_event.after["method"] == "channel"
    assert (
        recording.record_case(db, REGISTRAR, number, now=LATER + timedelta(hours=1)).status
        is CaseStatus.RECORDED
    )


def test_cash_override_voids_the_orders_and_a_late_scan_goes_to_review(db, reg, channel):
    done = payment_flow.accept_and_bill(db, CLERK, _resale(reg), channel, now=MONDAY)
    # The window's cash path closes the QR orders at the channel first: they can no longer be paid.
    paid = payment_flow.cash_payment(db, channel, CASHIER, done.summary.case_number, now=LATER)
    assert paid.status is CaseStatus.IN_REVIEW
    assert {channel.query(o.order_no).status for o in done.orders} == {STATUS_CLOSED}

    # Called directly (no channel at hand) the override voids the orders in the register only; a scan that
    # slips through before expiry is not booked but put before a person.
    other = payment_flow.accept_and_bill(
        db, CLERK, mortgage(reg.couple, BANK_HH, [WANG, LI]), channel, now=MONDAY
    )
    assert (
        payment_status.confirm_payment(db, CASHIER, other.summary.case_number, now=LATER).status
        is CaseStatus.IN_REVIEW
    )
    payment_flow.simulate_scan(channel, other.orders[0].payload, now=LATER + timedelta(minutes=1))
    outcome = payment_flow.void_open_orders(
        db, channel, CASHIER, other.summary.case_number, "x"
    )  # nothing open
    assert outcome == []
    from registry_desk.payments.channel import PaymentEvent
    from registry_desk.payments.settlement import REVIEW_NOW, record_payment

    status = channel.query(other.orders[0].order_no)
    booked = record_payment(
        db,
        PaymentEvent(
            channel.name, status.txn_id, status.order_no, status.paid_amount, status.paid_at, "notify"
        ),
        LATER + timedelta(minutes=2),
    )
    assert booked.result == REVIEW_NOW and "已作废" in booked.message


def test_a_free_case_skips_payment(db, reg, channel):
    done = payment_flow.accept_and_bill(
        db, CLERK, cancellation(reg.mortgaged, BANK_HH, reg.mortgage_proof), channel, now=MONDAY
    )
    assert done.summary.status is CaseStatus.IN_REVIEW and done.orders == ()


def test_the_mortgage_fee_is_billed_to_the_bank(db, reg, channel):
    done = payment_flow.accept_and_bill(
        db, CLERK, mortgage(reg.couple, BANK_HH, [WANG, LI]), channel, now=MONDAY
    )
    (order,) = done.orders
    assert (order.side, order.amount, order.lines[0].taxpayer_name) == (
        "mortgagee",
        Money.yuan("80.00"),
        BANK_HH[0],
    )


def test_withdrawing_voids_unpaid_orders_at_the_channel(db, reg, channel):
    done = payment_flow.accept_and_bill(db, CLERK, _resale(reg), channel, now=MONDAY)
    number = done.summary.case_number
    payment_flow.close_case(db, CLERK, channel, number, CaseStatus.WITHDRAWN, "双方解除合同", now=LATER)
    with db.unit_of_work(write=False) as uow:
        statuses = uow.session.execute(
            select(PaymentOrder.status).where(PaymentOrder.case_id.is_not(None))
        ).scalars()
        assert set(statuses) == {VOIDED}
    with pytest.raises(RuleViolation, match="已关闭"):
        channel.pay(done.orders[0].payload, LATER + timedelta(minutes=1))


def test_voiding_orders_is_audited_under_the_clerk_who_closed_the_case_and_needs_a_role(db, reg, channel):
    done = payment_flow.accept_and_bill(db, CLERK, _resale(reg), channel, now=MONDAY)
    number = done.summary.case_number
    payment_flow.close_case(db, CLERK, channel, number, CaseStatus.WITHDRAWN, "双方解除合同", now=LATER)
    with db.unit_of_work(write=False) as uow:
        voided_by = set(
            uow.session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "payment.voided"))
        )
    assert voided_by == {CLERK.username}
    kiosk = Actor(None, "kiosk01", "自助终端1", Role.KIOSK)
    with pytest.raises(PermissionDenied, match="作废缴款单"):
        payment_flow.void_open_orders(db, channel, kiosk, number, "x")


def test_refund_on_withdrawal_reverses_the_postings_and_red_letters_the_fee_bill(db, reg, channel):
    done = payment_flow.accept_and_bill(
        db, CLERK, transfer(reg.mortgaged, [ZHANG], [ZHAO]), channel, now=MONDAY
    )
    number = done.summary.case_number
    _pay_all(db, channel, number)
    payment_flow.close_case(
        db, CLERK, channel, number, CaseStatus.WITHDRAWN, "买方放弃购买", now=LATER + timedelta(hours=1)
    )
    assert payment_flow.case_payment(db, number).refundable
    with pytest.raises(PermissionDenied):
        payment_flow.refund_closed_case(db, channel, CLERK, number, "撤回退费")
    report = payment_flow.refund_closed_case(
        db, channel, CASHIER, number, "申请人撤回，退还已缴税费", now=LATER + timedelta(hours=2)
    )
    assert report.total == sum((o.amount for o in done.orders), Money.zero())
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        kinds = s.execute(select(LedgerEntry.kind)).scalars().all()
        assert sorted(kinds) == ["refund"] * len(done.orders) + ["settlement"] * len(done.orders)
        red = s.execute(select(PaymentReceipt).where(PaymentReceipt.kind == "fee_red")).scalars().one()
        assert red.amount == -Money.yuan("80.00") and red.attachment_id is not None
    assert not payment_flow.case_payment(db, number).refundable
