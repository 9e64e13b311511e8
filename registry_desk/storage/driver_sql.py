"""Core statements compiled once and run on the driver cursor of a unit of work: for the hot write paths.

Recording a case and settling a payment run a dozen small statements each. Building, cache-keying and
executing them through the ORM (or even Core) costs many times the statements themselves, so these paths
compile each statement once per dialect, keep its bind and result converters, and run it on the driver
connection the unit of work's transaction already holds. The statement is still a SQLAlchemy construct
(one text for SQLite and PostgreSQL, `FOR UPDATE` where the dialect has it) and the values still pass
through the columns' own types (codes, fen, hundredths, UTC timestamps, JSON), so what is written is
exactly what the ORM would write. Driver errors are raised as SQLAlchemy's exception classes, as before.

Only SQLAlchemy's documented interface is used: a statement's `compile(dialect=...)`, the compiled
statement's text, `binds`, `positional` and `positiontup`, a bind's `required`, `effective_value` and type,
the types' `dialect_impl`, `load_dialect_impl`, `bind_processor` and `result_processor`, and the exception
classes' constructors; so the fast path follows SQLAlchemy's releases without a version pin.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, exc
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from registry_desk.storage.prepared import driver_type, result_processor, row_converter

_PASSED = object()  # a bind the caller passes (as opposed to a literal fixed in the statement)


# PEP 249's exception classes, most specific first, each with SQLAlchemy's class of the same name: a
# driver error raised on the fast path is caught by the same `except IntegrityError` as one from the ORM.
_SQLALCHEMY_ERRORS: tuple[tuple[str, type[exc.DBAPIError]], ...] = (
    ("IntegrityError", exc.IntegrityError),
    ("DataError", exc.DataError),
    ("OperationalError", exc.OperationalError),
    ("ProgrammingError", exc.ProgrammingError),
    ("NotSupportedError", exc.NotSupportedError),
    ("InternalError", exc.InternalError),
    ("DatabaseError", exc.DatabaseError),
    ("InterfaceError", exc.InterfaceError),
)


def wrapped_error(error: BaseException, sql: str, params: Any, dbapi: Any) -> exc.DBAPIError:
    """The driver's `error` as the SQLAlchemy exception the ORM would have raised for it."""
    for name, wrapper in _SQLALCHEMY_ERRORS:
        driver_class = getattr(dbapi, name, None)
        if driver_class is not None and isinstance(error, driver_class):
            return wrapper(sql, params, error)
    return exc.DBAPIError(sql, params, error)


class Driver:
    """The driver connection of a unit of work's transaction, with its dialect. Take it once per use case
    (`driver(session)`) and hand it to every statement: asking the Session each time costs more than a
    small statement does."""

    __slots__ = ("_cursor", "connection", "dialect", "name")

    def __init__(self, connection: Any, dialect: Any) -> None:
        self.connection = connection
        self.dialect = dialect
        self.name = dialect.name
        self._cursor: Any = None

    def cursor(self) -> Any:
        # One cursor for the use case's statements: each is read to the end before the next runs.
        if self._cursor is None:
            self._cursor = self.connection.cursor()
        return self._cursor


def driver(source: Session | Connection | Driver) -> Driver:
    """The driver connection of a unit of work (its transaction begins here if it has not yet).

    A Session's pending ORM changes are flushed first, as its autoflush would before a query: statements
    on the driver then see them, and a refused change (a version conflict, a broken constraint) is raised
    here, before anything depending on it is written."""
    if isinstance(source, Driver):
        return source
    if isinstance(source, Session):
        source.flush()
        connection = source.connection()
    else:
        connection = source
    return Driver(connection.connection, connection.dialect)


def _bind_processor(type_: Any, dialect: Any) -> Any:
    # Our own column types convert a value in one call (storage/types.py `direct_bind`), then the driver
    # type's own processor (SQLite's text dates) if it has one; SQLAlchemy's wrapper costs as much again.
    direct = getattr(type_, "direct_bind", None)
    if direct is None:
        return type_.dialect_impl(dialect).bind_processor(dialect)
    inner = driver_type(type_, dialect).bind_processor(dialect)
    convert = direct(dialect)
    if inner is None:
        return convert
    return lambda value: None if (value := convert(value)) is None else inner(value)


class _Compiled:
    __slots__ = ("named", "plan", "results", "sql")

    def __init__(self, sql: str, plan: list[tuple[str, Any, bool, Any]], named: bool, results: Any) -> None:
        self.sql = sql
        # Per bind, in the SQL's order: (name, converter or None, convert None too (JSON null), fixed value)
        self.plan = plan
        self.named = named
        self.results = results  # a row's converter (prepared.row_converter), None when no column needs one


