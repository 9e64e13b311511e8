"""storage/ledger/channel.py: a channel's report is recorded once, however often it arrives."""

from __future__ import annotations

from datetime import timedelta

from registry_desk.domain.money import Money
from registry_desk.storage.driver_sql import driver
from registry_desk.storage.ledger import channel
from tests.unit.payments.factories import NOW


def _report(txn_id: str) -> dict:
    return {
        "channel": "local",
        "txn_id": txn_id,
        "order_no": "SF-UNKNOWN",
        "amount": Money.yuan("80.00"),
        "paid_at": NOW,
        "received_at": NOW + timedelta(seconds=1),
        "source": "notify",
        "outcome": "unknown",
    }


def test_a_report_is_inserted_once_and_known_afterwards(any_db):
    assert not channel.transaction_recorded(any_db, "local", "LC1")
    with any_db.unit_of_work() as uow:
        sql = driver(uow.session)
        first = channel.insert_transaction(sql, _report("LC1"))
        assert isinstance(first, int)
        assert channel.insert_transaction(sql, {**_report("LC1"), "note": "again"}) is None
        uow.commit()
    assert channel.transaction_recorded(any_db, "local", "LC1")
    assert not channel.transaction_recorded(any_db, "other", "LC1")
    with any_db.unit_of_work(write=False) as uow:
        (txn,) = channel.transactions_with_outcome(uow.session, ["unknown", "review"])
        assert txn.id == first and txn.note is None and txn.order_id is None
        assert channel.transactions_with_outcome(uow.session, ["settled"]) == []


def test_bulk_rows_are_inserted_as_they_are(any_db):
    with any_db.unit_of_work() as uow:
        channel.insert_transactions(uow.session, [_report(f"LC{i}") for i in range(3)])
        uow.commit()
    with any_db.unit_of_work(write=False) as uow:
        assert len(channel.transactions_with_outcome(uow.session, ["unknown"])) == 3
