"""The books agree with the world (issue #12, items 5 and 11): a tampering that keeps every entry balanced and
the accounts equal to the credited lines is still caught by `check`, because per paid order the entry, the
order, the channel's payment, the lines and the receipts must tell one amount, every tax ticket must have
its 电子完税凭证 and every line must be credited to its kind's account; `reconcile` compares the statement
with the journal too; receipts a killed poll left without their PDF are rendered by the next poll and
reported by `check` until then. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from registry_desk import cli
from registry_desk.domain.money import Money
from registry_desk.operations import invariants
from registry_desk.operations.invariants import check_database
from registry_desk.payments import orders, reconciliation, settlement
from registry_desk.payments.local_channel import LocalChannel
from registry_desk.payments.receipts import PDF_GRACE, produce_missing_receipt_documents
from registry_desk.payments.service import poll_and_issue
from registry_desk.storage.database import Database
from registry_desk.storage.ledger.tables import (
    ChannelTransaction,
    LedgerEntry,
    LedgerPosting,
    PaymentOrder,
    PaymentOrderLine,
    PaymentReceipt,
)
from tests.unit.payments.factories import NOW, TAXPAYERS, make_case, resale_quote

DAY = date(2026, 3, 12)
SETTLED_AT = NOW + timedelta(minutes=5)
LATER = SETTLED_AT + PDF_GRACE + timedelta(minutes=1)

# The rules this file is about, and the two that today's main already had for the books.
NEW_RULES = {
    invariants.RULE_ORDER_FIGURES_AGREE,
    invariants.RULE_TAX_CERTIFICATES,
    invariants.RULE_LINE_ACCOUNT,
    invariants.RULE_RECEIPT_PDF,
}
OLD_BOOK_RULES = {
    invariants.RULE_ENTRY_BALANCED,
    invariants.RULE_BOOKS_BALANCED,
    invariants.RULE_ACCOUNTS_MATCH_LINES,
    invariants.RULE_SETTLED_ONCE,
}


@pytest.fixture
def channel(tmp_path: Path) -> LocalChannel:
    return LocalChannel(tmp_path)


def _settle_two_cases(db: Database, channel: LocalChannel) -> None:
    for n in (1, 2):
        with db.unit_of_work() as uow:
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
    # The settling poll, killed before it rendered any receipt: the records are there, their PDFs are not.
    settlement.poll_open_orders(db, channel, SETTLED_AT)


@pytest.fixture
def books(any_db: Database, channel: LocalChannel) -> Database:
    """Two resale cases (four orders: the buyer's fee and 契税, the seller's taxes) paid, settled and with
    every receipt rendered."""
    _settle_two_cases(any_db, channel)
    produce_missing_receipt_documents(any_db, now=SETTLED_AT)
    return any_db


def _broken(db: Database) -> dict[str, list[str]]:
    report = check_database(db, audit_chain=False, now=LATER)
    found: dict[str, list[str]] = {}
    for problem in report.problems:
        found.setdefault(problem.rule, []).append(f"{problem.record}：{problem.message}")
    return found


def _buyer_order(session) -> PaymentOrder:
    """The first buyer's order: one fee line (登记费 80) and one tax line (契税 10,000)."""
    return session.execute(
        select(PaymentOrder).where(PaymentOrder.side == "buyer").order_by(PaymentOrder.id).limit(1)
    ).scalar_one()


def _line(session, order: PaymentOrder, kind: str) -> PaymentOrderLine:
    return next(line for line in order.lines if line.kind == kind)


def _posting_of(session, line: PaymentOrderLine) -> LedgerPosting:
    return session.execute(select(LedgerPosting).where(LedgerPosting.line_id == line.id)).scalar_one()


def _settlement_of(session, order: PaymentOrder) -> LedgerEntry:
    return session.execute(
        select(LedgerEntry).where(LedgerEntry.order_id == order.id, LedgerEntry.kind == "settlement")
    ).scalar_one()


def test_untouched_books_pass_every_new_rule(books):
    assert not (set(_broken(books)) & (NEW_RULES | OLD_BOOK_RULES))
    report = check_database(books, audit_chain=False, now=LATER)
    assert set(NEW_RULES) <= set(report.checked)


