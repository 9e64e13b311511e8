"""Settlement: the first report of a payment books it once, balanced, and moves the case on; a one-fen
difference books nothing; forged notifications are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from registry_desk.domain.codes import CaseStatus
from registry_desk.domain.money import Money
from registry_desk.payments import orders, settlement
from registry_desk.payments.channel import PaymentEvent
from registry_desk.payments.local_channel import LocalChannel
from registry_desk.storage.ledger.tables import ChannelTransaction, PaymentOrderLine, PaymentReceipt
from registry_desk.storage.tables import AuditEvent, Case
from tests.unit.payments.factories import NOW, TAXPAYERS, make_case, resale_quote
from tests.unit.payments.ledger_checks import assert_books_balance, assert_settled_exactly_once

PAY_AT = NOW + timedelta(minutes=3)
POLL_AT = NOW + timedelta(minutes=4)


@pytest.fixture
def channel(tmp_path) -> LocalChannel:
    return LocalChannel(tmp_path)


@pytest.fixture
def issued(any_db, channel):
    with any_db.unit_of_work() as uow:
        case = make_case(uow.session, 1)
        made = orders.create_orders(uow.session, case.id, resale_quote(), TAXPAYERS, NOW, channel=channel)
        uow.commit()
        return case.id, [orders.order_view(o) for o in made]


def test_paying_both_orders_settles_them_and_moves_the_case_to_review(any_db, channel, issued):
    case_id, (buyer, seller) = issued
    channel.pay(buyer.payload, PAY_AT)
    first = settlement.poll_open_orders(any_db, channel, POLL_AT)
    assert [o.result for o in first.outcomes] == ["settled"] and not first.outcomes[0].case_moved
    with any_db.unit_of_work(write=False) as uow:
        assert uow.session.get(Case, case_id).status is CaseStatus.AWAITING_PAYMENT
        assert not orders.case_is_paid(uow.session, case_id)

    channel.pay(seller.payload, PAY_AT)
    second = settlement.poll_open_orders(any_db, channel, POLL_AT)
    assert [(o.order_no, o.result, o.case_moved) for o in second.outcomes] == [
        (seller.order_no, "settled", True)
    ]

    with any_db.unit_of_work(write=False) as uow:
        s = uow.session
        assert s.get(Case, case_id).status is CaseStatus.IN_REVIEW
        assert orders.case_is_paid(s, case_id)
        balances = assert_books_balance(s)
        assert balances == {
            "clearing": Money.yuan("73080.00"),
            "treasury": -Money.yuan("73000.00"),
            "fiscal": -Money.yuan("80.00"),
        }
        assert_settled_exactly_once(s)
        lines = s.execute(select(PaymentOrderLine)).scalars().all()
        assert {line.credit_status for line in lines} == {"credited"} and all(
            line.credited_at for line in lines
        )
        event = s.execute(select(AuditEvent).where(AuditEvent.action == "case.paid")).scalar_one()
        assert event.record == "20260312000001"
        assert event.after["total"] == "73080.00" and "已全部缴清入库" in event.after["note"]
        receipts = s.execute(select(PaymentReceipt).order_by(PaymentReceipt.id)).scalars().all()
        assert sorted((r.kind, str(r.amount)) for r in receipts) == [
            ("fee", "80.00"),
            ("tax", "10000.00"),
            ("tax", "63000.00"),
        ]


def test_repeated_reports_of_one_payment_change_nothing(any_db, channel, issued):
    _, (buyer, _) = issued
    channel.pay(buyer.payload, PAY_AT)
    body, signature = channel.notification(buyer.order_no)
    results = [
        settlement.handle_notification(any_db, channel, body, signature, POLL_AT).result for _ in range(3)
    ]
    results += [o.result for o in settlement.poll_open_orders(any_db, channel, POLL_AT).outcomes]
    assert results == ["settled", "duplicate", "duplicate"]  # the settled order is no longer polled
    with any_db.unit_of_work(write=False) as uow:
        assert_settled_exactly_once(uow.session)
        assert_books_balance(uow.session)
        assert len(uow.session.execute(select(ChannelTransaction)).all()) == 1


def test_one_fen_short_is_not_settled_and_goes_to_review_with_the_reason(any_db, channel, issued):
    case_id, (buyer, _) = issued
    channel.pay(buyer.payload, PAY_AT, simulate_amount=Money.yuan("10079.99"))
    (outcome,) = settlement.poll_open_orders(any_db, channel, POLL_AT).outcomes
    assert outcome.result == "review"
    with any_db.unit_of_work(write=False) as uow:
        (view, _) = orders.case_orders(uow.session, case_id)
        assert view.status_label == "待人工核查"
        assert (
            "10079.99" in view.review_reason
            and "10080.00" in view.review_reason
            and "0.01" in view.review_reason
        )
        assert all(line.credit_status == "pending" for line in view.lines)
        assert not orders.case_is_paid(uow.session, case_id)
        assert assert_books_balance(uow.session) == {}
        assert uow.session.execute(select(PaymentReceipt)).first() is None
        assert [i["order_no"] for i in settlement.review_items(uow.session)] == [
            buyer.order_no,
            buyer.order_no,
        ]


def test_one_fen_over_is_not_settled_either(any_db, channel, issued):
    _, (buyer, _) = issued
    event = PaymentEvent("local", "TXN-OVER", buyer.order_no, Money.yuan("10080.01"), PAY_AT)
    assert settlement.record_payment(any_db, event, POLL_AT).result == "review"


def test_a_forged_or_altered_notification_is_refused_and_books_nothing(any_db, channel, issued):
    _, (buyer, _) = issued
    channel.pay(buyer.payload, PAY_AT)
    body, signature = channel.notification(buyer.order_no)
    with pytest.raises(settlement.ForgedNotification, match="签名无效"):
        settlement.handle_notification(any_db, channel, body.replace(b"10080.00", b"1.00"), signature)
    with pytest.raises(settlement.ForgedNotification):
        settlement.handle_notification(any_db, channel, body, "ab" * 32)
    with any_db.unit_of_work(write=False) as uow:
        assert uow.session.execute(select(ChannelTransaction)).first() is None


def test_a_second_payment_of_a_settled_order_is_recorded_as_a_double_payment(any_db, channel, issued):
    _, (buyer, _) = issued
    settlement.record_payment(
        any_db, PaymentEvent("local", "T1", buyer.order_no, buyer.amount, PAY_AT), POLL_AT
    )
    outcome = settlement.record_payment(
        any_db, PaymentEvent("local", "T2", buyer.order_no, buyer.amount, PAY_AT)
    )
    assert outcome.result == "double_payment" and "须退款" in outcome.message
    unknown = settlement.record_payment(
        any_db, PaymentEvent("local", "T3", "SF-NOT-OURS", buyer.amount, PAY_AT)
    )
    assert unknown.result == "unknown"
    with any_db.unit_of_work(write=False) as uow:
        assert_settled_exactly_once(uow.session)
        assert_books_balance(uow.session)
