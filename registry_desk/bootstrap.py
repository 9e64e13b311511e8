"""Opening a database for use: reach it, migrate it, and give a fresh demo database its data and accounts."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import exc

from registry_desk.config import Settings
from registry_desk.kernel.context import SYSTEM
from registry_desk.storage import migrate
from registry_desk.storage.database import Database, DatabaseUnavailable, first_line, redact_url


@dataclass(frozen=True)
class OpenResult:
    db: Database
    demo_loaded: bool
    demo_accounts: dict[str, str]


def open_database(settings: Settings, *, demo: bool = True) -> OpenResult:
    """Connects, upgrades the schema (refusing a newer one), and loads the demo data set into an empty
    database when `demo` is set. Every failure is a DatabaseUnavailable/DomainError with a Chinese message."""
    db = Database(settings.database_url)
    db.check_connection()
    try:
        migrate.upgrade(db.engine)
    except exc.SQLAlchemyError as error:
        db.dispose()
        raise DatabaseUnavailable(
            f"数据库 {redact_url(settings.database_url)} 无法升级到本程序的结构：{first_line(error)}"
            "（文件可能已损坏，或不是 registry-desk 的数据库）",
            rule="数据库结构",
            record=redact_url(settings.database_url),
        ) from error
    except Exception:
        db.dispose()
        raise
    loaded = False
    accounts: dict[str, str] = {}
    if demo:
        from registry_desk.demo import demo_data
        from registry_desk.demo import demo_users

        if demo_data.is_empty(db):
            demo_data.load_demo(db)
            loaded = True
            _seed_demo_cases(db, settings)
        accounts = demo_users.ensure_demo_accounts(db, settings.data_dir, SYSTEM)
    return OpenResult(db, loaded, accounts)


def _seed_demo_cases(db: Database, settings: Settings) -> None:
    """A fresh demo counter shows cases in every state, and two banks' sealed mortgage contracts wait in
    bank_inbox for F6. A refusal here (a year whose holidays are not confirmed yet, so no due date can be
    computed) leaves the register without demo cases, not unusable."""
    from registry_desk.domain.errors import DomainError
    from registry_desk.domain.clock import local_date
    from registry_desk.kernel.context import utc_now
    from registry_desk.demo.demo_cases import seed_demo_cases

    try:
        seed_demo_cases(db, settings, today=local_date(utc_now()))
    except DomainError as error:
        logging.getLogger(__name__).warning("演示业务未生成：%s", error)
    from registry_desk.exemptions.bank_contracts import deliver_demo_contracts

    try:
        deliver_demo_contracts(db, settings, today=local_date(utc_now()))
    except (DomainError, OSError) as error:
        logging.getLogger(__name__).warning("演示银行抵押合同未生成：%s", error)
