"""The one reader of a unit's current state: the unit, its current rights with their parties and
certificates, its unfinished cases, as the domain's `UnitSnapshot`.

The rules read it on every acceptance and recording (under the unit lock), the prefill on every 免填写, the
register page on every scan: three indexed statements (the scan: the first alone, with fewer columns)
compiled once (`PreparedRead`) and read straight from the driver's cursor into the snapshot. The join repeats
the unit on every row and a right on each of its parties' rows; each is converted once, when first met, and
only the columns it holds (`slice_converter`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import MISSING, fields
from typing import Any, TypeAlias, TypeVar

from sqlalchemy import Connection, ColumnElement, bindparam, literal_column, select
from sqlalchemy.orm import Session

from registry_desk.domain.codes import CaseStatus, CertificateStatus, RightStatus
from registry_desk.domain.rules import OpenCase, PartySnapshot, RightSnapshot, UnitSnapshot
from registry_desk.storage.driver_sql import Driver, driver
from registry_desk.storage.prepared import DriverSource, PreparedRead
from registry_desk.storage.tables import Case, Certificate, Party, Right, RightParty, Unit

# What a read may run on: a unit of work's Session (its pending changes are flushed first, as a query's
# autoflush would), a Connection, the Driver of a use case's transaction, or a look-up connection
# (`Database.lookup_raw()`) wrapped in a DriverSource.
ReadSource: TypeAlias = Session | Connection | Driver | DriverSource


def _code(value: Any) -> Any:
    # Status codes are constants of the schema, written into the SQL so the text needs no bind processing.
    return literal_column(f"'{value.value}'")


# Unit columns in the order of UnitSnapshot's (id, number, location, use, area); right columns named as
# RightSnapshot's fields; party columns in PartySnapshot's field order.
_UNIT_COLUMNS = (Unit.id, Unit.unit_number, Unit.location, Unit.planned_use, Unit.building_area)
_RIGHT_COLUMNS = (
    Right.id,
    Right.right_type,
    Right.notice_kind,
    Right.co_ownership,
    Right.price,
    Right.mortgage_mode,
    Right.secured_amount,
    Right.debt_start,
    Right.debt_end,
    Right.guarantee_scope,
    Right.rank,
    Right.no_transfer,
    Right.mortgaged_area,
    Right.assessed_value,
    Right.court,
    Right.court_document_no,
    Right.notice_lapses_on,
    Right.registered_at,
)
_PARTY_COLUMNS = (
    Party.id_type,
    Party.id_number,
    Party.name,
    RightParty.role,
    RightParty.share,
    Party.kind,
    Party.address,
    Party.phone,
    Party.legal_rep_name,
)
_RIGHT_DEFAULTS = {f.name: f.default for f in fields(RightSnapshot)}
_PARTY_DEFAULTS = {f.name: f.default for f in fields(PartySnapshot)}


class _Shape:
    """The unit read selecting the first `n_right` right columns and `n_party` party columns: the rules and
    the prefill read them all; the scan-to-screen page only a right's identity and its parties' names, and
    its snapshot's other fields keep their defaults (the raw SQL it is measured against selects as much)."""

    def __init__(self, n_right: int, n_party: int) -> None:
        right_columns, party_columns = _RIGHT_COLUMNS[:n_right], _PARTY_COLUMNS[:n_party]
        self.right_start = len(_UNIT_COLUMNS)
        self.party_start = self.right_start + n_right
        self.party_stop = self.party_start + n_party
        self.by_number = self._read(right_columns, party_columns, Unit.unit_number == bindparam("key"))
        self.by_id = self._read(right_columns, party_columns, Unit.id == bindparam("key"))
        # The fields each snapshot reads from its columns, and the defaults of those it does not read.
        self.right_fields = tuple(c.key for c in right_columns)
        self.party_fields = tuple(_PARTY_DEFAULTS)[:n_party]
        self.right_unread = {
            name: default
            for name, default in _RIGHT_DEFAULTS.items()
            if name not in self.right_fields and name not in ("parties", "certificate_numbers")
        }
        self.party_unread = dict(tuple(_PARTY_DEFAULTS.items())[n_party:])
        assert MISSING not in (*self.right_unread.values(), *self.party_unread.values()), "unread, no default"

    @staticmethod
    def _read(right_columns: Any, party_columns: Any, where: ColumnElement[bool]) -> PreparedRead:
        return PreparedRead(
            select(*_UNIT_COLUMNS, *right_columns, *party_columns)
            .select_from(Unit)
            .outerjoin(Right, (Right.unit_id == Unit.id) & (Right.status == _code(RightStatus.CURRENT)))
            .outerjoin(RightParty, RightParty.right_id == Right.id)
            .outerjoin(Party, Party.id == RightParty.party_id)
            .where(where)
            .order_by(Right.registered_at, Right.id, RightParty.position, RightParty.id)
        )


