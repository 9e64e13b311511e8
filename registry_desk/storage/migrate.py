"""Brings a database to the schema this program needs (Alembic), and refuses one newer than itself."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, exc, text

from registry_desk.domain.errors import DomainError

if TYPE_CHECKING:
    from alembic.config import Config

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# The newest migration's revision. Opening a database already there needs no Alembic at all (importing it and
# loading every migration script cost a quarter of a second before the clerk could sign in); a test keeps this
# equal to what Alembic computes from the scripts, so a new migration cannot be forgotten here.
HEAD = "0009"


class SchemaTooNew(DomainError):
    """The database was migrated by a newer registry-desk."""


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_not_newer(engine: Engine) -> None:
    current = current_revision(engine)
    if current is None:
        return
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config())
    known = {rev.revision for rev in script.walk_revisions()}
    if current not in known:
        raise SchemaTooNew(
            f"数据库结构版本 {current} 比本程序新（本程序最高支持 {script.get_current_head()}），"
            "请先升级 registry-desk，不能用旧程序打开新数据库",
            rule="数据库版本检查",
            record=current,
        )


def stored_revision(engine: Engine) -> str | None:
    """The revision recorded in the database, read with one plain SELECT (None for a database Alembic never
    touched)."""
    with engine.connect() as conn:
        try:
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
        except exc.DBAPIError:
            return None  # no such table: a new or foreign database, which `upgrade` handles through Alembic
        return None if row is None else str(row[0])


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrades to `revision` in one transaction per migration; refuses a newer database first."""
    if revision == "head" and stored_revision(engine) == HEAD:
        return
    from alembic import command

    check_not_newer(engine)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def autogenerate(engine: Engine, message: str) -> None:
    """Developer tool: writes a new migration from the difference between the mappings and `engine`."""
    from alembic import command

    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)
