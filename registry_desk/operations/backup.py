"""Backup and restore of the register: SQLite through the online backup API, PostgreSQL through pg_dump.

SQLite's backup API (`sqlite3.Connection.backup`) copies a consistent snapshot page by page while other
windows keep reading and writing (it restarts the copy if a writer changes a page it already copied), so the
counter need not close. A restore first proves the file is a registry-desk database at a schema revision this
program knows, and refuses to overwrite a database that already holds data unless told to.
PostgreSQL is backed up by the server's own tools; `postgres_commands` prints the documented commands.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from registry_desk.domain.errors import ConflictError, ValidationError
from registry_desk.storage import migrate
from registry_desk.storage.hall import backup as sqlite_file
from registry_desk.config import private_file

SQLITE_MAGIC = b"SQLite format 3\x00"
# A database is ours when it has these tables (besides Alembic's version table).
REGISTER_TABLES = ("units", "rights", "cases", "certificates", "audit_events", "audit_head", "sequences")
# A target holding rows in any of these is not empty: restoring over it would lose work.
CONTENT_TABLES = ("units", "cases", "audit_events", "users", "payment_orders")
PAGES_PER_STEP = 1024  # the copy yields the lock between steps, so windows keep working during a backup


@dataclass(frozen=True)
class BackupResult:
    path: Path
    revision: str
    bytes: int
    units: int
    cases: int
    audit_events: int

    def describe(self) -> str:
        return (
            f"已备份到 {self.path}（{self.bytes / 1_048_576:.1f} MB，结构版本 {self.revision}，"
            f"不动产单元 {self.units} 个、业务件 {self.cases} 件、审计记录 {self.audit_events} 条）"
        )


def sqlite_path(database_url: str) -> Path:
    """The file of a `sqlite:///…` URL; refuses in-memory and non-SQLite URLs."""
    if not database_url.startswith("sqlite"):
        raise ValidationError(
            "该数据库不是 SQLite，请用 pg_dump/pg_restore 备份和恢复（见 registry-desk backup 的提示）",
            rule="备份方式",
            record=database_url.split("://", 1)[0],
        )
    path = database_url.split("///", 1)[1] if "///" in database_url else ""
    if not path or path == ":memory:":
        raise ValidationError("内存数据库无法备份或恢复", rule="备份方式", record=database_url)
    return Path(path.split("?", 1)[0])


def inspect_file(path: Path) -> dict[str, int | str]:
    """Proves `path` is a registry-desk SQLite database at a known revision; returns its revision and counts.

    Opens the file read-only (a URI with mode=ro), so a foreign or damaged file is never written to.
    """
    path = Path(path)
    if not path.is_file():
        raise ValidationError(
            f"找不到备份文件 {path}", rule="恢复须使用 registry-desk 备份文件", record=str(path)
        )
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise ValidationError(
                f"{path} 不是 SQLite 数据库文件，不能作为 registry-desk 备份恢复",
                rule="恢复须使用 registry-desk 备份文件",
                record=str(path),
            )
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise ValidationError(
            f"无法打开 {path}：{error}", rule="恢复须使用 registry-desk 备份文件", record=str(path)
        ) from error
    try:
        try:
            check = sqlite_file.quick_check(conn)
            tables = sqlite_file.table_names(conn)
        except sqlite3.DatabaseError as error:
            raise ValidationError(
                f"{path} 已损坏：{error}", rule="恢复须使用 registry-desk 备份文件", record=str(path)
            ) from error
        if check != "ok":
            raise ValidationError(
                f"{path} 完整性检查未通过：{check}",
                rule="恢复须使用 registry-desk 备份文件",
                record=str(path),
            )
        missing = [t for t in ("alembic_version", *REGISTER_TABLES) if t not in tables]
        if missing:
            raise ValidationError(
                f"{path} 不是 registry-desk 数据库（缺少数据表 {'、'.join(missing)}）",
                rule="恢复须使用 registry-desk 备份文件",
                record=str(path),
            )
        revision = sqlite_file.stored_revision(conn)
        if revision not in sqlite_file.known_revisions():
            raise ValidationError(
                f"{path} 的结构版本“{revision}”不是本程序已知的版本（最高 {migrate.head_revision()}），"
                "可能来自更新的 registry-desk，请先升级程序",
                rule="恢复须使用已知结构版本的备份",
                record=str(path),
            )
        counts: dict[str, int | str] = {"revision": revision}
        for table in ("units", "cases", "audit_events"):
            counts[table] = sqlite_file.row_count(conn, table)
        return counts
    finally:
        conn.close()


def backup_sqlite(
    database_url: str,
    out: Path,
    *,
    overwrite: bool = False,
    checkpoints: list[tuple[str, str]] | None = None,
) -> BackupResult:
    """Copies the live database to `out` with the online backup API, then checks the copy.

    `checkpoints` (name, text): the audit chain's signed checkpoints (operations/audit_checkpoints.py), stored
    inside the copy so the backup carries the anchors of its own trail."""
    source = sqlite_path(database_url)
    out = Path(out)
    if not source.is_file():
        raise ValidationError(f"数据库文件 {source} 不存在", rule="备份", record=str(source))
    if out.exists() and not overwrite:
        raise ConflictError(
            f"{out} 已存在，不覆盖已有备份（换一个文件名）", rule="备份不覆盖已有文件", record=str(out)
        )
    if out.resolve() == source.resolve():
        raise ValidationError("备份文件不能是数据库本身", rule="备份", record=str(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    private_file(partial)  # a backup is the whole register: as private as the register itself
    src = sqlite3.connect(str(source), timeout=15)
    try:
        dst = sqlite3.connect(str(partial))
        try:
            src.backup(dst, pages=PAGES_PER_STEP)
            # A backup is one self-contained file: no WAL beside it.
            sqlite_file.set_journal_mode(dst, "DELETE")
            if checkpoints:
                sqlite_file.store_checkpoints(dst, checkpoints)
        finally:
            dst.close()
    finally:
        src.close()
    try:
        facts = inspect_file(partial)
    except ValidationError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(out)
    return BackupResult(
        out,
        str(facts["revision"]),
        out.stat().st_size,
        int(facts["units"]),
        int(facts["cases"]),
        int(facts["audit_events"]),
    )


def _target_content(path: Path) -> dict[str, int]:
    """Rows in the tables that make a database non-empty (none when the file is absent or has no tables)."""
    if not path.exists() or path.stat().st_size == 0:
        return {}
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = sqlite_file.table_names(conn)
        return {t: n for t in CONTENT_TABLES if t in tables and (n := sqlite_file.row_count(conn, t))}
    finally:
        conn.close()


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    revision: str
    units: int
    cases: int
    audit_events: int
    replaced: dict[str, int]
    checkpoints: list[tuple[str, str]] = field(default_factory=list)  # those the backup carried
    head_seq: int = 0  # the restored chain's last event

    def describe(self) -> str:
        text = (
            f"已从备份恢复到 {self.path}（结构版本 {self.revision}，不动产单元 {self.units} 个、"
            f"业务件 {self.cases} 件、审计记录 {self.audit_events} 条）"
        )
        if self.replaced:
            text += "；原有数据已被覆盖（" + "、".join(f"{t} {n} 行" for t, n in self.replaced.items()) + "）"
        return text


def restore_sqlite(backup: Path, database_url: str, *, force: bool = False) -> RestoreResult:
    """Writes `backup` over the database at `database_url`; refuses a non-empty target unless `force`.

    The copy goes through the backup API into the target connection, so a target in WAL mode is replaced
    whole (no stale -wal file left to be replayed over it). Close every window on that database first.
    """
    facts = inspect_file(backup)
    target = sqlite_path(database_url)
    if target.exists() and target.resolve() == Path(backup).resolve():
        raise ValidationError("备份文件与目标数据库是同一个文件", rule="恢复", record=str(target))
    content = _target_content(target)
    if content and not force:
        rows = "、".join(f"{t} {n} 行" for t, n in content.items())
        raise ConflictError(
            f"目标数据库 {target} 已有数据（{rows}），恢复会覆盖它们；确需覆盖请加 --force",
            rule="恢复不覆盖非空数据库",
            record=str(target),
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"{Path(backup).resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(str(target), timeout=15)
        try:
            src.backup(dst, pages=PAGES_PER_STEP)
            checkpoints = sqlite_file.stored_checkpoints(dst)
            sqlite_file.drop_checkpoints(dst)  # they go back to the data directory, not into the register
            head_seq = sqlite_file.head_seq(dst)
            sqlite_file.set_journal_mode(dst, "WAL")  # as the application keeps it
        finally:
            dst.close()
    finally:
        src.close()
    return RestoreResult(
        target,
        str(facts["revision"]),
        int(facts["units"]),
        int(facts["cases"]),
        int(facts["audit_events"]),
        content,
        checkpoints,
        head_seq,
    )


def libpq_url(database_url: str, *, hide_password: bool = True) -> str:
    """The SQLAlchemy URL as pg_dump understands it (no `+driver`), password hidden by default."""
    parts = urlsplit(database_url)
    scheme = parts.scheme.split("+", 1)[0]
    netloc = parts.netloc
    if hide_password and "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            netloc = f"{userinfo.split(':', 1)[0]}@{host}"
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


def postgres_commands(database_url: str, out: Path | str = "registry-desk.dump") -> dict[str, str]:
    """The documented pg_dump / pg_restore commands for a PostgreSQL register (custom format, one file).

    pg_dump takes a consistent snapshot without stopping the windows; pg_restore --clean --if-exists
    replaces the objects in the target; --no-owner lets another role own the restored tables. The password
    is not printed: give it through PGPASSWORD or ~/.pgpass.
    """
    url = libpq_url(database_url)
    return {
        "backup": f'pg_dump --format=custom --no-owner --file="{out}" "{url}"',
        "restore": f'pg_restore --clean --if-exists --no-owner --single-transaction --dbname="{url}" "{out}"',
        "verify": "registry-desk audit verify && registry-desk check",
    }