def test_an_entry_inflated_consistently_with_its_line_is_caught(books, channel):
    fifty_thousand = Money.yuan("50000.00")
    with books.unit_of_work() as uow:
        s = uow.session
        order = _buyer_order(s)
        order_no = order.order_no
        tax = _line(s, order, "tax")
        entry = _settlement_of(s, order)
        clearing = next(p for p in entry.postings if p.account == "clearing")
        entry.total = entry.total + fifty_thousand
        clearing.debit = clearing.debit + fifty_thousand
        _posting_of(s, tax).credit = tax.amount + fifty_thousand
        tax.amount = tax.amount + fifty_thousand
        uow.commit()

    broken = _broken(books)
    # Balanced and equal to the lines: what main checked still passes ...
    assert not (set(broken) & {invariants.RULE_ENTRY_BALANCED, invariants.RULE_ACCOUNTS_MATCH_LINES})
    # ... but the order's figures no longer agree, and its tax ticket is no longer its certificate.
    (problem,) = broken[invariants.RULE_ORDER_FIGURES_AGREE]
    assert order_no in problem and "入账分录合计 60080.00 元" in problem and "应收 10080.00 元" in problem
    assert any(order_no in p for p in broken[invariants.RULE_TAX_CERTIFICATES])

    report = reconciliation.reconcile(books, "local", DAY, channel.statement(DAY))
    assert [(d.kind, d.order_no, d.booked_amount) for d in report.discrepancies] == [
        (reconciliation.LEDGER_DIFFERS, order_no, Money.yuan("60080.00"))
    ]


def test_money_shifted_from_the_treasury_to_the_fiscal_account_with_both_lines_is_caught(books):
    thousand = Money.yuan("1000.00")
    with books.unit_of_work() as uow:
        s = uow.session
        order = _buyer_order(s)
        order_no = order.order_no
        tax, fee = _line(s, order, "tax"), _line(s, order, "fee")
        _posting_of(s, tax).credit = tax.amount - thousand
        _posting_of(s, fee).credit = fee.amount + thousand
        tax.amount = tax.amount - thousand
        fee.amount = fee.amount + thousand
        uow.commit()

    broken = _broken(books)
    assert not (set(broken) & OLD_BOOK_RULES)
    (ticket,) = broken[invariants.RULE_TAX_CERTIFICATES]
    assert order_no in ticket and "税款明细 9000.00 元" in ticket and "10000.00 元" in ticket
    (figures,) = broken[invariants.RULE_ORDER_FIGURES_AGREE]
    assert "登记费明细 1080.00 元而登记费电子票据 80.00 元" in figures


def test_a_tax_line_moved_to_the_fiscal_account_with_its_posting_is_caught(books):
    with books.unit_of_work() as uow:
        s = uow.session
        order = _buyer_order(s)
        order_no = order.order_no
        tax = _line(s, order, "tax")
        tax.account = "fiscal"
        _posting_of(s, tax).account = "fiscal"
        uow.commit()

    broken = _broken(books)
    assert not (set(broken) & OLD_BOOK_RULES)  # the fiscal account still equals its credited lines
    (problem,) = broken[invariants.RULE_LINE_ACCOUNT]
    assert order_no in problem and "税款明细记在财政专户，应入国库" in problem


def test_a_posting_moved_to_another_account_than_its_line_is_caught(books):
    with books.unit_of_work() as uow:
        s = uow.session
        order = _buyer_order(s)
        fee = _line(s, order, "fee")
        _posting_of(s, fee).account = "treasury"
        uow.commit()
    (problem,) = _broken(books)[invariants.RULE_LINE_ACCOUNT]
    assert "明细应入财政专户，入账分录却记入国库" in problem


def test_a_receipt_whose_amount_was_changed_is_caught(books):
    with books.unit_of_work() as uow:
        s = uow.session
        order = _buyer_order(s)
        order_no = order.order_no
        receipt = s.execute(
            select(PaymentReceipt).where(PaymentReceipt.order_id == order.id, PaymentReceipt.kind == "tax")
        ).scalar_one()
        receipt.amount = receipt.amount - Money.yuan("0.01")
        uow.commit()

    broken = _broken(books)
    assert not (set(broken) & OLD_BOOK_RULES)
    (figures,) = broken[invariants.RULE_ORDER_FIGURES_AGREE]
    assert order_no in figures and "票据金额合计 10079.99 元" in figures
    (ticket,) = broken[invariants.RULE_TAX_CERTIFICATES]
    assert "电子完税凭证却为 9999.99 元" in ticket


def test_a_missing_tax_certificate_is_caught(books):
    with books.unit_of_work() as uow:
        s = uow.session
        order = _buyer_order(s)
        order_no = order.order_no
        s.execute(
            delete(PaymentReceipt).where(PaymentReceipt.order_id == order.id, PaymentReceipt.kind == "tax")
        )
        uow.commit()

    broken = _broken(books)
    assert not (set(broken) & OLD_BOOK_RULES)
    (ticket,) = broken[invariants.RULE_TAX_CERTIFICATES]
    assert order_no in ticket and "却没有对应的电子完税凭证" in ticket


