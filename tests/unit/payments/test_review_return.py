"""An order held for review (the channel took another amount) is resolved by returning the payment in full
and voiding the order: the case can then be billed again, the books stay untouched, the refund reconciles,
and a repeat changes nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from registry_desk.domain.charges import Payer, Quote
from registry_desk.domain.codes import Role
from registry_desk.domain.errors import PermissionDenied, RuleViolation, ValidationError
from registry_desk.domain.money import Money
from registry_desk.domain.payment_orders import OPEN, VOIDED
from registry_desk.payments import orders, review, settlement
from registry_desk.payments.channel import local_day
from registry_desk.payments.local_channel import LocalChannel
from registry_desk.payments.reconciliation import reconcile
from registry_desk.storage.ledger.tables import ChannelTransaction, PaymentOrder, PaymentRefund
from registry_desk.operations import invariants
from registry_desk.kernel.context import Actor
from registry_desk.storage.tables import AuditEvent
from tests.unit.payments.factories import NOW, TAXPAYERS, make_case, resale_quote
from tests.unit.payments.ledger_checks import assert_books_balance

CASHIER = Actor(7, "cashier1", "收费员甲", Role.CASHIER, "3号窗口")
CLERK = Actor(8, "clerk1", "受理员乙", Role.CLERK)
PAY_AT = NOW + timedelta(minutes=3)
LATER = NOW + timedelta(minutes=20)


@pytest.fixture
def channel(tmp_path) -> LocalChannel:
    return LocalChannel(tmp_path)


@pytest.fixture
def short_paid(any_db, channel):
    """The buyer's order paid one fen short: held for review."""
    with any_db.unit_of_work() as uow:
        case = make_case(uow.session, 1)
        buyer, _seller = orders.create_orders(
            uow.session, case.id, resale_quote(), TAXPAYERS, NOW, channel=channel
        )
        uow.commit()
        case_id, order_no, payload = case.id, buyer.order_no, buyer.payload
    channel.pay(payload, PAY_AT, simulate_amount=Money.yuan("10079.99"))
    (outcome,) = settlement.poll_open_orders(any_db, channel, PAY_AT + timedelta(minutes=1)).outcomes
    assert outcome.result == "review"
    return case_id, order_no


def test_returning_a_short_payment_voids_the_order_and_lets_the_side_be_billed_again(
    any_db, channel, short_paid
):
    case_id, order_no = short_paid
    report = review.return_review_payment(any_db, channel, CASHIER, order_no, "银行少收一分", now=LATER)
    assert (report.order_no, report.amount, report.already) == (order_no, Money.yuan("10079.99"), False)

    with any_db.unit_of_work(write=False) as uow:
        s = uow.session
        order = s.scalars(select(PaymentOrder).where(PaymentOrder.order_no == order_no)).one()
        assert order.status == VOIDED and order.live_key is None
        assert "全额退回" in order.void_reason and "银行少收一分" in order.review_reason
        refund = s.scalars(select(PaymentRefund).where(PaymentRefund.order_id == order.id)).one()
        assert (refund.refund_no, refund.amount, refund.requested_by) == (
            f"RV{order_no}",
            Money.yuan("10079.99"),
            "cashier1",
        )
        txn = s.scalars(select(ChannelTransaction).where(ChannelTransaction.order_id == order.id)).one()
        assert txn.outcome == review.RETURNED
        assert settlement.review_items(s) == []  # nothing is left for a person to look at
        assert assert_books_balance(s) == {}  # nothing was ever booked, nothing is reversed
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "payment.returned")).one()
        assert event.after["refund_no"] == f"RV{order_no}" and event.actor == "cashier1"
    # `registry-desk check`: a voided order with one returned payment and its refund record is consistent.
    checked = invariants.check_database(any_db)
    assert checked.ok, checked.problems

    # The buyer's side gets a new order of the right amount (the held one no longer blocks it).
    buyer_lines = Quote(tuple(q for q in resale_quote().lines if q.payer is Payer.BUYER))
    with any_db.unit_of_work() as uow:
        (again_order,) = orders.create_orders(
            uow.session, case_id, buyer_lines, TAXPAYERS, LATER, channel=channel
        )
        uow.commit()
        assert again_order.amount == Money.yuan("10080.00") and again_order.status == OPEN

    # The channel's statement: the short payment and its return; the return matches our refund record.
    day = local_day(LATER)
    report = reconcile(any_db, channel.name, day, channel.statement(day))
    refund_problems = [d for d in report.discrepancies if d.row_kind == "refund"]
    assert refund_problems == []
    # The short payment itself was never booked: the report says it was returned, not just "not booked".
    (short,) = [d for d in report.discrepancies if d.row_kind == "payment" and d.order_no == order_no]
    assert short.note.startswith("金额不符未入账，已全额退回") and f"RV{order_no}" in short.note
    assert report.booked_refunds == report.statement_refunds == Money.yuan("10079.99")

    # Again: nothing more happens, and the channel is not asked to pay twice.
    refunds_before = [r for r in channel.statement(day) if r.kind == "refund"]
    again = review.return_review_payment(any_db, channel, CASHIER, order_no, "银行少收一分", now=LATER)
    assert again.already
    assert [r for r in channel.statement(day) if r.kind == "refund"] == refunds_before
    with any_db.unit_of_work(write=False) as uow:
        assert len(uow.session.scalars(select(PaymentRefund)).all()) == 1


def test_only_a_cashier_returns_only_an_order_under_review_and_only_with_a_reason(
    any_db, channel, short_paid
):
    _case_id, order_no = short_paid
    with pytest.raises(PermissionDenied):
        review.return_review_payment(any_db, channel, CLERK, order_no, "原因", now=LATER)
    with pytest.raises(ValidationError, match="须写明原因"):
        review.return_review_payment(any_db, channel, CASHIER, order_no, "  ", now=LATER)
    with any_db.unit_of_work(write=False) as uow:
        (_held, seller) = orders.case_orders(uow.session, _case_id)
    with pytest.raises(RuleViolation, match="只有待人工核查的缴款单才能退回支付"):
        review.return_review_payment(any_db, channel, CASHIER, seller.order_no, "原因", now=LATER)


def test_the_check_names_a_returned_payment_whose_order_was_not_voided(any_db, channel, short_paid):
    from sqlalchemy import update

    _case_id, order_no = short_paid
    review.return_review_payment(any_db, channel, CASHIER, order_no, "银行少收一分", now=LATER)
    with any_db.unit_of_work() as uow:  # someone "reopens" the order by hand
        uow.session.execute(
            update(PaymentOrder).where(PaymentOrder.order_no == order_no).values(status="review")
        )
        uow.commit()
    report = invariants.check_database(any_db, audit_chain=False)
    messages = [p.message for p in report.problems if p.record == f"缴款单 {order_no}"]
    assert any("已全额退回的支付，缴款单却未作废" in m for m in messages), messages
