"""Issue #5 "done when", on the demo data: a resale's buyer and seller each scan one QR, the money splits itself
into 国库 and 财政专户 records equal to the quote, both sides' receipts exist and verify, the case can then be
recorded, and the day reconciles against the channel's statement with no discrepancy."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from registry_desk import config
from registry_desk.documents.pki import TrustStore
from registry_desk.documents.seal import verify_pdf
from registry_desk.domain.cases import TransferTaxFacts
from registry_desk.domain.charges import Account
from registry_desk.domain.codes import CaseStatus
from registry_desk.domain.ledger import LedgerAccount
from registry_desk.payments.channel import CHINA_TZ
from registry_desk.payments.reconciliation import reconcile
from registry_desk.storage.ledger.tables import LedgerEntry, LedgerPosting, PaymentOrder
from registry_desk.registration import queries, recording
from registry_desk.payments import service as payment_flow
from registry_desk.demo.demo_cases import (
    DEMO_CLERK,
    DEMO_REGISTRAR,
    _resale,
    pick_demo_units,
    seed_demo_cases,
)
from registry_desk.demo.demo_data import load_demo
from registry_desk.storage.tables import Attachment, Case

WEDNESDAY = date(2026, 3, 11)
AT_ELEVEN = datetime.combine(WEDNESDAY, time(11, 0), CHINA_TZ)


@pytest.fixture(scope="module")
def counter(tmp_path_factory):
    from tests.conftest import migrated_sqlite

    folder = tmp_path_factory.mktemp("one-scan")
    settings = config.resolve(f"sqlite:///{folder}/register.sqlite3", folder / "data")
    with migrated_sqlite(folder) as db:
        load_demo(db)
        channel = payment_flow.channel_for(settings)
        seed_demo_cases(db, settings, today=WEDNESDAY, channel=channel)
        yield db, settings, channel


def test_the_demo_day_was_paid_through_the_channel(counter):
    db, _settings, channel = counter
    rows = channel.statement(WEDNESDAY)
    assert rows, "the cashier view must open on collections"
    with db.unit_of_work(write=False) as uow:
        settled = uow.session.scalar(
            select(func.count()).select_from(PaymentOrder).where(PaymentOrder.status == "settled")
        )
    assert settled >= len(rows) > 0


def test_one_scan_per_side_pays_all_splits_issues_records_and_reconciles(counter):
    db, settings, channel = counter
    unit = pick_demo_units(db).plain[0]
    request = replace(
        _resale(db, unit, 6, "1050000"),
        tax=TransferTaxFacts(contract_date=date(2025, 12, 1), buyer_homes=1, seller_years=1),
    )
    done = payment_flow.accept_and_bill(db, DEMO_CLERK, request, channel, now=AT_ELEVEN)
    number = done.summary.case_number
    assert [o.side for o in done.orders] == ["buyer", "seller"]

    # Each applicant takes home their own copy (with their own pickup code); the paying side's copy carries
    # its QR, and each side scans it once.
    copies = payment_flow.acceptance_receipts(db, DEMO_CLERK, number, settings=settings)
    labels = [label for label, _ in copies]
    assert labels.count("买方联") == 1 and labels.count("卖方联") == 1
    for order in done.orders:
        payment_flow.simulate_scan(channel, order.payload, now=AT_ELEVEN + timedelta(minutes=4))
    polled = payment_flow.poll_and_issue(
        db, channel, payment_flow.receipt_tools(settings), now=AT_ELEVEN + timedelta(minutes=5)
    )
    assert polled.report.count("settled") == 2

    with db.unit_of_work(write=False) as uow:
        s = uow.session
        case = s.execute(select(Case).where(Case.case_number == number)).scalar_one()
        assert case.status is CaseStatus.IN_REVIEW
        quote = payment_flow.quote_for_case(case)
        credited = dict(
            s.execute(
                select(LedgerPosting.account, func.sum(LedgerPosting.credit))
                .join(LedgerEntry, LedgerEntry.id == LedgerPosting.entry_id)
                .where(LedgerEntry.case_id == case.id, LedgerEntry.kind == "settlement")
                .group_by(LedgerPosting.account)
            ).all()
        )
        by_account = quote.totals_by_account()
        assert credited[LedgerAccount.TREASURY.value] == by_account[Account.TREASURY]
        assert credited[LedgerAccount.FISCAL.value] == by_account[Account.FISCAL]

    receipts = payment_flow.case_payment(db, number).receipts
    assert sorted((r.kind, r.payer_name) for r in receipts) == sorted(
        [
            ("fee", done.orders[0].lines[0].taxpayer_name),
            ("tax", done.orders[0].lines[0].taxpayer_name),
            ("tax", done.orders[1].lines[0].taxpayer_name),
        ]
    )
    trust = TrustStore.load(settings.keys_dir)
    with db.unit_of_work(write=False) as uow:
        for receipt in receipts:
            pdf = uow.session.get(Attachment, receipt.attachment_id).content
            report = verify_pdf(pdf, trust)
            assert report.ok and all(sig.intact and sig.trusted for sig in report.signatures), receipt.number

    recorded = recording.record_case(db, DEMO_REGISTRAR, number, now=AT_ELEVEN + timedelta(hours=1))
    assert recorded.status is CaseStatus.RECORDED

    day = reconcile(db, channel.name, WEDNESDAY, channel.statement(WEDNESDAY))
    assert day.ok, day.discrepancies
    assert day.matched == day.statement_rows and day.booked_payments == day.statement_payments


def test_recording_an_unpaid_charged_demo_case_is_refused(counter):
    db, _settings, _channel = counter
    waiting = queries.list_cases(db, DEMO_CLERK, today=WEDNESDAY)
    number = next(r.case_number for r in waiting if r.status is CaseStatus.AWAITING_PAYMENT)
    with pytest.raises(Exception, match="契税未缴清，不得办理登记"):
        recording.record_case(db, DEMO_REGISTRAR, number, now=AT_ELEVEN)
