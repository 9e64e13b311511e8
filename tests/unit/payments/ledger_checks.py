"""Auditor's checks over the stored ledger, shared by the settlement, refund and concurrency tests."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from registry_desk.domain.money import Money
from registry_desk.storage.ledger.tables import (
    ChannelTransaction,
    LedgerEntry,
    LedgerPosting,
    PaymentOrder,
    PaymentOrderLine,
)


def assert_books_balance(session) -> dict[str, Money]:
    """Every entry balances, the whole ledger balances, and 国库 / 财政专户 equal their settled lines.
    Returns the net balance per account (debit positive)."""
    per_entry: dict[int, int] = defaultdict(int)
    per_account: dict[str, int] = defaultdict(int)
    debits = credits = 0
    for entry_id, account, debit, credit in session.execute(
        select(LedgerPosting.entry_id, LedgerPosting.account, LedgerPosting.debit, LedgerPosting.credit)
    ):
        per_entry[entry_id] += debit.fen - credit.fen
        per_account[account] += debit.fen - credit.fen
        debits += debit.fen
        credits += credit.fen
    assert debits == credits, f"ledger debits {debits} != credits {credits}"
    unbalanced = {k: v for k, v in per_entry.items() if v}
    assert not unbalanced, f"unbalanced entries: {unbalanced}"

    # Lines still credited (settled and not refunded) are exactly what the 国库 and 财政专户 hold.
    line_totals: dict[str, int] = defaultdict(int)
    for account, amount in session.execute(
        select(PaymentOrderLine.account, PaymentOrderLine.amount).where(
            PaymentOrderLine.credit_status == "credited"
        )
    ):
        line_totals[account] += amount.fen
    assert -per_account.get("treasury", 0) == line_totals.get("treasury", 0)
    assert -per_account.get("fiscal", 0) == line_totals.get("fiscal", 0)
    # ...and the clearing account holds what the settled orders were paid.
    paid = session.execute(
        select(func.coalesce(func.sum(PaymentOrder.amount), 0)).where(PaymentOrder.status == "settled")
    ).scalar_one()
    assert per_account.get("clearing", 0) == (paid.fen if isinstance(paid, Money) else int(paid))
    return {k: Money.of_fen(v) for k, v in per_account.items()}


def assert_settled_exactly_once(session) -> None:
    """No order has two settlement entries or two booked transactions; every settled order has one of each."""
    entries = session.execute(
        select(LedgerEntry.order_id, func.count())
        .where(LedgerEntry.kind == "settlement")
        .group_by(LedgerEntry.order_id)
    ).all()
    assert all(n == 1 for _, n in entries)
    booked = session.execute(
        select(ChannelTransaction.order_id, func.count())
        .where(ChannelTransaction.outcome == "settled")
        .group_by(ChannelTransaction.order_id)
    ).all()
    assert all(n == 1 for _, n in booked)
    settled = set(
        session.execute(
            select(PaymentOrder.id).where(PaymentOrder.status.in_(["settled", "refunded"]))
        ).scalars()
    )
    assert settled == {order_id for order_id, _ in entries} == {order_id for order_id, _ in booked}
