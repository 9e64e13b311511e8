"""`registry-desk check`: a register worked through the real services passes; each kind of damage an auditor
fears (unbalanced books, a doubled or missing settlement, a deleted certificate, a right from nowhere, two
owners, shares not summing to 1, an edited audit row) is named with its rule and record, and the command fails."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update

from registry_desk import cli
from registry_desk.domain.codes import CoOwnership, RightStatus, RightType
from registry_desk.storage.ledger.tables import LedgerEntry, LedgerPosting, PaymentOrder
from registry_desk.operations import invariants
from registry_desk.demo.demo_data import load_demo
from registry_desk.operations.invariants import check_database
from registry_desk.storage.database import Database
from registry_desk.storage.migrate import upgrade
from registry_desk.storage.tables import AuditEvent, Certificate, Right, RightParty, Unit
from tests.integration.test_kiosk_helpers import ready_case


@pytest.fixture(scope="module")
def worked_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny register with a resale accepted, paid by both sides through the channel, recorded and 缮证."""
    directory = tmp_path_factory.mktemp("invariants")
    db = Database(f"sqlite:///{directory}/register.sqlite3")
    try:
        upgrade(db.engine)
        ready_case(db, directory)
    finally:
        db.dispose()
    return directory / "register.sqlite3"


@pytest.fixture
def worked(worked_template: Path, tmp_path: Path) -> Iterator[Database]:
    shutil.copyfile(worked_template, tmp_path / "register.sqlite3")
    db = Database(f"sqlite:///{tmp_path}/register.sqlite3")
    try:
        yield db
    finally:
        db.dispose()


def _run(db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    db.dispose()
    code = cli.main(["--database-url", db.url, "--data-dir", str(tmp_path), "check"])
    return code, capsys.readouterr().out


def _sql(db: Database, *statements) -> None:
    with db.unit_of_work() as uow:
        for statement in statements:
            uow.session.execute(statement)
        uow.commit()


def test_a_register_worked_through_the_services_passes_every_rule(worked, tmp_path, capsys):
    report = check_database(worked)
    assert report.ok, [str(p) for p in report.problems]
    assert [
        invariants.RULE_STORAGE,
        *(rule for rule, _ in invariants.CHECKS),
        invariants.RULE_AUDIT,
    ] == report.checked
    with worked.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(LedgerEntry.id).limit(1)), "the books were really exercised"
        assert uow.session.scalar(select(Certificate.id).where(Certificate.case_id.is_not(None)).limit(1))
    code, out = _run(worked, tmp_path, capsys)
    assert code == 0 and "核查通过" in out


def test_the_demo_register_is_seed_data_and_passes(sqlite_db):
    load_demo(sqlite_db)
    report = check_database(sqlite_db)
    assert report.ok, [str(p) for p in report.problems]


def test_a_posting_changed_by_one_fen_unbalances_its_entry_the_books_and_the_treasury(
    worked, tmp_path, capsys
):
    with worked.unit_of_work() as uow:
        posting = uow.session.scalars(
            select(LedgerPosting).where(LedgerPosting.account == "treasury").order_by(LedgerPosting.id)
        ).first()
        uow.session.execute(
            text("UPDATE ledger_postings SET credit = credit + 1 WHERE id = :id"), {"id": posting.id}
        )
        entry_id = posting.entry_id
        uow.commit()
    report = check_database(worked)
    broken = report.rules_broken()
    assert {
        invariants.RULE_ENTRY_BALANCED,
        invariants.RULE_BOOKS_BALANCED,
        invariants.RULE_ACCOUNTS_MATCH_LINES,
    } <= broken
    entry = next(p for p in report.problems if p.rule == invariants.RULE_ENTRY_BALANCED)
    assert f"分录 {entry_id}" in entry.record and "相差 -0.01 元" in entry.message
    treasury = next(p for p in report.problems if p.rule == invariants.RULE_ACCOUNTS_MATCH_LINES)
    assert treasury.record == "国库" and "相差 0.01 元" in treasury.message
    code, out = _run(worked, tmp_path, capsys)
    assert code == 1 and "复式记账：每笔分录借贷相等" in out and "国库" in out


def test_a_paid_order_without_its_settlement_entry_is_named(worked):
    with worked.unit_of_work() as uow:
        order_id, order_no = uow.session.execute(
            select(PaymentOrder.id, PaymentOrder.order_no).where(PaymentOrder.status == "settled").limit(1)
        ).one()
        entry_id = uow.session.scalar(select(LedgerEntry.id).where(LedgerEntry.order_id == order_id))
        uow.session.execute(delete(LedgerPosting).where(LedgerPosting.entry_id == entry_id))
        uow.session.execute(delete(LedgerEntry).where(LedgerEntry.id == entry_id))
        uow.commit()
    report = check_database(worked, audit_chain=False)
    settled = [p for p in report.problems if p.rule == invariants.RULE_SETTLED_ONCE]
    assert settled and settled[0].record == f"缴款单 {order_no}" and "0 笔入账分录" in settled[0].message
    # The money is gone from the books too: the accounts no longer match the credited lines.
    assert invariants.RULE_ACCOUNTS_MATCH_LINES in report.rules_broken()