class Prepared:
    """One statement (select, insert, update; with RETURNING or not), compiled once per dialect.

    Parameters are the statement's `bindparam` names (for an insert or an update's SET, the column keys
    given in `keys`); every one must be passed, none is filled in behind the caller's back (a column default
    the caller forgot would otherwise be silently left out of the driver's SQL).
    """

    def __init__(self, statement: Executable, keys: tuple[str, ...] = ()) -> None:
        self.statement = statement
        self.keys = keys
        self._compiled: dict[str, _Compiled] = {}

    def _prepare(self, dialect: Any) -> _Compiled:
        statement: Any = self.statement  # a compilable statement (select, insert, update)
        compiled = statement.compile(dialect=dialect, column_keys=list(self.keys) or None)
        # Every bind as the SQL names it, with its value when the statement fixes one (None otherwise).
        defaults = compiled.params
        # SQLAlchemy's own processors, for the literals fixed in the statement (converted once, here).
        literal_processors = compiled.construct_expanded_state(defaults).processors
        by_name: dict[str, tuple[Any, bool, Any]] = {}
        for name, value in defaults.items():
            bind = compiled.binds.get(name)  # a bind the caller names keeps its name in the SQL
            if bind is not None and (bind.required or name in self.keys):
                processor = _bind_processor(bind.type, dialect)
                none_too = processor is not None and bool(bind.type.should_evaluate_none)
                by_name[name] = (processor, none_too, _PASSED)
                continue
            # A literal in the statement (`version + 1`, `status = 'current'`): its value is part of it.
            literal = literal_processors.get(name)
            by_name[name] = (
                None,
                False,
                literal(value) if literal is not None and value is not None else value,
            )
        passed = {name for name, (_p, _n, fixed) in by_name.items() if fixed is _PASSED}
        if not set(self.keys) <= passed:
            raise ValueError(f"statement does not take {sorted(set(self.keys) - passed)}")
        named = not compiled.positional
        order = list(by_name) if named else list(compiled.positiontup or ())
        plan = [(name, *by_name[name]) for name in order]
        # A select's columns, or what an INSERT/UPDATE … RETURNING hands back.
        columns = getattr(self.statement, "selected_columns", None)
        if columns is None:
            columns = getattr(self.statement, "exported_columns", None)
        results = None
        if columns is not None and len(columns):
            results = row_converter([result_processor(c.type, dialect) for c in columns])
        entry = _Compiled(str(compiled), plan, named, results)
        self._compiled[dialect.name] = entry
        return entry

    @staticmethod
    def _bound(entry: _Compiled, params: dict[str, Any]) -> Any:
        values = []
        for name, processor, none_too, fixed in entry.plan:
            if fixed is not _PASSED:
                values.append(fixed)
                continue
            value = params[name]
            if processor is not None and (value is not None or none_too):
                value = processor(value)
            values.append(value)
        if entry.named:
            return dict(zip((step[0] for step in entry.plan), values, strict=True))
        return values

    def _run(self, source: Session | Connection | Driver, params: Any, many: bool) -> Any:
        handle = source if type(source) is Driver else driver(source)
        dialect = handle.dialect
        entry = self._compiled.get(handle.name) or self._prepare(dialect)
        bound = [self._bound(entry, p) for p in params] if many else self._bound(entry, params)
        cursor = handle.cursor()
        try:
            if many:
                cursor.executemany(entry.sql, bound)
            else:
                cursor.execute(entry.sql, bound)
        except dialect.loaded_dbapi.Error as error:
            raise wrapped_error(error, entry.sql, bound, dialect.loaded_dbapi) from error
        return cursor, entry

    def rows(self, source: Session | Connection | Driver, /, **params: Any) -> list[tuple[Any, ...]]:
        """Every row the statement returns, with the columns' converters applied."""
        cursor, entry = self._run(source, params, False)
        fetched = cursor.fetchall()
        return list(map(entry.results or tuple, fetched))

    def first(self, source: Session | Connection | Driver, /, **params: Any) -> tuple[Any, ...] | None:
        found = self.rows(source, **params)
        return found[0] if found else None

    def execute(self, source: Session | Connection | Driver, /, **params: Any) -> int:
        """Runs a write; returns the number of rows it touched (for optimistic checks)."""
        cursor, _entry = self._run(source, params, False)
        return int(cursor.rowcount)

    def execute_many(self, source: Session | Connection | Driver, params: list[dict[str, Any]]) -> None:
        """One write for many rows (executemany)."""
        if not params:
            return
        self._run(source, params, True)
