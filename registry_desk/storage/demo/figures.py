"""The benchmarks' reads and their baselines (demo/benchmarks/): the keys and cases a figure works on, and
the plain driver-level statements the project's own paths are measured against.

A baseline runs on the driver's own connection, with hand-written SQL, so that a figure's ratio is what the
project adds (ORM, rules, audit), not the database's work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from registry_desk.domain.codes import IdType, PartyRole, RightStatus, RightType
from registry_desk.storage.database import Database
from registry_desk.storage.tables import Case, Party, Right, RightParty, Unit


def unit_total(db: Database) -> int:
    """How many units the benchmark register holds (it is generated once, then reused)."""
    with db.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT count(*) FROM units").scalar() or 0)


# ---------------------------------------------------------------------------------------------------------
# Look-ups (issue #2): a unit with its current rights, a party's units


UNIT_SQL = (
    "SELECT u.unit_number, u.location, u.planned_use, u.building_area, r.id, r.right_type, r.notice_kind, "
    "p.name, p.id_number, rp.role, rp.share FROM units u "
    "LEFT OUTER JOIN rights r ON r.unit_id = u.id AND r.status = 'current' "
    "LEFT OUTER JOIN right_parties rp ON rp.right_id = r.id "
    "LEFT OUTER JOIN parties p ON p.id = rp.party_id "
    "WHERE u.unit_number = {p} ORDER BY r.id, rp.position"
)
PARTY_SQL = (
    "SELECT u.unit_number, u.location, r.right_type, p.name FROM units u "
    "JOIN rights r ON r.unit_id = u.id JOIN right_parties rp ON rp.right_id = r.id "
    "JOIN parties p ON p.id = rp.party_id "
    "WHERE p.id_number = {p} AND r.status = 'current' ORDER BY u.unit_number"
)


def sample_keys(db: Database, n: int) -> tuple[list[str], list[str]]:
    """Unit numbers and resident ID numbers spread over the whole register (every k-th row, up to `n` each)."""
    with db.engine.connect() as conn:
        total = conn.exec_driver_sql("SELECT max(id) FROM units").scalar() or 0
        step = max(1, total // n)
        units = [
            r[0]
            for r in conn.exec_driver_sql(f"SELECT unit_number FROM units WHERE id % {step} = 0 LIMIT {n}")
        ]
        parties = [
            r[0]
            for r in conn.exec_driver_sql(
                f"SELECT id_number FROM parties WHERE id % {step} = 0 AND id_type = '111' LIMIT {n}"
            )
        ]
    return units, parties


def raw_query(db: Database, sql: str) -> Callable[[str], list[tuple[Any, ...]]]:
    """`sql` (UNIT_SQL or PARTY_SQL) run with one key on a driver connection of its own."""
    # The same kind of connection the candidate uses (the driver's own, in autocommit, kept open), so the
    # ratio measures what the project adds to the query, not a pool's checkout or a rollback per call.
    fairy = db.engine.raw_connection()
    conn: Any = fairy.dbapi_connection
    fairy.detach()
    if not db.is_sqlite:
        conn.autocommit = True
    marker = "?" if db.is_sqlite else "%s"
    stmt = sql.format(p=marker)

    def run(key: str) -> list[tuple[Any, ...]]:
        cur = conn.cursor()
        cur.execute(stmt, (key,))
        rows: list[tuple[Any, ...]] = cur.fetchall()
        cur.close()
        return rows

    return run


# ---------------------------------------------------------------------------------------------------------
# Recording a case (issue #3)


def ownerships_to_sell(session: Session, limit: int) -> Sequence[Row[str, int]]:
    """(unit number, right id) of the first `limit` current ownerships, by unit id."""
    return session.execute(
        select(Unit.unit_number, Right.id)
        .join(Right, Right.unit_id == Unit.id)
        .where(Right.right_type == RightType.OWNERSHIP, Right.status == RightStatus.CURRENT)
        .order_by(Unit.id)
        .limit(limit)
    ).all()


def holders_of_rights(session: Session, right_ids: list[int]) -> Sequence[Row[int, str, str, IdType]]:
    """(right id, name, ID number, ID type) of the holders of the given rights."""
    return session.execute(
        select(RightParty.right_id, Party.name, Party.id_number, Party.id_type)
        .join(Party, Party.id == RightParty.party_id)
        .where(RightParty.right_id.in_(right_ids), RightParty.role == PartyRole.RIGHT_HOLDER)
    ).all()


def case_and_unit_ids(session: Session, numbers: list[str]) -> list[Row[int, int]]:
    """(case id, unit id) of each case number, in the order given."""
    return [
        session.execute(select(Case.id, Case.unit_id).where(Case.case_number == number)).one()
        for number in numbers
    ]


# The rows one recording of an accepted 其它不动产买卖预告 writes, as plain SQLite statements (certificate
# number and audit sequence from a range no real allocation uses, so both sides can run on the same database).
_BARE = [
    "INSERT INTO rights (unit_id, right_type, status, created_by_case_id, registered_at, notice_kind, version) "
    "VALUES (?, 96, 'current', ?, ?, 2, 1)",
    "INSERT INTO right_parties (right_id, party_id, role, position) VALUES (?, ?, 'holder', 0)",
    "INSERT INTO right_parties (right_id, party_id, role, position) VALUES (?, ?, 'obligor', 1)",
    "UPDATE sequences SET value = value + 1 WHERE name = ?",
    "INSERT INTO certificates (number, kind, year, seq, status, unit_id, right_id, case_id, issued_at, fields) "
    "VALUES (?, 'registration_proof', 1999, ?, 'current', ?, ?, ?, ?, ?)",
    "INSERT INTO audit_events (seq, occurred_at, actor, action, case_id, unit_id, record, before, after, prev_hash, hash) "
    "VALUES (?, ?, 'bench', 'case.record', ?, ?, ?, NULL, ?, ?, ?)",
    "UPDATE audit_head SET last_seq = last_seq WHERE id = 1",
    "UPDATE cases SET status = 'recorded', recorded_at = ?, version = version + 1 WHERE id = ?",
    # The unit's version moves with every change of its register page (recording writes this row too).
    "UPDATE units SET version = version + 1 WHERE id = ?",
]


def bare_recording_connection(db: Database) -> Any:
    """An SQLite driver connection for `record_bare`, with the counter it advances."""
    raw = db.engine.raw_connection()
    raw.execute("INSERT OR IGNORE INTO sequences (name, value) VALUES ('bench:bare', 0)")
    raw.commit()
    return raw


def record_bare(
    raw: Any,
    *,
    case_id: int,
    unit_id: int,
    party: int,
    number: str,
    seq: int,
    audit_seq: int,
    stamp: str,
    fields: str,
) -> None:
    """The rows of one recording, written in one transaction of plain statements."""
    cur = raw.cursor()
    cur.execute("BEGIN IMMEDIATE")
    cur.execute(_BARE[0], (unit_id, case_id, stamp))
    right_id = cur.lastrowid
    cur.execute(_BARE[1], (right_id, party))
    cur.execute(_BARE[2], (right_id, party + 1))
    cur.execute(_BARE[3], ("bench:bare",))
    cur.execute(_BARE[4], (number, seq, unit_id, right_id, case_id, stamp, fields))
    cur.execute(_BARE[5], (audit_seq, stamp, case_id, unit_id, "x", "{}", "0" * 64, "1" * 64))
    cur.execute(_BARE[6])
    cur.execute(_BARE[7], (stamp, case_id))
    cur.execute(_BARE[8], (unit_id,))
    raw.commit()
