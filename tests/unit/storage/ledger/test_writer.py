"""storage/ledger/writer.py is the one writer of the ledger: a settlement's entry and a refund's reversing
entry both go through `write_entry`, and what it writes balances to the fen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.domain.money import Money
from registry_desk.kernel.context import Actor
from registry_desk.payments import orders, refunds, settlement
from registry_desk.payments.local_channel import LocalChannel
from registry_desk.storage.ledger import writer
from registry_desk.storage.ledger.tables import LedgerEntry, LedgerPosting
from registry_desk.storage.tables import Case
from tests.unit.payments.factories import NOW, TAXPAYERS, make_case, resale_quote
from tests.unit.payments.ledger_checks import assert_books_balance

CASHIER = Actor(7, "cashier1", "收费员甲", Role.CASHIER, "3号窗口")


class _Counting:
    """Stands in for one of the writer's compiled statements and counts the rows it is given."""

    def __init__(self, statement) -> None:
        self.statement = statement
        self.calls: list[dict] = []

    def rows(self, source, /, **params):
        self.calls.append(params)
        return self.statement.rows(source, **params)

    def execute_many(self, source, params):
        self.calls.extend(params)
        return self.statement.execute_many(source, params)


@pytest.fixture
def counted(monkeypatch):
    entries = _Counting(writer._INSERT_ENTRY)
    postings = _Counting(writer._INSERT_POSTING)
    monkeypatch.setattr(writer, "_INSERT_ENTRY", entries)
    monkeypatch.setattr(writer, "_INSERT_POSTING", postings)
    return entries, postings


def test_settlement_and_refund_entries_are_written_by_the_one_writer_and_balance(any_db, tmp_path, counted):
    entries, postings = counted
    channel = LocalChannel(tmp_path)
    with any_db.unit_of_work() as uow:
        case = make_case(uow.session, 1)
        made = [
            orders.order_view(o)
            for o in orders.create_orders(
                uow.session, case.id, resale_quote(), TAXPAYERS, NOW, channel=channel
            )
        ]
        uow.commit()
        case_id, number = case.id, case.case_number
    for order in made:
        channel.pay(order.payload, NOW + timedelta(minutes=2))
    settlement.poll_open_orders(any_db, channel, NOW + timedelta(minutes=3))
    assert [call["kind"] for call in entries.calls] == ["settlement", "settlement"]

    with any_db.unit_of_work() as uow:
        uow.session.get(Case, case_id).status = CaseStatus.WITHDRAWN
        uow.commit()
    refunds.refund_case(any_db, channel, CASHIER, number, "申请人撤回申请", NOW + timedelta(hours=2))
    assert [call["kind"] for call in entries.calls] == ["settlement", "settlement", "refund", "refund"]

    with any_db.unit_of_work(write=False) as uow:
        s = uow.session
        # Every entry and posting in the books came through the writer.
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == len(entries.calls)
        assert s.scalar(select(func.count()).select_from(LedgerPosting)) == len(postings.calls)
        assert set(assert_books_balance(s).values()) == {Money.zero()}
        for entry in s.execute(select(LedgerEntry)).scalars():
            assert sum((p.debit for p in entry.postings), Money.zero()) == entry.total
            assert sum((p.credit for p in entry.postings), Money.zero()) == entry.total
        refunds_ = s.execute(select(LedgerEntry).where(LedgerEntry.kind == "refund")).scalars().all()
        for refund in refunds_:
            original = s.get(LedgerEntry, refund.reverses_id)
            assert original.kind == "settlement" and original.order_id == refund.order_id
            assert [(p.account, p.debit, p.credit, p.line_id) for p in refund.postings] == [
                (p.account, p.credit, p.debit, p.line_id) for p in original.postings
            ]


def test_the_entry_of_an_order_is_found_by_kind(any_db, tmp_path):
    channel = LocalChannel(tmp_path)
    with any_db.unit_of_work() as uow:
        case = make_case(uow.session, 1)
        (buyer, _seller) = orders.create_orders(
            uow.session, case.id, resale_quote(), TAXPAYERS, NOW, channel=channel
        )
        uow.commit()
        order_id, payload = buyer.id, buyer.payload
    channel.pay(payload, NOW + timedelta(minutes=2))
    settlement.poll_open_orders(any_db, channel, NOW + timedelta(minutes=3))
    with any_db.unit_of_work(write=False) as uow:
        entry = writer.entry_of_order(uow.session, writer.SETTLEMENT, order_id)
        assert entry.order_id == order_id and entry.postings[0].account == "clearing"
