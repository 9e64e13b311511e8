"""Opening a database for use: reach it, migrate it, and let the caller's seeding fill a fresh one.

The demo data set is not a concern of the production start-up: the entry points that want it (the quick
start, `init` without --no-demo, the kiosk's demo mode) pass demo/seed.py's `seed_demo` as `seed`.

Whether a register is a demo is decided here, once, the first time the application opens it, and kept in
the database (table register_kind, migration 0008): a demo register only when its opener asked for the
demo AND the database held nothing yet (no account, unit or case); any other first opening (`init
--no-demo`, `user add`, `check`, …) makes it a production register. The decision is never revised, and the
seeding runs only on a demo register, so no launch, default or not, ever puts the demo accounts (`admin`
with a password in a text file) or the demo data into a production register.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from registry_desk.config import Settings, private_dir
from registry_desk.kernel import audit as chain
from registry_desk.kernel.context import utc_now
from registry_desk.storage.database import Database, DatabaseUnavailable, first_line, redact_url
from registry_desk.storage.hall.backup import upgrade_refused
from registry_desk.storage.hall.users import (
    count_users,
    decide_register_kind,
    register_in_use,
    register_is_demo,
)


@dataclass(frozen=True)
class Seeded:
    """What a seeding did: whether it loaded a data set into the empty database, and the accounts it made
    ({username: password})."""

    loaded: bool = False
    accounts: dict[str, str] = field(default_factory=dict)


Seed = Callable[[Database, Settings], Seeded]


@dataclass(frozen=True)
class OpenResult:
    db: Database
    demo_loaded: bool
    demo_accounts: dict[str, str]
    demo: bool = False  # the register is a demo register
    accounts: int = 0  # how many accounts it has (none: a production register's first administrator is due)


def open_database(settings: Settings, *, seed: Seed | None = None, demo: bool | None = None) -> OpenResult:
    """Connects, upgrades the schema (refusing a newer one), decides a new register's kind, then runs `seed`
    when given and the register is a demo one. `demo` is what the opener wants a new register to be (by
    default: a demo when a seeding is given). Every failure is a DatabaseUnavailable/DomainError with a
    Chinese message."""
    private_dir(settings.data_dir)
    db = Database(settings.database_url)
    # The audit chain is keyed with this data directory's key: every write path's kernel.audit.append finds it.
    db.audit_key = chain.load_chain_key(settings.keys_dir)
    db.check_connection()
    try:
        error = upgrade_refused(db.engine)
    except Exception:
        db.dispose()
        raise
    if error is not None:
        db.dispose()
        raise DatabaseUnavailable(
            f"数据库 {redact_url(settings.database_url)} 无法升级到本程序的结构：{first_line(error)}"
            "（文件可能已损坏，或不是 registry-desk 的数据库）",
            rule="数据库结构",
            record=redact_url(settings.database_url),
        ) from error
    try:
        is_demo = _register_kind(db, seed is not None if demo is None else demo)
        seeded = seed(db, settings) if seed is not None and is_demo else Seeded()
        with db.unit_of_work(write=False) as uow:
            accounts = count_users(uow.session)
    except Exception:
        db.dispose()
        raise
    return OpenResult(db, seeded.loaded, seeded.accounts, is_demo, accounts)


def _register_kind(db: Database, wants_demo: bool) -> bool:
    """The register's kind, deciding it (see the module's note) when this is its first opening."""
    with db.unit_of_work(write=False) as uow:
        kind = register_is_demo(uow.session)
    if kind is not None:
        return kind
    with db.unit_of_work() as uow:
        demo = wants_demo and not register_in_use(uow.session)
        by = "演示启动" if demo else "生产启动"
        kind = decide_register_kind(uow.session, demo, by, utc_now())
        uow.commit()
    return kind
