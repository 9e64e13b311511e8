"""The register's side of 免填写 for a first mortgage, as the prefill benchmark (`demo/benchmarks/
exemption_figures.py`) sets it up and measures it: units carrying a mortgage notice to be converted, and the
same reads the prefill makes, written as plain SQL through the driver for the figure's baseline.

(A bank contract itself needs no statement of its own: whether a standing case already holds the file is
`materials.standing_case_holding_attachment`.)
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry_desk.domain.codes import CaseStatus, IdType, RightStatus
from registry_desk.storage.database import Database
from registry_desk.storage.tables import Case, Party, Right, Unit

# The raw side reads what the prefill reads: the unit with its current rights and their parties (the notice,
# the ownership), the rights' current certificate numbers, and the unit's unfinished cases.
UNIT_SQL = (
    # The same columns the prefill's statement selects: one read serves every business type's form.
    "SELECT u.id, u.unit_number, u.location, u.building_area, r.id, r.right_type, r.notice_kind, r.co_ownership, "
    "r.price, r.mortgage_mode, r.secured_amount, r.debt_start, r.debt_end, r.guarantee_scope, r.rank, "
    "r.no_transfer, r.mortgaged_area, r.assessed_value, r.court, r.court_document_no, r.notice_lapses_on, "
    "r.registered_at, "
    "rp.role, rp.share, p.kind, p.name, p.id_type, p.id_number, p.address, p.phone, p.legal_rep_name "
    "FROM units u LEFT OUTER JOIN rights r ON r.unit_id = u.id AND r.status = 'current' "
    "LEFT OUTER JOIN right_parties rp ON rp.right_id = r.id LEFT OUTER JOIN parties p ON p.id = rp.party_id "
    "WHERE u.unit_number = {p} ORDER BY r.registered_at, r.id, rp.position"
)
CERT_SQL = "SELECT right_id, number FROM certificates WHERE unit_id = {p} AND status = 'current' ORDER BY id"
CASES_SQL = "SELECT case_number, business_type, status FROM cases WHERE unit_id = {p} AND status IN ({open})"


def units_with_current_right_noted(session: Session, note: str) -> list[str]:
    """Numbers of the units carrying a current right whose notes are `note`, by unit id."""
    return list(
        session.scalars(
            select(Unit.unit_number)
            .join(Right, Right.unit_id == Unit.id)
            .where(Right.notes == note, Right.status == RightStatus.CURRENT)
            .order_by(Unit.id)
        )
    )


def highest_unit_id(session: Session) -> int | None:
    """The largest unit id, or None when the register has no unit."""
    return session.scalar(select(func.max(Unit.id)))


def party_by_identity(session: Session, id_type: IdType, id_number: str) -> Party | None:
    """The party with this identity document, or None."""
    return session.scalar(select(Party).where(Party.id_type == id_type, Party.id_number == id_number))


def every_nth_unit(session: Session, step: int, limit: int) -> list[Unit]:
    """Up to `limit` units whose id is a multiple of `step`, by id: a sample spread over the register."""
    return list(session.scalars(select(Unit).where(Unit.id % step == 0).order_by(Unit.id).limit(limit)))


def current_rights_of_unit(session: Session, unit_id: int) -> list[Right]:
    """The unit's current rights."""
    return list(
        session.scalars(
            select(Right).where(Right.unit_id == unit_id, Right.status == RightStatus.CURRENT)
        ).all()
    )


def count_cases_of_unit(session: Session, unit_id: int, statuses: Collection[CaseStatus]) -> int:
    """How many of the unit's cases are in one of `statuses`."""
    return (
        session.scalar(select(func.count()).where(Case.unit_id == unit_id, Case.status.in_(list(statuses))))
        or 0
    )


def raw_prefill_reads(
    db: Database, open_statuses: Collection[CaseStatus]
) -> Callable[[str], tuple[object, object, object]]:
    """The prefill's three reads of a unit (`UNIT_SQL`, `CERT_SQL`, `CASES_SQL`, cases in `open_statuses`)
    through one driver connection, each run rolled back: what the prefill costs without the ORM."""
    conn = db.engine.raw_connection()
    marker = "?" if db.is_sqlite else "%s"
    open_list = ", ".join(f"'{st.value}'" for st in open_statuses)
    unit_sql = UNIT_SQL.format(p=marker)
    cert_sql = CERT_SQL.format(p=marker)
    cases_sql = CASES_SQL.format(p=marker, open=open_list)

    def run(unit_number: str) -> tuple[object, object, object]:
        cur = conn.cursor()
        cur.execute(unit_sql, (unit_number,))
        rows = cur.fetchall()
        unit_id = rows[0][0]
        cur.execute(cert_sql, (unit_id,))
        certs = cur.fetchall()
        cur.execute(cases_sql, (unit_id,))
        open_cases = cur.fetchall()
        cur.close()
        conn.rollback()
        return rows, certs, open_cases

    return run
