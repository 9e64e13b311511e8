"""Daily reconciliation (对账): the channel's statement against what the register booked for the day.

Reports paid-but-not-settled, settled-but-not-in-the-statement, amount differences and duplicates, for
payments and refunds alike; each payment is also matched with its journal entry (an entry whose total
differs from the statement, a booked payment whose entry is gone, an entry no statement line paid), with
totals per account taken from the settlement lines. The day's bookings are read in a few queries and the
statement is held in dicts, so 100,000 lines take a second or two, not 100,000 queries.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from registry_desk.domain.errors import ValidationError
from registry_desk.domain.money import Money
from registry_desk.payments.channel import (
    CHINA_TZ,
    KIND_LABELS,
    KIND_PAYMENT,
    KIND_REFUND,
    StatementRow,
    day_bounds,
)
from registry_desk.payments.local_channel import STATEMENT_HEADER
from registry_desk.payments.settlement import SETTLED_NOW
from registry_desk.storage.database import Database
from registry_desk.storage.ledger import reconciliation as stored

PAID_NOT_SETTLED = "paid_not_settled"
SETTLED_NOT_IN_STATEMENT = "settled_not_in_statement"
AMOUNT_DIFFERS = "amount_differs"
DUPLICATE = "duplicate"
# The statement against the journal itself (not only against the channel's records the register kept):
LEDGER_DIFFERS = "ledger_differs"
LEDGER_MISSING = "ledger_missing"
BOOKED_NOT_IN_STATEMENT = "booked_not_in_statement"

DISCREPANCY_LABELS = {
    PAID_NOT_SETTLED: "渠道已收款但未入账",
    SETTLED_NOT_IN_STATEMENT: "已入账但对账单无此笔",
    AMOUNT_DIFFERS: "金额不符",
    DUPLICATE: "重复交易",
    LEDGER_DIFFERS: "入账分录金额与对账单不符",
    LEDGER_MISSING: "有支付记录但账簿无入账分录",
    BOOKED_NOT_IN_STATEMENT: "账簿有入账分录但对账单无此笔",
}

Progress = Callable[[int, int], None]
_ZERO = Money.zero()


@dataclass(frozen=True)
class Discrepancy:
    kind: str
    row_kind: str  # payment / refund
    order_no: str
    txn_id: str
    statement_amount: Money | None
    booked_amount: Money | None
    note: str = ""

    @property
    def label(self) -> str:
        return f"{KIND_LABELS[self.row_kind]}{DISCREPANCY_LABELS[self.kind]}"


@dataclass
class ReconciliationReport:
    day: date
    channel: str
    statement_rows: int = 0
    statement_payments: Money = _ZERO
    statement_refunds: Money = _ZERO
    booked_payments: Money = _ZERO
    booked_refunds: Money = _ZERO
    matched: int = 0
    totals_by_account: dict[str, Money] = field(default_factory=dict)  # settled lines of the day
    discrepancies: list[Discrepancy] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.discrepancies

    def count(self, kind: str) -> int:
        return sum(1 for d in self.discrepancies if d.kind == kind)


def read_statement_csv(path: Path) -> list[StatementRow]:
    """Reads a statement written by `write_statement_csv` (the local channel's format)."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"找不到对账单文件：{path}", rule="对账须提供渠道对账单", record=str(path))
    kinds = {label: kind for kind, label in KIND_LABELS.items()}
    rows: list[StatementRow] = []
    try:
        with path.open("r", encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None or tuple(h.strip() for h in header) != STATEMENT_HEADER:
                raise ValidationError(
                    f"对账单表头不符，应为：{'，'.join(STATEMENT_HEADER)}",
                    rule="对账单格式",
                    record=str(path),
                )
            for number, record in enumerate(reader, start=2):
                if not record or not any(cell.strip() for cell in record):
                    continue
                try:
                    kind_label, order_no, txn_id, amount, at = (cell.strip() for cell in record)
                    moment = datetime.fromisoformat(at)
                    if moment.tzinfo is None:
                        moment = moment.replace(tzinfo=CHINA_TZ)
                    rows.append(StatementRow(kinds[kind_label], order_no, txn_id, Money.yuan(amount), moment))
                except (ValueError, KeyError) as exc:
                    raise ValidationError(
                        f"对账单第 {number} 行无法识别：{','.join(record)}",
                        rule="对账单格式",
                        record=f"{path}:{number}",
                    ) from exc
        return rows
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"对账单不是 UTF-8 编码的 CSV 文件（第 {exc.start} 字节无法识别）：{path}",
            rule="对账单格式",
            record=str(path),
        ) from exc


def _booked(
    db: Database, channel: str, day: date
) -> tuple[
    dict[str, tuple[str, int]],
    dict[str, tuple[str, int]],
    dict[str, Money],
    dict[str, tuple[str | None, int]],
]:
    """The day's booked payments and refunds as {transaction id: (order no, fen)}, account totals, and the
    day's settlement entries as {order no: (transaction id, fen)}, read in one snapshot.

    Amounts stay plain integers here: building 100,000 Money objects would cost more than the matching.
    """
    start, end = day_bounds(day)
    with db.unit_of_work(write=False) as uow:
        payments, refunds, totals = stored.booked_of_day(uow.session, channel, start, end, SETTLED_NOW)
        ledger = stored.ledger_of_day(uow.session, channel, start, end, SETTLED_NOW)
    return payments, refunds, totals, ledger


def _against_ledger(
    found: list[Discrepancy],
    statement: list[StatementRow],
    payments: dict[str, tuple[str, int]],
    ledger: dict[str, tuple[str | None, int]],
) -> None:
    """Each payment of the statement that the register booked against its journal entry, and each entry of
    the day that no statement line paid: a changed entry total, a payment recorded with its entry gone, or
    an entry booked with no payment at all shows here even when the channel's records look right."""
    paid_orders: set[str] = set()
    for row in statement:
        if row.kind != KIND_PAYMENT or row.txn_id not in payments:
            continue  # not booked: already reported against the channel's records above
        paid_orders.add(row.order_no)
        if payments[row.txn_id][1] != row.amount.fen:
            continue  # the statement differs from the channel's record: one discrepancy, reported above
        entry = ledger.get(row.order_no)
        if entry is None:
            found.append(
                Discrepancy(
                    LEDGER_MISSING,
                    row.kind,
                    row.order_no,
                    row.txn_id,
                    row.amount,
                    None,
                    "支付已记为入账，但账簿中没有该缴款单的入账分录",
                )
            )
        elif entry[1] != row.amount.fen:
            ours = Money.of_fen(entry[1])
            found.append(
                Discrepancy(
                    LEDGER_DIFFERS,
                    row.kind,
                    row.order_no,
                    row.txn_id,
                    row.amount,
                    ours,
                    f"对账单 {row.amount} 元，入账分录合计 {ours} 元，相差 {ours - row.amount} 元",
                )
            )
    for order_no, (txn_id, total) in ledger.items():
        if order_no in paid_orders or (txn_id is not None and txn_id in payments):
            continue  # matched above, or its transaction is already reported as not in the statement
        found.append(
            Discrepancy(
                BOOKED_NOT_IN_STATEMENT,
                KIND_PAYMENT,
                order_no,
                txn_id or "",
                None,
                Money.of_fen(total),
                "账簿有该缴款单的入账分录，对账单却无此笔支付",
            )
        )


def _returned_note(db: Database, channel: str, txn_id: str) -> str | None:
    """For a payment the register never booked: whether it was paid back in full (payments/review.py), as
    the report's explanation. Asked only for the rare unbooked row, never for the matched ones."""
    from registry_desk.payments.review import RETURNED

    with db.unit_of_work(write=False) as uow:
        note = stored.transaction_note(uow.session, channel, txn_id, RETURNED)
    return None if note is None else f"金额不符未入账，已全额退回：{note}"


def reconcile(
    db: Database,
    channel: str,
    day: date,
    rows: Iterable[StatementRow],
    progress: Progress | None = None,
) -> ReconciliationReport:
    """Matches the statement `rows` of `day` with the day's bookings of `channel`."""
    statement = list(rows)
    total_rows = len(statement)
    if progress:
        progress(0, total_rows)
    payments, refunds, totals, ledger = _booked(db, channel, day)
    report = ReconciliationReport(
        day=day, channel=channel, statement_rows=total_rows, totals_by_account=totals
    )
    report.booked_payments = Money.of_fen(sum(f for _, f in payments.values()))
    report.booked_refunds = Money.of_fen(sum(f for _, f in refunds.values()))

    booked_by_kind = {KIND_PAYMENT: payments, KIND_REFUND: refunds}
    sums = {KIND_PAYMENT: 0, KIND_REFUND: 0}
    seen: set[tuple[str, str]] = set()
    paid_orders: dict[str, str] = {}  # order no → first payment txn in the statement
    found = report.discrepancies
    matched = 0
    step = max(1, total_rows // 100)
    for index, row in enumerate(statement, start=1):
        row_fen = row.amount.fen
        sums[row.kind] += row_fen
        key = (row.kind, row.txn_id)
        if key in seen:
            found.append(
                Discrepancy(
                    DUPLICATE,
                    row.kind,
                    row.order_no,
                    row.txn_id,
                    row.amount,
                    None,
                    "对账单中同一流水号出现多次",
                )
            )
        else:
            seen.add(key)
            booked = booked_by_kind[row.kind].get(row.txn_id)
            first = (
                paid_orders.setdefault(row.order_no, row.txn_id) if row.kind == KIND_PAYMENT else row.txn_id
            )
            if first != row.txn_id and booked is None:
                # A second payment of one order: the register recorded it as a double payment to refund.
                found.append(
                    Discrepancy(
                        DUPLICATE,
                        row.kind,
                        row.order_no,
                        row.txn_id,
                        row.amount,
                        None,
                        f"同一缴款单被重复支付（另见流水 {first}），须退款",
                    )
                )
            elif booked is None:
                returned = _returned_note(db, channel, row.txn_id) if row.kind == KIND_PAYMENT else None
                found.append(
                    Discrepancy(
                        PAID_NOT_SETTLED,
                        row.kind,
                        row.order_no,
                        row.txn_id,
                        row.amount,
                        None,
                        returned or "渠道有此笔交易，本系统当日未入账",
                    )
                )
            elif booked[1] != row_fen:
                ours = Money.of_fen(booked[1])
                found.append(
                    Discrepancy(
                        AMOUNT_DIFFERS,
                        row.kind,
                        row.order_no,
                        row.txn_id,
                        row.amount,
                        ours,
                        f"对账单 {row.amount} 元，入账 {ours} 元，相差 {row.amount - ours} 元",
                    )
                )
            else:
                matched += 1
        if progress and (index % step == 0 or index == total_rows):
            progress(index, total_rows)
    report.matched = matched
    report.statement_payments = Money.of_fen(sums[KIND_PAYMENT])
    report.statement_refunds = Money.of_fen(sums[KIND_REFUND])

    for kind, booked_rows in booked_by_kind.items():
        for txn_id, (order_no, booked_fen) in booked_rows.items():
            if (kind, txn_id) not in seen:
                found.append(
                    Discrepancy(
                        SETTLED_NOT_IN_STATEMENT,
                        kind,
                        order_no,
                        txn_id,
                        None,
                        Money.of_fen(booked_fen),
                        "本系统已入账，对账单无此笔",
                    )
                )
    _against_ledger(found, statement, payments, ledger)
    return report


REPORT_CSV_HEADER = ("差异类型", "交易类型", "缴款单号", "流水号", "对账单金额", "入账金额", "说明")


def write_report_csv(report: ReconciliationReport, path: Path) -> None:
    """The discrepancies, one a line, then the totals (UTF-8 with BOM for spreadsheet programs)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REPORT_CSV_HEADER)
        for d in report.discrepancies:
            writer.writerow(
                (
                    DISCREPANCY_LABELS[d.kind],
                    KIND_LABELS[d.row_kind],
                    d.order_no,
                    d.txn_id,
                    "" if d.statement_amount is None else str(d.statement_amount),
                    "" if d.booked_amount is None else str(d.booked_amount),
                    d.note,
                )
            )
        writer.writerow(())
        for label, value in summary_lines(report):
            writer.writerow((label, value))


def summary_lines(report: ReconciliationReport) -> list[tuple[str, str]]:
    from registry_desk.domain.ledger import LedgerAccount

    lines = [
        ("对账日期", report.day.isoformat()),
        ("收款渠道", report.channel),
        ("对账单笔数", str(report.statement_rows)),
        ("核对相符笔数", str(report.matched)),
        ("差异笔数", str(len(report.discrepancies))),
        ("对账单收款合计", str(report.statement_payments)),
        ("本系统入账合计", str(report.booked_payments)),
        ("对账单退款合计", str(report.statement_refunds)),
        ("本系统退款合计", str(report.booked_refunds)),
    ]
    for account in (LedgerAccount.TREASURY, LedgerAccount.FISCAL):
        lines.append(
            (f"{account.label}入库合计", str(report.totals_by_account.get(account.value, Money.zero())))
        )
    for kind, label in DISCREPANCY_LABELS.items():
        lines.append((label, str(report.count(kind))))
    return lines


def report_view(report: ReconciliationReport):
    from registry_desk.documents.payment_receipts_pdf import ReconciliationView

    rows = tuple(
        (
            d.label,
            KIND_LABELS[d.row_kind],
            d.order_no,
            d.txn_id,
            "" if d.statement_amount is None else str(d.statement_amount),
            "" if d.booked_amount is None else str(d.booked_amount),
        )
        for d in report.discrepancies
    )
    return ReconciliationView(
        title=f"税费同缴对账报告（{report.day.isoformat()}）",
        summary=tuple(summary_lines(report)),
        header=("差异类型", "交易", "缴款单号", "流水号", "对账单金额", "入账金额"),
        rows=rows,
    )


def run_reconciliation(
    db: Database,
    channel: str,
    day: date,
    statement_path: Path,
    out_dir: Path,
    progress: Progress | None = None,
) -> tuple[ReconciliationReport, Path, Path]:
    """What the cashier view and `registry-desk reconcile` run: read, match, write the PDF and the CSV."""
    from registry_desk.documents.payment_receipts_pdf import render_reconciliation_report

    report = reconcile(db, channel, day, read_statement_csv(statement_path), progress)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / f"对账报告-{channel}-{day.isoformat()}.csv"
    pdf_path = out_dir / f"对账报告-{channel}-{day.isoformat()}.pdf"
    write_report_csv(report, csv_path)
    pdf_path.write_bytes(render_reconciliation_report(report_view(report)))
    return report, pdf_path, csv_path
