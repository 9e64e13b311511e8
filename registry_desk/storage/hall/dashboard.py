"""The dashboard's figures as rows: cases accepted and recorded in a range, open cases past their due date,
when each case's certificate was ready, the kiosk's prints, and the overdue cases' locations.

The range is `since` ≤ t < `until` in UTC (operations/dashboard.py turns Beijing days into it); the rows are
counted and judged (on time, overdue) by the dashboard, not here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from registry_desk.domain.codes import CaseStatus
from registry_desk.storage.kiosk.tables import KioskPrint
from registry_desk.storage.tables import Case, Certificate, Unit


def accepted_cases(session: Session, since: datetime, until: datetime) -> Sequence[Row[str, datetime]]:
    """(business type, accepted at) of every case accepted in the range."""
    return session.execute(
        select(Case.business_type, Case.accepted_at).where(
            Case.accepted_at >= since, Case.accepted_at < until
        )
    ).all()


def recorded_cases(
    session: Session, since: datetime, until: datetime, statuses: Collection[CaseStatus]
) -> Sequence[Row[str, str, datetime | None, datetime, date, CaseStatus, int]]:
    """(number, business type, recorded at, accepted at, due date, status, unit id) of the cases in
    `statuses` recorded (登簿) in the range, in the order they were recorded."""
    return session.execute(
        select(
            Case.case_number,
            Case.business_type,
            Case.recorded_at,
            Case.accepted_at,
            Case.due_date,
            Case.status,
            Case.unit_id,
        )
        .where(Case.recorded_at >= since, Case.recorded_at < until, Case.status.in_(statuses))
        .order_by(Case.recorded_at)
    ).all()


def open_cases_due_before(
    session: Session, statuses: Collection[CaseStatus], due_before: date, accepted_before: datetime
) -> Sequence[Row[str, str, datetime, date, CaseStatus, int]]:
    """(number, business type, accepted at, due date, status, unit id) of the cases in `statuses` due before
    `due_before` and accepted before `accepted_before`, by due date."""
    return session.execute(
        select(
            Case.case_number,
            Case.business_type,
            Case.accepted_at,
            Case.due_date,
            Case.status,
            Case.unit_id,
        )
        .where(Case.status.in_(statuses), Case.due_date < due_before, Case.accepted_at < accepted_before)
        .order_by(Case.due_date, Case.id)
    ).all()


def certificate_ready_times(
    session: Session, since: datetime, until: datetime
) -> Sequence[Row[str, datetime, datetime]]:
    """(business type, accepted at, ready at) per case accepted in the range that has a certificate: ready is
    its first certificate's 缮证 time (its 登簿 time until then)."""
    ready = func.min(func.coalesce(Certificate.prepared_at, Certificate.issued_at))
    return session.execute(
        select(Case.business_type, Case.accepted_at, ready)
        .join(Certificate, Certificate.case_id == Case.id)
        .where(Case.accepted_at >= since, Case.accepted_at < until)
        .group_by(Case.id, Case.business_type, Case.accepted_at)
    ).all()


def kiosk_prints(session: Session, since: datetime, until: datetime) -> Sequence[Row[datetime, str]]:
    """(started at, outcome) of every kiosk print started in the range."""
    return session.execute(
        select(KioskPrint.started_at, KioskPrint.outcome).where(
            KioskPrint.started_at >= since, KioskPrint.started_at < until
        )
    ).all()


def unit_locations(session: Session, unit_ids: Iterable[int]) -> dict[int, str]:
    """{unit id: 坐落} of the given units."""
    return dict(session.execute(select(Unit.id, Unit.location).where(Unit.id.in_(set(unit_ids)))).all())
