"""The engine factory and the unit of work: the one place that owns connections and transactions."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, exc, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from registry_desk.config import private_file, redact_url
from registry_desk.domain.audit import ChainKey
from registry_desk.domain.errors import DomainError
from registry_desk.storage.driver_sql import Driver


# The audit chain's key of each open Database (kernel/audit.py), found from any of its transactions, a Session
# or a bare driver connection, through the engine's dialect: every connection of one engine (and of its
# execution-option variants) shares that one object, so `kernel.audit.append` needs no extra argument.
_CHAIN_KEYS: weakref.WeakKeyDictionary[Any, ChainKey] = weakref.WeakKeyDictionary()


def chain_key(sql: Driver) -> ChainKey | None:
    """The chain key configured for the database this transaction belongs to, or None."""
    return _CHAIN_KEYS.get(sql.dialect)


def remember_chain_key(sql: Driver, key: ChainKey) -> None:
    _CHAIN_KEYS[sql.dialect] = key


class DatabaseUnavailable(DomainError):
    """The database cannot be reached or opened."""


URL_RULE = "数据库地址"
URL_EXAMPLE = "应形如 sqlite:///路径/registry.sqlite3 或 postgresql+psycopg://用户@主机:5432/库名"
# The drivers this program ships with; anything else would end in an import error deep in SQLAlchemy.
SUPPORTED_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")


def check_url(url: str) -> None:
    """Refuses, before anything connects, a database URL that cannot work: unparsable, an unknown
    database or driver, a port that is no port, a SQLite path that names no file. A Chinese message."""
    shown = redact_url(url)

    def refuse(why: str) -> DatabaseUnavailable:
        return DatabaseUnavailable(f"数据库地址“{shown}”{why}", rule=URL_RULE, record=shown)

    if not url or not url.strip():
        raise refuse(f"为空：{URL_EXAMPLE}")
    try:
        parsed = make_url(url)
        port = parsed.port
    except (exc.ArgumentError, ValueError, TypeError):
        raise refuse(f"无法识别：{URL_EXAMPLE}") from None
    driver = parsed.drivername
    if driver not in SUPPORTED_DRIVERS:
        hint = "PostgreSQL 请写 postgresql+psycopg://" if driver.startswith("postgres") else URL_EXAMPLE
        raise refuse(f"的数据库类型或驱动“{driver}”不受支持（支持 {'、'.join(SUPPORTED_DRIVERS)}）：{hint}")
    if port is not None and not 0 < port < 65536:
        raise refuse(f"的端口 {port} 无效（应在 1 至 65535 之间）")
    if driver.startswith("sqlite"):
        database = parsed.database or ""
        if database and database != ":memory:":
            path = Path(database).expanduser()
            try:
                if path.exists() and not path.is_file():
                    raise refuse("指向的不是普通文件（SQLite 数据库须为文件）")
                parts = path.resolve().parts
                # /proc and /sys are never a database; /dev only on its tmpfs (/dev/shm).
                if parts[1:2] in (("proc",), ("sys",)) or (parts[1:2] == ("dev",) and parts[2:3] != ("shm",)):
                    raise refuse("指向系统的虚拟文件，不是普通文件（SQLite 数据库须为文件）")
            except (OSError, RuntimeError) as error:
                why = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
                raise refuse(f"的文件路径无效：{why}") from None


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event decide when and how a transaction starts (the pysqlite
        # driver would otherwise not BEGIN before a SELECT).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # The patience first: switching a new file to WAL takes the write lock, which another window may hold.
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: a commit is on the disk when it returns. Under WAL, NORMAL may lose the last transactions
        # (a recording, a settlement) to a power cut, though never corrupt the file; a registry may lose
        # none. The cost per commit is one more fsync of the WAL (`registry-desk bench` reports it).
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock up front, so two windows recording at once queue instead of
        # failing half-way with "database is locked"; readers do not block each other.
        # Sent to the driver directly: through exec_driver_sql, SQLAlchemy's execution machinery cost
        # more than the statement, on every transaction of every window.
        options = conn.get_execution_options()
        if options.get("registry_write"):
            conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE")
        elif not options.get("registry_lookup"):
            conn.connection.dbapi_connection.execute("BEGIN")


class Database:
    """An open database: one engine, sessions for reading and for writing."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 5) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo}
        check_url(url)
        if self.is_sqlite:
            path = url.split("///", 1)[1] if "///" in url else ""
            if path and path != ":memory:":
                try:
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                    private_file(
                        Path(path).expanduser()
                    )  # SQLite gives its -wal and -shm files the same mode
                except OSError as error:
                    raise DatabaseUnavailable(
                        f"无法打开数据库文件 {path}：{error.strerror or error}",
                        rule="数据库连接",
                        record=redact_url(url),
                    ) from None
            kwargs["connect_args"] = {"timeout": 15, "check_same_thread": False}
        else:
            kwargs["pool_size"] = pool_size
            kwargs["pool_pre_ping"] = True
        self.engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            _sqlite_setup(self.engine)
        self._write_engine = self.engine.execution_options(registry_write=True)
        # Single-statement look-ups (a scan at the counter) need no transaction round trip: one SELECT is
        # consistent by itself. AUTOCOMMIT spares PostgreSQL the BEGIN/ROLLBACK; on SQLite the begin hook
        # above skips its BEGIN.
        self._lookup_engine = (
            self.engine.execution_options(registry_lookup=True)
            if self.is_sqlite
            else self.engine.execution_options(isolation_level="AUTOCOMMIT", registry_lookup=True)
        )
        self._reader = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._local = threading.local()
        self._lookup_lock = threading.Lock()
        self._lookup_connections: list[Any] = []
        # A Database dropped without dispose() still closes its look-up connections.
        weakref.finalize(self, _close_all, self._lookup_connections)
        self._writer = sessionmaker(bind=self._write_engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"Database({redact_url(self.url)})"

    @property
    def audit_key(self) -> ChainKey | None:
        """The key the audit chain is hashed with (set by bootstrap.open_database from the data directory's
        keys/; None until then, when kernel/audit.py reads it from the settings at first need)."""
        return _CHAIN_KEYS.get(self.engine.dialect)

    @audit_key.setter
    def audit_key(self, key: ChainKey | None) -> None:
        if key is None:
            _CHAIN_KEYS.pop(self.engine.dialect, None)
        else:
            _CHAIN_KEYS[self.engine.dialect] = key

    def check_connection(self) -> None:
        """Raises DatabaseUnavailable with a clear Chinese message when the server is unreachable."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except exc.SQLAlchemyError as error:
            raise DatabaseUnavailable(
                f"无法连接数据库 {redact_url(self.url)}：{first_line(error)}",
                rule="数据库连接",
                record=redact_url(self.url),
            ) from error

    @contextmanager
    def lookup(self) -> Iterator[Connection]:
        """A connection for ONE read-only statement (or several that need not agree with each other).
        Anything that reads related rows consistently, or writes, uses `unit_of_work` instead."""
        try:
            with self._lookup_engine.connect() as conn:
                yield conn
        except exc.DBAPIError as error:
            if isinstance(error, (exc.OperationalError, exc.InterfaceError)) or error.connection_invalidated:
                raise DatabaseUnavailable(
                    f"查询时数据库不可用：{first_line(error)}；请稍后重试",
                    rule="数据库连接",
                    record=redact_url(self.url),
                ) from error
            raise

    @contextmanager
    def lookup_raw(self) -> Iterator[Any]:
        """A driver (DBAPI) connection of this thread's own, in autocommit, for a PreparedRead on the
        scan-to-screen path: no pool checkout, no reset, no BEGIN. A connection that fails is dropped and
        the next look-up opens a fresh one."""
        conn = getattr(self._local, "lookup", None)
        if conn is None:
            fairy = self.engine.raw_connection()
            driver = fairy.dbapi_connection  # set up by the connect hooks (pragmas) like any other
            if driver is None:
                raise DatabaseUnavailable(
                    f"无法连接数据库 {redact_url(self.url)}", rule="数据库连接", record=redact_url(self.url)
                )
            fairy.detach()  # ours for this thread's look-ups; closed by dispose()
            if not self.is_sqlite:
                driver.autocommit = True
            conn = self._local.lookup = driver
            with self._lookup_lock:
                self._lookup_connections.append(driver)
        try:
            yield conn
        except BaseException as error:
            self._local.lookup = None
            with self._lookup_lock:
                if conn in self._lookup_connections:
                    self._lookup_connections.remove(conn)
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - the connection is being dropped because it failed
                pass
            if isinstance(error, self.engine.dialect.loaded_dbapi.Error):
                raise DatabaseUnavailable(
                    f"查询时数据库连接中断：{first_line(error)}；请重试（将自动重新连接）",
                    rule="数据库连接",
                    record=redact_url(self.url),
                ) from error
            raise

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[UnitOfWork]:
        uow = UnitOfWork(self._writer() if write else self._reader())
        try:
            yield uow
        except (exc.OperationalError, exc.InterfaceError) as error:
            # The server went away (or SQLite stayed locked past the busy timeout) in the middle of the
            # work: the transaction is rolled back below; the window says so in Chinese instead of crashing.
            raise unavailable(error) from error
        finally:
            uow.close()

    @contextmanager
    def driver_work(self) -> Iterator[DriverWork]:
        """A write transaction on a pooled driver connection, for use cases that run only compiled
        statements (storage/driver_sql.py): recording a case. The same guarantees as `unit_of_work`
        (SQLite's write lock taken at BEGIN IMMEDIATE, nothing saved without `commit()`, any error rolls
        everything back, an unreachable database is a DatabaseUnavailable) without the ORM Session, whose
        set-up, bookkeeping and teardown cost more than the dozen statements of a recording."""
        dialect = self.engine.dialect
        try:
            fairy = self.engine.raw_connection()
        except exc.DBAPIError as error:
            raise unavailable(error) from error
        work = DriverWork(fairy, dialect)
        try:
            if self.is_sqlite:
                try:
                    driver = fairy.dbapi_connection
                    assert driver is not None  # a checked-out connection has its driver connection
                    driver.execute("BEGIN IMMEDIATE")
                except dialect.loaded_dbapi.Error as error:
                    raise unavailable(error) from error
            yield work
        except (
            exc.OperationalError,
            exc.InterfaceError,
            dialect.loaded_dbapi.OperationalError,  # a statement run on the driver cursor directly
            dialect.loaded_dbapi.InterfaceError,
        ) as error:
            work.invalidate_if_lost(error)
            raise unavailable(error) from error
        finally:
            work.close()

    def dispose(self) -> None:
        with self._lookup_lock:
            _close_all(self._lookup_connections)
        self._local = threading.local()
        self.engine.dispose()


def _close_all(connections: list[Any]) -> None:
    while connections:
        conn = connections.pop()
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - closing on shutdown; nothing to recover
            pass


class UnitOfWork:
    """A transaction: nothing is written unless `commit()` is called; any error rolls everything back."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._committed = False

    def commit(self) -> None:
        try:
            self.session.commit()
        except exc.OperationalError as error:
            self.session.rollback()
            raise DatabaseUnavailable(
                f"保存失败，数据库不可用：{first_line(error)}；本次操作未保存任何内容", rule="数据库事务"
            ) from error
        self._committed = True

    def rollback(self) -> None:
        self.session.rollback()

    def close(self) -> None:
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()


class DriverWork:
    """One write transaction on a driver connection checked out of the pool (see `Database.driver_work`)."""

    __slots__ = ("_committed", "_fairy", "_lost", "driver")

    def __init__(self, fairy: Any, dialect: Any) -> None:
        self._fairy = fairy
        self.driver = Driver(fairy.dbapi_connection, dialect)
        self._committed = False
        self._lost = False

    def commit(self) -> None:
        try:
            self._fairy.dbapi_connection.commit()
        except self.driver.dialect.loaded_dbapi.Error as error:
            self.invalidate_if_lost(error)
            raise unavailable(error) from error
        self._committed = True

    def invalidate_if_lost(self, error: BaseException) -> None:
        orig = getattr(error, "orig", error)
        try:
            lost = self.driver.dialect.is_disconnect(orig, self._fairy.dbapi_connection, None)
        except Exception:  # noqa: BLE001 - deciding is best effort; a broken connection fails its next use
            lost = False
        if lost:
            self._lost = True
            self._fairy.invalidate(orig)

    def close(self) -> None:
        try:
            if not self._committed and not self._lost:
                self._fairy.dbapi_connection.rollback()
        except Exception:  # noqa: BLE001 - the connection is returned (and reset) by the pool either way
            pass
        finally:
            self._fairy.close()


def unavailable(error: BaseException) -> DatabaseUnavailable:
    """The Chinese refusal for a database that failed in the middle of a write: nothing of it was saved."""
    return DatabaseUnavailable(
        f"数据库不可用或繁忙：{first_line(error)}；本次操作未保存任何内容，请稍后重试", rule="数据库事务"
    )


def first_line(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
