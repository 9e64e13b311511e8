"""Brings a database to the schema this program needs (Alembic), and refuses one newer than itself."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from registry_desk.domain.errors import DomainError

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class SchemaTooNew(DomainError):
    """The database was migrated by a newer registry-desk."""


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_not_newer(engine: Engine) -> None:
    current = current_revision(engine)
    if current is None:
        return
    script = ScriptDirectory.from_config(_config())
    known = {rev.revision for rev in script.walk_revisions()}
    if current not in known:
        raise SchemaTooNew(
            f"数据库结构版本 {current} 比本程序新（本程序最高支持 {script.get_current_head()}），"
            "请先升级 registry-desk，不能用旧程序打开新数据库",
            rule="数据库版本检查",
            record=current,
        )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrades to `revision` in one transaction per migration; refuses a newer database first."""
    check_not_newer(engine)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def autogenerate(engine: Engine, message: str) -> None:
    """Developer tool: writes a new migration from the difference between the mappings and `engine`."""
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)
