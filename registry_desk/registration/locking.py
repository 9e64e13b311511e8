"""Taking a case's locks for a write: its unit row first, then the case, the one order every writer of a
unit keeps (PostgreSQL `FOR UPDATE`; on SQLite the transaction already holds the write lock from BEGIN
IMMEDIATE). Every use case then re-reads what it needs and checks the rules on a fresh snapshot, so a
refusal or a crash saves nothing."""

from __future__ import annotations

from registry_desk.domain.errors import NotFound
from registry_desk.storage.register import cases as case_rows
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Case, Unit


def unit_id_for_number(session: Session, unit_number: str) -> int:
    """The id of the unit with this 不动产单元号 (blanks and case ignored); refused when there is none."""
    number = unit_number.strip().upper()
    unit_id = case_rows.unit_id_of_number(session, number)
    if unit_id is None:
        raise NotFound(f"登记簿中没有不动产单元号为 {number} 的单元", rule="单元查询", record=number)
    return unit_id


def locked_unit(session: Session, unit_number: str) -> Unit:
    """The unit with this 不动产单元号, locked."""
    return case_rows.lock_unit(session, unit_id_for_number(session, unit_number))


def locked_case(session: Session, case_number: str) -> Case:
    """The case, re-read after its unit is locked, so every writer of a unit takes the locks in one order."""
    number = case_number.strip()
    unit_id = case_rows.unit_id_of_case(session, number)
    if unit_id is None:
        raise NotFound(f"没有业务号为 {number} 的业务", rule="业务查询", record=number)
    case_rows.lock_unit(session, unit_id)
    return case_rows.lock_case(session, number)