_UNIT_FIELDS = tuple(f.name for f in fields(UnitSnapshot))
_FULL = _Shape(len(_RIGHT_COLUMNS), len(_PARTY_COLUMNS))
_SCAN = _Shape(3, 5)  # id, right type, notice kind; a party's ID, name, role and share
_CERTIFICATES = PreparedRead(
    select(Certificate.right_id, Certificate.number)
    .where(
        Certificate.unit_id == bindparam("unit_id"), Certificate.status == _code(CertificateStatus.CURRENT)
    )
    .order_by(Certificate.id)
)
_OPEN_CASES = PreparedRead(
    select(Case.case_number, Case.business_type, Case.status)
    .where(
        Case.unit_id == bindparam("unit_id"),
        Case.status.in_([_code(status) for status in CaseStatus if status.is_open]),
    )
    .order_by(Case.id)
)


_T = TypeVar("_T")


def _snapshot(cls: type[_T], unread: dict[str, Any], names: tuple[str, ...], values: Iterable[Any]) -> _T:
    """A frozen snapshot from every one of its fields' values, without the generated __init__: setting a
    score of frozen fields one by one (object.__setattr__ each) cost more per right than converting its
    columns did, on the path read on every scan. The snapshots have no __post_init__ and no slots;
    tests/unit/storage/register/test_unit_state.py checks that every field is set."""
    snapshot = object.__new__(cls)
    state = snapshot.__dict__
    state.update(unread)
    state.update(zip(names, values))  # each shape's names and converted columns are laid out together
    return snapshot


def _driver_source(source: ReadSource) -> DriverSource:
    if isinstance(source, DriverSource):
        return source
    handle = driver(source)  # flushes a Session's pending changes, so the read sees them
    return DriverSource(handle.connection, handle.dialect)


def read_unit_state(
    source: ReadSource,
    *,
    unit_number: str | None = None,
    unit_id: int | None = None,
    business_label: Callable[[str], str] | None = None,
    rights_only: bool = False,
) -> UnitSnapshot | None:
    """The unit (by its number, already normalised, or its id) with its current rights, their parties and
    current certificate numbers, and its unfinished cases; None when there is no such unit.

    `business_label` names an open case's business type (the business-type policy's label; the key itself
    without one). `rights_only` reads, in one statement, the unit with its current rights' type and their
    parties' ID, name, role and share, no more: no terms, certificate numbers or open cases (the other fields
    keep their defaults). The scan-to-screen page shows nothing more and is read on every scan.
    """
    if (unit_number is None) == (unit_id is None):
        raise ValueError("read_unit_state takes exactly one of unit_number and unit_id")
    shape = _SCAN if rights_only else _FULL
    read = shape.by_number if unit_id is None else shape.by_id
    src = _driver_source(source)
    rows, dialect = read.raw_rows(src, key=unit_number if unit_id is None else unit_id)
    if not rows:
        return None
    right_start, party_start, party_stop = shape.right_start, shape.party_start, shape.party_stop
    unit = read.slice_converter(dialect, 0, right_start)(rows[0][:right_start])
    right_of = read.slice_converter(dialect, right_start, party_start)
    party_of = read.slice_converter(dialect, party_start, party_stop)
    party_fields, party_unread = shape.party_fields, shape.party_unread
    columns: dict[int, tuple[Any, ...]] = {}
    parties: dict[int, list[PartySnapshot]] = {}
    for row in rows:
        right_id = row[right_start]
        if right_id is None:
            continue  # the unit without any current right
        if right_id not in columns:
            columns[right_id] = right_of(row[right_start:party_start])
            parties[right_id] = []
        if row[party_start] is not None:
            values = party_of(row[party_start:party_stop])
            parties[right_id].append(_snapshot(PartySnapshot, party_unread, party_fields, values))
    certificates: dict[int, list[str]] = {}
    open_cases: tuple[OpenCase, ...] = ()
    if not rights_only:
        if columns:
            for right_id, number in _CERTIFICATES.rows(src, unit_id=unit[0]):
                if right_id in columns:
                    certificates.setdefault(right_id, []).append(number)
        label = business_label or str
        open_cases = tuple(
            OpenCase(case_number, label(key), status)
            for case_number, key, status in _OPEN_CASES.rows(src, unit_id=unit[0])
        )
    right_fields, right_unread = shape.right_fields, shape.right_unread
    rights = []
    for right_id, values in columns.items():
        right = _snapshot(RightSnapshot, right_unread, right_fields, values)
        right.__dict__["parties"] = tuple(parties[right_id])
        right.__dict__["certificate_numbers"] = tuple(certificates.get(right_id, ()))
        rights.append(right)
    unit_id, number, location, planned_use, building_area = unit
    return _snapshot(
        UnitSnapshot,
        {},
        _UNIT_FIELDS,
        (number, location, tuple(rights), open_cases, unit_id, planned_use, building_area),
    )