def test_reconcile_reports_an_entry_booked_without_any_statement_line(books, channel):
    statement = channel.statement(DAY)
    with books.unit_of_work() as uow:
        s = uow.session
        order_no = _buyer_order(s).order_no
        # The channel never took this payment: its statement line and the register's record of it are gone,
        # the entry (and the order's settled status) remain.
        s.execute(delete(ChannelTransaction).where(ChannelTransaction.order_no == order_no))
        uow.commit()
    report = reconciliation.reconcile(books, "local", DAY, [r for r in statement if r.order_no != order_no])
    assert [(d.kind, d.order_no, d.booked_amount) for d in report.discrepancies] == [
        (reconciliation.BOOKED_NOT_IN_STATEMENT, order_no, Money.yuan("10080.00"))
    ]


def test_reconcile_reports_a_booked_payment_whose_entry_is_gone(books, channel):
    with books.unit_of_work() as uow:
        s = uow.session
        order = _buyer_order(s)
        order_no = order.order_no
        s.delete(_settlement_of(s, order))
        uow.commit()
    report = reconciliation.reconcile(books, "local", DAY, channel.statement(DAY))
    assert [(d.kind, d.order_no) for d in report.discrepancies] == [(reconciliation.LEDGER_MISSING, order_no)]


def test_receipts_a_killed_poll_left_without_pdf_are_reported_then_rendered_by_the_next_poll(
    any_db, channel, tmp_path, capsys
):
    _settle_two_cases(any_db, channel)
    with any_db.unit_of_work(write=False) as uow:
        receipts = uow.session.execute(select(PaymentReceipt.number, PaymentReceipt.attachment_id)).all()
        assert receipts and all(attachment is None for _, attachment in receipts)

    # Just after settling the PDFs may still be in the making: a note, not a problem ...
    report = check_database(any_db, audit_chain=False, now=SETTLED_AT + timedelta(minutes=1))
    assert invariants.RULE_RECEIPT_PDF not in report.rules_broken()
    assert any(f"{len(receipts)} 张电子票据开具不足" in note for note in report.notes)
    # ... later, a receipt still without its PDF is reported, by number.
    (problem,) = [
        p for p in check_database(any_db, audit_chain=False, now=LATER).problems if p.rule in NEW_RULES
    ]
    assert problem.rule == invariants.RULE_RECEIPT_PDF and f"{len(receipts)} 张电子票据" in problem.message
    assert receipts[0][0] in problem.message

    # A window's poll step settles nothing new, but renders what was left behind (a few cases a tick).
    made = poll_and_issue(any_db, channel, now=LATER, backlog=1).receipts_made
    assert 0 < made < len(receipts)
    # `payments poll` renders all the rest.
    any_db.dispose()
    code = cli.main(["--database-url", any_db.url, "--data-dir", str(tmp_path), "payments", "poll"])
    assert code == 0 and f"生成电子票据 {len(receipts) - made} 份" in capsys.readouterr().out
    with any_db.unit_of_work(write=False) as uow:
        assert all(r.attachment_id is not None for r in uow.session.execute(select(PaymentReceipt)).scalars())
    assert (
        invariants.RULE_RECEIPT_PDF not in check_database(any_db, audit_chain=False, now=LATER).rules_broken()
    )


def test_a_refunded_case_passes_and_a_refund_entry_of_another_amount_is_caught(books, channel):
    from registry_desk.domain.codes import CaseStatus, Role
    from registry_desk.kernel.context import Actor
    from registry_desk.payments import refunds
    from registry_desk.storage.tables import Case

    with books.unit_of_work() as uow:
        s = uow.session
        order = _buyer_order(s)
        order_no = order.order_no
        case = s.get(Case, order.case_id)
        case.status = CaseStatus.WITHDRAWN
        number = case.case_number
        uow.commit()
    cashier = Actor(7, "cashier1", "收费员甲", Role.CASHIER, "3号窗口")
    refunds.refund_case(books, channel, cashier, number, "申请人撤回申请", SETTLED_AT + timedelta(hours=1))
    produce_missing_receipt_documents(books, now=SETTLED_AT)  # the 冲红 bill
    assert not (set(_broken(books)) & (NEW_RULES | OLD_BOOK_RULES))

    with books.unit_of_work() as uow:
        s = uow.session
        refund = s.execute(
            select(LedgerEntry).where(
                LedgerEntry.order_id == _buyer_order(s).id, LedgerEntry.kind == "refund"
            )
        ).scalar_one()
        refund.total = refund.total - Money.yuan("1.00")
        uow.commit()
    (problem,) = _broken(books)[invariants.RULE_ORDER_FIGURES_AGREE]
    assert order_no in problem and "冲销分录合计 10079.00 元" in problem
