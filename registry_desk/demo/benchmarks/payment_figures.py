"""Issue #5 figures: settling one paid order (signature check, locks, postings, receipt records — no PDF)
against the bare inserts of the same rows; reconciling a 100,000-line statement against loading the same CSV
into the same database. Both run on a scratch database under the run's work dir."""

from __future__ import annotations

import csv
import itertools
import shutil
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from registry_desk.demo.benchmarks.runner import Figure
from registry_desk.domain.codes import CaseStatus
from registry_desk.domain.fees import Business
from registry_desk.domain.money import Money
from registry_desk.domain.taxes import TransferFacts
from registry_desk.payments import orders
from registry_desk.payments.channel import (
    CHINA_TZ,
    KIND_PAYMENT,
    ChannelOrder,
    ChannelStatus,
    StatementRow,
    notification_body,
)
from registry_desk.payments.local_channel import LocalChannel, write_statement_csv
from registry_desk.payments.reconciliation import read_statement_csv, reconcile
from registry_desk.payments.settlement import handle_notification
from registry_desk.kernel.quote import QuoteRequest, compute_quote
from registry_desk.storage import migrate
from registry_desk.storage.database import Database
from registry_desk.storage.ledger.orders import case_ids_of_orders, order_by_id
from registry_desk.storage.ledger.reconciliation import insert_booked_day_plainly, load_statement_table
from registry_desk.storage.ledger.writer import insert_settlement_rows_plainly
from registry_desk.storage.tables import Case, Unit

DAY = date(2026, 3, 12)
NOON = datetime(2026, 3, 12, 4, 0, tzinfo=UTC)  # 12:00 in Zhongwei


class _StubChannel:
    """Registers orders without a bank: the settlement figure starts from orders already issued."""

    name = "local"

    def register_order(self, order: ChannelOrder) -> str:
        return f"BENCH|{order.order_no}"

    def close(self, order_no: str) -> None:  # pragma: no cover - never voided here
        pass


def _scratch(work_dir: Path, name: str) -> Database:
    folder = Path(work_dir) / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db = Database(f"sqlite:///{folder / 'payments.sqlite3'}")
    migrate.upgrade(db.engine)
    return db


def _resale_quote():  # type: ignore[no-untyped-def]
    return compute_quote(
        QuoteRequest(
            Business.TRANSFER,
            application_date=DAY,
            transfer=TransferFacts(
                price=Money.yuan("1050000"),
                contract_date=date(2025, 12, 1),
                area=Decimal(100),
                buyer_homes=1,
                seller_years=1,
            ),
        )
    )


def _buyer_orders(db: Database, n: int, prefix: str) -> list[tuple[int, str, Money]]:
    """`n` cases in 待缴费, each with its two orders issued; returns the buyer orders (id, number, amount)."""
    quote = _resale_quote()
    made = []
    with db.unit_of_work() as uow:
        s = uow.session
        for i in range(n):
            unit = Unit(
                unit_number=f"640502001001GB00001F{prefix}{i:07d}",
                parcel_code="640502001001GB00001",
                county_code="640502",
                location=f"基准路{prefix}{i}号",
                planned_use="住宅",
                is_residential=True,
                building_area=Decimal("100.00"),
                version=1,
            )
            s.add(unit)
            s.flush()
            case = Case(
                case_number=f"2026031{prefix}{i:06d}",
                business_type="transfer",
                registration_type=200,
                right_type=4,
                unit_id=unit.id,
                status=CaseStatus.AWAITING_PAYMENT,
                accepted_at=NOON,
                time_limit_days=3,
                due_date=DAY + timedelta(days=5),
                form={},
                demo=False,
                version=1,
                payment_required=True,
            )
            s.add(case)
            s.flush()
            buyer, _seller = orders.create_orders(
                s,
                case.id,
                quote,
                {"buyer": ("王镕", "11010519491231002X"), "seller": ("李玥", "440524188001010014")},
                NOON,
                channel=_StubChannel(),
            )
            made.append((buyer.id, buyer.order_no, buyer.amount))
        uow.commit()
    return made


def _bare_lines(db: Database, bare: list[tuple[int, str, Money]]) -> dict[int, tuple[int, list[tuple]]]:
    """{order id: (case id, [(line id, account, amount, ref, kind)])} of the baseline's orders."""
    with db.unit_of_work(write=False) as uow:
        found = {}
        for order_id, _, _ in bare:
            order = order_by_id(uow.session, order_id)
            assert order is not None
            lines = [(line.id, line.account, line.amount, line.ref, line.kind) for line in order.lines]
            found[order_id] = (order.case_id, lines)
    return found


