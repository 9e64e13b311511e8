"""Reconciliation finds each injected discrepancy — missing, extra, one fen off, duplicate — and nothing else."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from registry_desk.domain.money import Money
from registry_desk.payments import orders, reconciliation, settlement
from registry_desk.payments.channel import StatementRow
from registry_desk.payments.local_channel import LocalChannel, write_statement_csv
from tests.unit.payments.factories import NOW, TAXPAYERS, make_case, resale_quote

DAY = date(2026, 3, 12)


@pytest.fixture
def channel(tmp_path) -> LocalChannel:
    return LocalChannel(tmp_path)


@pytest.fixture
def settled_day(any_db, channel):
    """Three cases (six orders) paid and settled on 12 March."""
    for n in range(1, 4):
        with any_db.unit_of_work() as uow:
            case = make_case(uow.session, n)
            made = [
                orders.order_view(o)
                for o in orders.create_orders(
                    uow.session, case.id, resale_quote(), TAXPAYERS, NOW, channel=channel
                )
            ]
            uow.commit()
        for order in made:
            channel.pay(order.payload, NOW + timedelta(minutes=n))
    settlement.poll_open_orders(any_db, channel, NOW + timedelta(minutes=5))
    return channel.statement(DAY)


def test_a_clean_day_matches_every_line_with_totals_per_account(any_db, settled_day):
    progress: list[tuple[int, int]] = []
    report = reconciliation.reconcile(
        any_db, "local", DAY, settled_day, progress=lambda d, t: progress.append((d, t))
    )
    assert report.ok and report.matched == 6 and report.statement_rows == 6
    assert report.statement_payments == report.booked_payments == Money.yuan("219240.00")
    assert report.totals_by_account == {"treasury": Money.yuan("219000.00"), "fiscal": Money.yuan("240.00")}
    assert progress[0] == (0, 6) and progress[-1] == (6, 6)


def test_each_injected_discrepancy_is_found_once_and_nothing_else(any_db, settled_day, tmp_path):
    rows = list(settled_day)
    missing = rows.pop(0)
    extra = StatementRow("payment", "SF209901010000019999", "LC-EXTRA-1", Money.yuan("80.00"), rows[0].at)
    off = rows[1] = dataclasses.replace(rows[1], amount=rows[1].amount + Money.of_fen(1))
    duplicate = rows[2]
    statement = [*rows, extra, duplicate]
    path = tmp_path / "statement.csv"
    write_statement_csv(statement, path)

    report, pdf, csv_path = reconciliation.run_reconciliation(any_db, "local", DAY, path, tmp_path / "out")
    found = sorted((d.kind, d.txn_id) for d in report.discrepancies)
    assert found == sorted(
        [
            ("settled_not_in_statement", missing.txn_id),
            ("paid_not_settled", extra.txn_id),
            ("amount_differs", off.txn_id),
            ("duplicate", duplicate.txn_id),
        ]
    )
    assert report.matched == 4  # the other five booked lines less the one that is off
    differs = next(d for d in report.discrepancies if d.kind == "amount_differs")
    assert differs.statement_amount - differs.booked_amount == Money.of_fen(1)
    text = csv_path.read_text("utf-8-sig")
    assert (
        "已入账但对账单无此笔" in text and "LC-EXTRA-1" in text and "金额不符" in text and "重复交易" in text
    )
    assert pdf.read_bytes().startswith(b"%PDF")


def test_a_second_payment_of_one_order_is_reported_as_a_duplicate(any_db, settled_day):
    first = settled_day[0]
    second = dataclasses.replace(first, txn_id="LC-SECOND-PAYMENT")
    settlement.record_payment(
        any_db, settlement.PaymentEvent("local", second.txn_id, second.order_no, second.amount, second.at)
    )
    report = reconciliation.reconcile(any_db, "local", DAY, [*settled_day, second])
    assert [(d.kind, d.txn_id) for d in report.discrepancies] == [("duplicate", "LC-SECOND-PAYMENT")]


@pytest.mark.slow
def test_a_hundred_thousand_line_statement_is_matched_in_one_pass(sqlite_db):
    n = 100_000
    at = NOW + timedelta(hours=1)
    stamp = at.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite storage format, written raw for speed
    with sqlite_db.unit_of_work() as uow:
        case_id = make_case(uow.session, 1).id
        uow.commit()
    with sqlite_db.engine.begin() as conn:
        # The orders, their payments and their journal entries: reconciliation reads both ledgers' sides.
        conn.exec_driver_sql(
            "INSERT INTO payment_orders (order_no, case_id, side, order_type, status, amount, channel,"
            " created_at, expires_at, created_by, channel_txn_id, paid_amount)"
            " VALUES (?, ?, 'buyer', 0, 'settled', ?, 'local', ?, ?, 'test', ?, ?)",
            [(f"O{i:07d}", case_id, 8000 + i % 7, stamp, stamp, f"T{i:07d}", 8000 + i % 7) for i in range(n)],
        )
        conn.exec_driver_sql(
            "INSERT INTO channel_transactions (channel, txn_id, order_no, order_id, amount, paid_at, received_at,"
            " source, outcome) SELECT 'local', channel_txn_id, order_no, id, amount, ?, ?, 'poll', 'settled'"
            " FROM payment_orders",
            (stamp, stamp),
        )
        conn.exec_driver_sql(
            "INSERT INTO ledger_entries (kind, order_id, case_id, memo, total, posted_at)"
            " SELECT 'settlement', id, case_id, order_no, amount, ? FROM payment_orders",
            (stamp,),
        )
    rows = [
        StatementRow("payment", f"O{i:07d}", f"T{i:07d}", Money.of_fen(8000 + i % 7), at) for i in range(n)
    ]
    rows[500] = dataclasses.replace(rows[500], amount=rows[500].amount - Money.of_fen(1))
    del rows[99_999]
    calls = []
    report = reconciliation.reconcile(sqlite_db, "local", DAY, rows, progress=lambda d, t: calls.append(d))
    assert report.matched == n - 2
    assert sorted((d.kind, d.txn_id) for d in report.discrepancies) == [
        ("amount_differs", "T0000500"),
        ("settled_not_in_statement", "T0099999"),
    ]
    assert len(calls) <= 102  # progress reported in steps, not per line
