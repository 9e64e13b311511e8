"""The optimistic version check of a case: a window reads the case's version before showing it and passes it
back with its action, which is refused if someone else changed the case meanwhile."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from registry_desk.domain.clock import CHINA_TZ, as_utc
from registry_desk.domain.codes import Role
from registry_desk.domain.errors import ConflictError, NotFound
from registry_desk.kernel.context import Actor
from registry_desk.registration.queries import READERS
from registry_desk.storage.database import Database
from registry_desk.storage.driver_sql import Driver
from registry_desk.storage.register import cases as case_rows
from registry_desk.storage.register.history import display_name_of, last_change
from registry_desk.storage.register.recording import CaseColumns
from registry_desk.storage.session import Session, StaleDataError, mark_changed
from registry_desk.storage.tables import Case

RULE_VERSION = "并发修改（乐观版本校验）"


def _last_change(source: Session | Driver, case_number: str) -> tuple[str, datetime | None]:
    """Who changed the case last and when, from the audit trail (the user's name where the account is known)."""
    row = last_change(source, case_number)
    if row is None:
        return "其他窗口", None
    actor, occurred_at = row
    name = display_name_of(source, actor)
    return (name or actor), occurred_at


def conflict_error(session: Session | Driver, case_number: str) -> ConflictError:
    """The refusal a window gets for acting on a version of the case someone else has since changed."""
    who, when = _last_change(session, case_number)
    moment = f"{as_utc(when).astimezone(CHINA_TZ):%Y-%m-%d %H:%M:%S}" if when is not None else "刚才"
    return ConflictError(
        f"业务 {case_number} 已被 {who} 于 {moment} 修改，请刷新后重试；本次操作未保存",
        rule=RULE_VERSION,
        record=case_number,
    )


def check_version(session: Session | Driver, case: Case | CaseColumns, expected_version: int | None) -> None:
    """Refuses a write made against an older version of the case than the one now stored."""
    if expected_version is not None and case.version != expected_version:
        raise conflict_error(session, case.case_number)


def bump_version(case: Case) -> None:
    """Makes the case's row part of the write even when only its materials or certificates changed, so the
    version moves on and a window still showing the old state is refused."""
    mark_changed(case, "form")


def commit_case(uow: Any, record: str) -> None:
    """Commits the case's unit of work; a version conflict the flush finds is refused as `conflict_error`."""
    try:
        uow.commit()
    except StaleDataError as error:
        uow.rollback()
        raise conflict_error(uow.session, record) from error


def case_version(db: Database, actor: Actor, case_number: str) -> int:
    """The case's current version: a window reads it before showing the case and passes it back as
    `expected_version`, so its action is refused if someone else changed the case meanwhile."""
    # Two checks, not one list: a list naming the kiosk is kiosk-only work to `require`, which would shut
    # the administrator's window out of every case it opens.
    if actor.role is not Role.KIOSK:
        actor.require(*READERS, operation="查看业务")
    number = case_number.strip()
    with db.lookup() as conn:
        version = case_rows.case_version(conn, number)
    if version is None:
        raise NotFound(f"没有业务号为 {number} 的业务", rule="业务查询", record=number)
    return version