def _settle_bare(db: Database, index: int, order: tuple[int, str, Money], case_id: int, lines: list) -> None:
    """The baseline: the rows one settlement writes, inserted plainly (no check, lock or audit event)."""
    order_id, order_no, amount = order
    now = NOON + timedelta(minutes=2)
    clearing = {
        "account": "clearing",
        "debit": amount,
        "credit": Money.zero(),
        "ref": order_no,
        "line_id": None,
    }
    with db.unit_of_work() as uow:
        insert_settlement_rows_plainly(
            uow.session,
            transaction={
                "channel": "local",
                "txn_id": f"BARE{index:08d}",
                "order_no": order_no,
                "order_id": order_id,
                "amount": amount,
                "paid_at": now,
                "received_at": now,
                "source": "notify",
                "outcome": "settled",
            },
            entry={
                "kind": "settlement",
                "order_id": order_id,
                "case_id": case_id,
                "memo": order_no,
                "total": amount,
                "posted_at": now,
            },
            postings=[clearing]
            + [
                {"account": account, "debit": Money.zero(), "credit": value, "ref": ref, "line_id": line_id}
                for line_id, account, value, ref, _kind in lines
            ],
            receipts=[
                {
                    "kind": kind,
                    "case_id": case_id,
                    "order_id": order_id,
                    "number": f"B{kind}{index:08d}",
                    "bill_code": None,
                    "check_code": None,
                    "payer_name": "王镕",
                    "payer_id": "11010519491231002X",
                    "amount": value,
                    "issued_at": now,
                    "lines": [],
                    "status": "valid",
                }
                for _lid, _acc, value, _ref, kind in lines
            ],
            order_id=order_id,
            order_values={
                "status": "settled",
                "settled_at": now,
                "channel_txn_id": f"BARE{index:08d}",
                "paid_amount": amount,
                "paid_at": now,
            },
        )
        uow.commit()


def settlement_figure(work_dir: Path, n: int, warmup: int) -> Figure:
    db = _scratch(work_dir, "settlement")
    channel = LocalChannel(Path(work_dir) / "settlement")
    total = n + warmup
    candidates = _buyer_orders(db, total, "1")
    bare = _buyer_orders(db, total, "2")
    lines = _bare_lines(db, bare)
    notices = []
    for i, (_oid, order_no, amount) in enumerate(candidates):
        status = ChannelStatus(order_no, 2, f"LCBENCH{i:08d}", amount, NOON + timedelta(minutes=1))
        body = notification_body(channel.name, status)
        notices.append((body, channel.sign_notification(body)))
    next_candidate = itertools.count()
    next_bare = itertools.count()

    def candidate(_i: int) -> object:
        body, signature = notices[next(next_candidate)]
        outcome = handle_notification(db, channel, body, signature, NOON + timedelta(minutes=2))
        assert outcome.result == "settled", outcome.message
        return outcome

    def baseline(_i: int) -> None:
        index = next(next_bare)
        case_id, order_lines = lines[bare[index][0]]
        _settle_bare(db, index, bare[index], case_id, order_lines)

    return Figure(
        "settle one paid order (verify, lock, postings, receipt records; no PDF)",
        "#5",
        3.0,
        candidate=candidate,
        baseline=baseline,
        repeat=n,
        warmup=warmup,
        note="a resale's buyer order (登记费 + 契税) from a signed notification on a scratch SQLite register; "
        "baseline inserts the same transaction, entry, postings and receipt rows and updates the order",
    )


def reconciliation_figure(work_dir: Path, lines: int, repeat: int) -> Figure:
    db = _scratch(work_dir, "reconciliation")
    start = datetime(2026, 3, 12, 1, 0, tzinfo=UTC)
    rows = [
        StatementRow(
            KIND_PAYMENT,
            f"SF20260312{i:010d}",
            f"LC20260312{i:016X}",
            Money.of_fen(8000 + i % 997 * 100),
            start + timedelta(seconds=i % 30000),
        )
        for i in range(lines)
    ]
    # The day as the register booked it: each payment's order, the channel's record and the journal entry,
    # since reconciliation matches the statement with both.
    ((_, order_no, _),) = _buyer_orders(db, 1, "R")
    with db.unit_of_work() as uow:
        (case_id,) = case_ids_of_orders(uow.session, [order_no])
        for chunk in range(0, lines, 10_000):
            insert_booked_day_plainly(
                uow.session,
                case_id,
                [
                    {"order_no": r.order_no, "txn_id": r.txn_id, "amount": r.amount, "at": r.at}
                    for r in rows[chunk : chunk + 10_000]
                ],
            )
        uow.commit()
    statement = Path(work_dir) / "reconciliation" / "statement.csv"
    write_statement_csv(rows, statement)
    tables = itertools.count()

    def candidate(_i: int) -> object:
        report = reconcile(db, "local", DAY, read_statement_csv(statement))
        assert report.ok and report.matched == lines, len(report.discrepancies)
        return report

    def baseline(_i: int) -> None:
        # A fresh table per run so every load is an insert into an empty table, as the first load would be.
        with statement.open("r", encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            loaded = [
                {
                    "kind": kind,
                    "order_no": order_no,
                    "txn_id": txn_id,
                    "amount_fen": Money.yuan(amount).fen,
                    "at": datetime.fromisoformat(at).astimezone(CHINA_TZ),
                }
                for kind, order_no, txn_id, amount, at in reader
            ]
        with db.unit_of_work() as uow:
            load_statement_table(uow.session, f"bench_statement_{next(tables)}", loaded)
            uow.commit()

    return Figure(
        f"reconcile a {lines:,}-line statement",
        "#5",
        3.0,
        candidate=candidate,
        baseline=baseline,
        repeat=repeat,
        warmup=1,
        note=f"{lines:,} settled payments of one day booked on a scratch SQLite register; candidate reads the CSV "
        "and matches it (no PDF); baseline reads the same CSV and inserts it into a new table of the same database",
    )


def figures(ctx) -> list[Figure]:  # type: ignore[no-untyped-def]
    n = max(5, min(ctx.repeat, 100))
    lines = 10_000 if ctx.quick else 100_000
    return [
        settlement_figure(Path(ctx.work_dir), n, 3),
        reconciliation_figure(Path(ctx.work_dir), lines, 2 if ctx.quick else 3),
    ]
