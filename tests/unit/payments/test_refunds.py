"""Refunding a withdrawn case: through the channel, reversing entries (nothing edited), a red-letter bill,
and every account back to zero."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.domain.errors import PermissionDenied, RuleViolation
from registry_desk.domain.money import Money
from registry_desk.payments import orders, refunds, settlement
from registry_desk.payments.channel import STATUS_REFUNDED
from registry_desk.payments.local_channel import LocalChannel
from registry_desk.storage.ledger.tables import LedgerEntry, PaymentOrderLine, PaymentReceipt, PaymentRefund
from registry_desk.kernel.context import Actor
from registry_desk.storage.tables import AuditEvent, Case
from tests.unit.payments.factories import NOW, TAXPAYERS, make_case, resale_quote
from tests.unit.payments.ledger_checks import assert_books_balance

CASHIER = Actor(7, "cashier1", "收费员甲", Role.CASHIER, "3号窗口")
CLERK = Actor(8, "clerk1", "受理员乙", Role.CLERK)
LATER = NOW + timedelta(hours=2)


@pytest.fixture
def channel(tmp_path) -> LocalChannel:
    return LocalChannel(tmp_path)


@pytest.fixture
def paid_case(any_db, channel):
    with any_db.unit_of_work() as uow:
        case = make_case(uow.session, 1)
        made = [
            orders.order_view(o)
            for o in orders.create_orders(
                uow.session, case.id, resale_quote(), TAXPAYERS, NOW, channel=channel
            )
        ]
        uow.commit()
    for order in made:
        channel.pay(order.payload, NOW + timedelta(minutes=2))
    settlement.poll_open_orders(any_db, channel, NOW + timedelta(minutes=3))
    return case.id, case.case_number, made


def _withdraw(db, case_id):
    with db.unit_of_work() as uow:
        uow.session.get(Case, case_id).status = CaseStatus.WITHDRAWN
        uow.commit()


def test_a_case_in_review_is_not_refunded_and_only_a_cashier_may_refund(any_db, channel, paid_case):
    case_id, number, _ = paid_case
    with pytest.raises(RuleViolation, match="审核中"):
        refunds.refund_case(any_db, channel, CASHIER, number, "申请人撤回", LATER)
    _withdraw(any_db, case_id)
    with pytest.raises(PermissionDenied):
        refunds.refund_case(any_db, channel, CLERK, number, "申请人撤回", LATER)


def test_refund_reverses_every_entry_issues_a_red_letter_bill_and_nets_to_zero(any_db, channel, paid_case):
    case_id, number, made = paid_case
    _withdraw(any_db, case_id)
    report = refunds.refund_case(any_db, channel, CASHIER, number, "申请人撤回申请", LATER)
    assert report.total == Money.yuan("73080.00") and len(report.refunded) == 2
    assert all(channel.query(o.order_no).status == STATUS_REFUNDED for o in made)

    with any_db.unit_of_work(write=False) as uow:
        s = uow.session
        balances = assert_books_balance(s)
        assert set(balances.values()) == {Money.zero()}
        entries = s.execute(select(LedgerEntry).order_by(LedgerEntry.id)).scalars().all()
        # Two settlement entries kept as they were, two new refund entries pointing at them.
        assert [e.kind for e in entries] == ["settlement", "settlement", "refund", "refund"]
        assert {e.reverses_id for e in entries if e.kind == "refund"} == {
            e.id for e in entries if e.kind == "settlement"
        }
        assert {line.credit_status for line in s.execute(select(PaymentOrderLine)).scalars()} == {"reversed"}

        bills = (
            s.execute(select(PaymentReceipt).where(PaymentReceipt.kind.in_(["fee", "fee_red"])))
            .scalars()
            .all()
        )
        original = next(b for b in bills if b.kind == "fee")
        red = next(b for b in bills if b.kind == "fee_red")
        assert original.status == "reversed" and red.red_of_id == original.id
        assert red.amount == -Money.yuan("80.00") and red.number != original.number
        assert red.lines[0]["amount"] == "-80.00"
        assert {
            r.status for r in s.execute(select(PaymentReceipt).where(PaymentReceipt.kind == "tax")).scalars()
        } == {"reversed"}

        assert {r.reason for r in s.execute(select(PaymentRefund)).scalars()} == {"申请人撤回申请"}
        assert not orders.case_is_paid(s, case_id)
        events = s.execute(select(AuditEvent).where(AuditEvent.action == "payment.refunded")).scalars().all()
        assert {e.actor for e in events} == {"cashier1"} and len(events) == 2


def test_running_the_refund_again_pays_nothing_twice(any_db, channel, paid_case):
    case_id, number, _ = paid_case
    _withdraw(any_db, case_id)
    refunds.refund_case(any_db, channel, CASHIER, number, "撤回", LATER)
    again = refunds.refund_case(any_db, channel, CASHIER, number, "撤回", LATER)
    assert again.refunded == () and len(again.already) == 2
    with any_db.unit_of_work(write=False) as uow:
        assert len(uow.session.execute(select(PaymentRefund)).all()) == 2
        assert len(uow.session.execute(select(LedgerEntry).where(LedgerEntry.kind == "refund")).all()) == 2
