"""Demo cases: a fresh demo database opens with cases in every state, made by the real services."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from registry_desk import config
from registry_desk.domain.cases import ADVANCE_NOTICE, BUSINESS_KEYS, DUE_OVERDUE, DUE_TODAY
from registry_desk.domain.codes import CaseStatus
from registry_desk.registration import queries
from registry_desk.bootstrap import open_database
from registry_desk.demo.seed import seed_demo
from registry_desk.demo.demo_cases import DEMO_CLERK, seed_demo_cases
from registry_desk.demo.demo_data import load_demo
from registry_desk.storage.tables import AuditEvent, Case, Certificate

# A Wednesday in an ordinary week of 2026 (no holiday in the six working days before it).
WEDNESDAY = date(2026, 3, 11)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    from tests.conftest import migrated_sqlite

    with migrated_sqlite(tmp_path_factory.mktemp("demo-cases")) as db:
        load_demo(db)
        summary = seed_demo_cases(db, None, today=WEDNESDAY)
        yield db, summary


def test_every_state_a_counter_sees_is_there(seeded):
    db, summary = seeded
    rows = queries.list_cases(db, DEMO_CLERK, today=WEDNESDAY)
    states = {r.status for r in rows}
    assert states == set(CaseStatus) - {CaseStatus.ACCEPTED}, "已受理 is only a passing state"
    assert {r.business_type for r in rows} == set(BUSINESS_KEYS)
    accepted_today = [r for r in rows if r.accepted_on == WEDNESDAY]
    assert len(accepted_today) >= 4
    assert sorted(c.case_number for c in summary.cases) == sorted(r.case_number for r in rows)
    assert {c.status for c in summary.cases} == states


def test_one_overdue_and_one_due_today(seeded):
    db, _summary = seeded
    rows = queries.list_cases(db, DEMO_CLERK, today=WEDNESDAY)
    overdue = [r for r in rows if r.due_state == DUE_OVERDUE]
    due_today = [r for r in rows if r.due_state == DUE_TODAY]
    assert len(overdue) == 1 and overdue[0].status is CaseStatus.IN_REVIEW
    assert overdue[0].due_date < WEDNESDAY and overdue[0].accepted_on < overdue[0].due_date
    assert due_today and all(r.status.is_open for r in due_today)


def test_cases_went_through_the_services_with_audit_and_certificates(seeded):
    db, _summary = seeded
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        for case in s.scalars(select(Case)):
            actions = set(s.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case.id)))
            assert "case.accepted" in actions, case.case_number
            issued = s.scalar(select(func.count()).where(Certificate.case_id == case.id))
            if (
                case.status in (CaseStatus.CERTIFICATE_READY, CaseStatus.ISSUED)
                and case.business_type != "mortgage_cancel"
            ):
                assert issued >= 1, f"{case.case_number} ({case.status.label}) has its certificate"
            if case.status in (CaseStatus.REFUSED, CaseStatus.WITHDRAWN, CaseStatus.NOT_ACCEPTED):
                assert case.closed_reason, "a closed case says why (it is told to the applicant)"
                assert issued == 0
    summary = queries.get_case(
        db,
        DEMO_CLERK,
        next(
            r.case_number
            for r in queries.list_cases(db, DEMO_CLERK, today=WEDNESDAY, status=CaseStatus.AWAITING_PAYMENT)
        ),
    )
    assert summary.missing_materials, "one case waits with a 一次性告知 list"


def test_a_notice_case_was_recorded_on_a_developer_flat(seeded):
    db, _summary = seeded
    notices = [
        r for r in queries.list_cases(db, DEMO_CLERK, today=WEDNESDAY) if r.business_type == ADVANCE_NOTICE
    ]
    assert any(r.status is CaseStatus.RECORDED for r in notices)
    assert all("置业" in r.applicants for r in notices), "the developer is the notice's obligor"


def test_open_database_seeds_demo_cases_once(tmp_path):
    settings = config.resolve(f"sqlite:///{tmp_path}/registry.sqlite3", tmp_path)
    first = open_database(settings, seed=seed_demo)
    try:
        with first.db.unit_of_work(write=False) as uow:
            count = uow.session.scalar(select(func.count()).select_from(Case))
            statuses = set(uow.session.scalars(select(Case.status).distinct()))
    finally:
        first.db.dispose()
    assert count and first.demo_loaded
    assert {
        CaseStatus.AWAITING_PAYMENT,
        CaseStatus.IN_REVIEW,
        CaseStatus.ISSUED,
        CaseStatus.REFUSED,
    } <= statuses
    again = open_database(settings, seed=seed_demo)
    try:
        with again.db.unit_of_work(write=False) as uow:
            assert uow.session.scalar(select(func.count()).select_from(Case)) == count
    finally:
        again.db.dispose()
    assert not again.demo_loaded
