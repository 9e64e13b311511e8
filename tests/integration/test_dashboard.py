"""The statistics dashboard on a worked week: cases per day and type, who finished within the promised working
days, the overdue list, hours to certificate, collections taken from the settlement lines, and the PDF/command."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from registry_desk import cli
from registry_desk.documents.dashboard_pdf import render_dashboard_pdf
from registry_desk.documents.verification import document_text
from registry_desk.domain.codes import CaseStatus
from registry_desk.domain.errors import PermissionDenied, ValidationError
from registry_desk.domain.money import Money
from registry_desk.payments.reports import fee_tax_report
from registry_desk.registration import certificates, intake, recording
from registry_desk.operations.dashboard import build_dashboard, percent
from registry_desk.storage.database import Database
from registry_desk.storage.migrate import upgrade
from tests.integration.test_case_helpers import (
    BANK_HH,
    CLERK,
    LI,
    MONDAY,
    REGISTRAR,
    WANG,
    ZHAO,
    cancellation,
    transfer,
)
from tests.integration.test_kiosk_helpers import KIOSK, open_case, pay_side

PAID_AT = MONDAY + timedelta(hours=1)  # 2026-03-02 10:00 Beijing time
TUESDAY, WEDNESDAY = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory):
    """Monday: a resale (paid by both sides at 10:00), a mortgage cancellation and a second resale accepted.
    Tuesday: the resale recorded (on time) and its certificate made at 11:00. Wednesday: the cancellation recorded,
    two days past its same-day promise. The second resale stays open."""
    directory = tmp_path_factory.mktemp("dashboard")
    db = Database(f"sqlite:///{directory}/register.sqlite3")
    upgrade(db.engine)
    kc = open_case(db, directory, now=PAID_AT)
    pay_side(db, kc, "buyer", now=PAID_AT)
    pay_side(db, kc, "seller", now=PAID_AT)
    from sqlalchemy import select

    from registry_desk.storage.tables import Certificate, Unit

    with db.unit_of_work(write=False) as uow:
        mortgaged = uow.session.scalar(select(Unit.unit_number).where(Unit.room_no == "0201"))
        couple = uow.session.scalar(select(Unit.unit_number).where(Unit.room_no == "0102"))
        proof = uow.session.scalar(
            select(Certificate.number)
            .join(Unit, Unit.id == Certificate.unit_id)
            .where(Unit.unit_number == mortgaged, Certificate.kind == "registration_proof")
        )
    cancel = intake.accept_case(db, CLERK, cancellation(mortgaged, BANK_HH, proof), now=MONDAY)
    still_open = intake.accept_case(db, CLERK, transfer(couple, [WANG, LI], [ZHAO]), now=MONDAY)
    recording.record_case(db, REGISTRAR, kc.case_number, now=TUESDAY + timedelta(hours=1))
    certificates.mark_certificate_ready(db, REGISTRAR, kc.case_number, now=TUESDAY + timedelta(hours=2))
    recording.record_case(db, REGISTRAR, cancel.case_number, now=WEDNESDAY)
    yield db, kc.case_number, cancel.case_number, still_open.case_number
    db.dispose()


def test_cases_per_day_and_type_and_time_limit_compliance(week):
    db, _resale, _cancel, _still_open = week
    board = build_dashboard(db, CLERK, *MARCH, today=date(2026, 3, 31))
    monday = board.days.index(date(2026, 3, 2))
    assert board.accepted_per_day["transfer"][monday] == 2
    assert board.accepted_per_day["mortgage_cancel"][monday] == 1
    assert board.total_per_day("accepted")[monday] == 3 and board.accepted_total == 3
    assert board.completed_per_day["transfer"][monday + 1] == 1
    assert board.completed_per_day["mortgage_cancel"][monday + 2] == 1
    by_type = {t.business_type: t for t in board.types}
    assert (by_type["transfer"].completed, by_type["transfer"].on_time) == (1, 1)
    assert by_type["transfer"].compliance == Decimal("1.000")
    assert (by_type["mortgage_cancel"].completed, by_type["mortgage_cancel"].on_time) == (1, 0)
    assert percent(board.compliance) == "50.0%"
    # 09:00 Monday accepted → 11:00 Tuesday certificate made ready: 26 hours.
    assert by_type["transfer"].average_hours_to_certificate == Decimal("26.0")
    assert by_type["mortgage_cancel"].average_hours_to_certificate is None, (
        "a cancellation issues no certificate"
    )


def test_the_overdue_list_names_late_finished_and_still_open_cases(week):
    db, _resale, cancel, still_open = week
    board = build_dashboard(db, CLERK, *MARCH, today=date(2026, 3, 31))
    overdue = {o.case_number: o for o in board.overdue}
    assert set(overdue) == {cancel, still_open}
    assert overdue[cancel].finished_on == date(2026, 3, 4) and overdue[cancel].days_late == 2
    assert (
        overdue[still_open].finished_on is None and overdue[still_open].status is CaseStatus.AWAITING_PAYMENT
    )
    assert "鼓楼东街" in overdue[still_open].location
    # Judged on the day the range ends: on Monday itself nothing was overdue yet.
    monday_only = build_dashboard(db, CLERK, date(2026, 3, 2), date(2026, 3, 2), today=date(2026, 3, 31))
    assert monday_only.overdue == ()


def test_collections_come_from_the_settlement_lines(week):
    db, *_ = week
    board = build_dashboard(db, CLERK, *MARCH, today=date(2026, 3, 31))
    assert board.account_total("treasury") == Money.yuan("73000.00")  # REFERENCE §8 worked example
    assert board.account_total("fiscal") == Money.yuan("80.00")
    with db.unit_of_work(write=False) as uow:
        report = fee_tax_report(uow.session, *MARCH)
    assert sorted((c.account, c.item, c.net) for c in board.collections) == sorted(
        (r.account, r.item, r.net) for r in report
    )
    april = build_dashboard(db, CLERK, date(2026, 4, 1), date(2026, 4, 30), today=date(2026, 3, 31))
    assert april.account_total("treasury") == Money.zero() and april.accepted_total == 0


def test_ranges_and_roles_are_checked(week):
    db, *_ = week
    with pytest.raises(ValidationError, match="早于开始日"):
        build_dashboard(db, CLERK, date(2026, 3, 31), date(2026, 3, 1), today=date(2026, 3, 31))
    with pytest.raises(ValidationError, match="超过 366 天"):
        build_dashboard(db, CLERK, date(2024, 1, 1), date(2026, 3, 1), today=date(2026, 3, 31))
    with pytest.raises(PermissionDenied, match="查看统计看板"):
        build_dashboard(db, KIOSK, *MARCH, today=date(2026, 3, 31))


def test_the_pdf_carries_the_figures_and_its_charts(week):
    db, _resale, cancel, still_open = week
    board = build_dashboard(db, CLERK, *MARCH, today=date(2026, 3, 31))
    pdf = render_dashboard_pdf(board, generated_at=datetime(2026, 3, 31, 17, 0))
    text = document_text(pdf)
    for expected in ("统计看板", "按时办结率 50.0%", "73000.00", "80.00", cancel, still_open, "自助终端打印"):
        assert expected in text, expected


def test_the_dashboard_command_writes_the_pdf(week, tmp_path: Path, capsys):
    db, *_ = week
    out = tmp_path / "dashboard.pdf"
    code = cli.main(
        [
            "--database-url",
            db.url,
            "--data-dir",
            str(tmp_path),
            "dashboard",
            "--from",
            "2026-03-01",
            "--to",
            "2026-03-31",
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0 and out.read_bytes().startswith(b"%PDF")
    assert "受理 3 件" in printed and "入国库 73000.00 元" in printed
    code = cli.main(
        [
            "--database-url",
            db.url,
            "--data-dir",
            str(tmp_path),
            "dashboard",
            "--from",
            "2026-3-1",
            "--to",
            "2026-03-31",
            "--out",
            str(out),
        ]
    )
    assert code == 2 and "不是有效日期" in capsys.readouterr().err
