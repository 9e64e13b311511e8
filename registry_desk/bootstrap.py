"""Opening a database for use: reach it, migrate it, and let the caller's seeding fill a fresh one.

The demo data set is not a concern of the production start-up: the entry points that want it (the quick
start, `init` without --no-demo, the kiosk's demo mode) pass demo/seed.py's `seed_demo` as `seed`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from registry_desk.config import Settings, private_dir
from registry_desk.kernel import audit as chain
from registry_desk.storage.database import Database, DatabaseUnavailable, first_line, redact_url
from registry_desk.storage.hall.backup import upgrade_refused


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


def open_database(settings: Settings, *, seed: Seed | None = None) -> OpenResult:
    """Connects, upgrades the schema (refusing a newer one), then runs `seed` on the database when given.
    Every failure is a DatabaseUnavailable/DomainError with a Chinese message."""
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
    seeded = seed(db, settings) if seed is not None else Seeded()
    return OpenResult(db, seeded.loaded, seeded.accounts)