def test_a_settlement_of_an_order_nobody_paid_is_named(worked):
    with worked.unit_of_work() as uow:
        order_no = uow.session.scalar(
            select(PaymentOrder.order_no).where(PaymentOrder.status == "settled").limit(1)
        )
        uow.commit()
    _sql(worked, update(PaymentOrder).where(PaymentOrder.order_no == order_no).values(status="open"))
    report = check_database(worked, audit_chain=False)
    messages = [p.message for p in report.problems if p.record == f"缴款单 {order_no}"]
    assert any("未缴清" in m and "入账分录" in m for m in messages)


def test_a_deleted_certificate_leaves_a_gap_that_is_reported(worked):
    with worked.unit_of_work() as uow:
        cert = uow.session.scalars(
            select(Certificate).where(Certificate.case_id.is_not(None)).order_by(Certificate.seq)
        ).first()
        kind, year, seq = cert.kind, cert.year, cert.seq
        uow.commit()
    _sql(worked, delete(Certificate).where(Certificate.id == cert.id))
    report = check_database(worked, audit_chain=False)
    gap = next(p for p in report.problems if p.rule == invariants.RULE_CERT_GAPLESS)
    assert gap.record == f"{kind.label} {year} 年" and f"{seq:07d}" in gap.message and "删除" in gap.message


def test_a_counter_behind_the_numbers_issued_is_reported(worked):
    _sql(worked, text("UPDATE sequences SET value = 0 WHERE name LIKE 'cert:%'"))
    report = check_database(worked, audit_chain=False)
    assert any("下一个证号将重复" in p.message for p in report.problems)


def test_a_right_from_nowhere_and_a_certificate_on_an_ended_right_are_named(worked):
    late = datetime(2030, 1, 1, tzinfo=UTC)  # after the system began taking cases
    with worked.unit_of_work() as uow:
        s = uow.session
        unit = s.scalars(select(Unit).order_by(Unit.id)).first()
        stray = Right(
            unit_id=unit.id, right_type=RightType.SEIZURE, status=RightStatus.CURRENT, registered_at=late
        )
        s.add(stray)
        cert = s.scalars(
            select(Certificate).where(Certificate.case_id.is_(None), Certificate.status == "current")
        ).first()
        s.execute(update(Right).where(Right.id == cert.right_id).values(status=RightStatus.HISTORICAL))
        s.flush()
        stray_id, number = stray.id, cert.number
        uow.commit()
    report = check_database(worked, audit_chain=False)
    origin = next(p for p in report.problems if p.rule == invariants.RULE_RIGHT_HAS_CASE)
    assert f"权利 {stray_id}" in origin.message and "没有设立它的业务件" in origin.message
    on_ended = next(p for p in report.problems if p.rule == invariants.RULE_CERT_ON_CURRENT_RIGHT)
    assert number in on_ended.message


def test_two_current_owners_of_one_unit_and_shares_not_summing_to_one(worked):
    with worked.unit_of_work() as uow:
        s = uow.session
        couple = (
            s.execute(
                select(Right).where(
                    Right.co_ownership == CoOwnership.JOINT, Right.status == RightStatus.CURRENT
                )
            )
            .scalars()
            .first()
        )
        unit_number = s.scalar(select(Unit.unit_number).where(Unit.id == couple.unit_id))
        couple.co_ownership = CoOwnership.BY_SHARES
        holders = s.scalars(select(RightParty).where(RightParty.right_id == couple.id)).all()
        holders[0].share, holders[1].share = Fraction(1, 2), Fraction(1, 3)
        s.add(
            Right(
                unit_id=couple.unit_id,
                right_type=RightType.OWNERSHIP,
                status=RightStatus.CURRENT,
                registered_at=datetime(2020, 1, 1, tzinfo=UTC),
            )
        )
        couple_id = couple.id
        uow.commit()
    report = check_database(worked, audit_chain=False)
    owners = next(p for p in report.problems if p.rule == invariants.RULE_ONE_OWNERSHIP)
    assert owners.record == f"不动产单元 {unit_number}" and "2 项现势所有权" in owners.message
    shares = next(p for p in report.problems if p.rule == invariants.RULE_SHARES)
    assert shares.record == f"权利 {couple_id}" and "5/6" in shares.message


def test_an_edited_audit_row_fails_the_check(worked, tmp_path, capsys):
    _sql(worked, update(AuditEvent).where(AuditEvent.seq == 2).values(actor="somebody-else"))
    report = check_database(worked)
    assert [p.rule for p in report.problems] == [invariants.RULE_AUDIT]
    assert report.problems[0].record == "审计记录第 2 条"
    code, out = _run(worked, tmp_path, capsys)
    assert code == 1 and "审计链完整" in out and "被改动" in out


def test_the_checks_run_on_postgres_too(postgres_db, tmp_path):
    ready_case(postgres_db, tmp_path)
    report = check_database(postgres_db)
    assert report.ok, [str(p) for p in report.problems]
    with postgres_db.unit_of_work() as uow:
        uow.session.execute(text("UPDATE ledger_postings SET debit = debit + 100 WHERE account = 'clearing'"))
        uow.commit()
    assert invariants.RULE_ENTRY_BALANCED in check_database(postgres_db, audit_chain=False).rules_broken()
