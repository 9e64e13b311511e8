"""Core statements compiled once and run on the driver cursor of a unit of work: for the hot write paths.

Recording a case and settling a payment run a dozen small statements each. Building, cache-keying and
executing them through the ORM (or even Core) costs many times the statements themselves, so these paths
compile each statement once per dialect, keep its bind and result converters, and run it on the driver
connection the unit of work's transaction already holds. The statement is still a SQLAlchemy construct
(one text for SQLite and PostgreSQL, `FOR UPDATE` where the dialect has it) and the values still pass
through the columns' own types (codes, fen, hundredths, UTC timestamps, JSON), so what is written is
exactly what the ORM would write. Driver errors are raised as SQLAlchemy's exception classes, as before.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, exc
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from registry_desk.storage.prepared import _processor


class _Compiled:
    __slots__ = ("binders", "fixed", "none_binders", "order", "results", "sql")

    def __init__(self, sql: str, order: tuple[str, ...] | None, fixed: dict[str, Any],
                 binders: dict[str, Any], none_binders: frozenset[str], results: list[Any] | None) -> None:
        self.sql = sql
        self.order = order
        self.fixed = fixed
        self.binders = binders
        self.none_binders = none_binders  # JSON: None is written as JSON null, as the ORM writes it
        self.results = results


def driver(source: Session | Connection) -> tuple[Any, Any]:
    """The driver connection and dialect of a unit of work (its transaction begins here if it has not)."""
    connection = source.connection() if isinstance(source, Session) else source
    return connection.connection, connection.dialect


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
        compiled = self.statement.compile(dialect=dialect, column_keys=list(self.keys) or None)
        names = dict(compiled.bind_names)  # BindParameter -> its name in the SQL
        fixed: dict[str, Any] = {}
        binders: dict[str, Any] = {}
        none_binders = set()
        for bind, name in names.items():
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                binders[name] = processor
                if bind.type.should_evaluate_none:
                    none_binders.add(name)
            if bind.required or name in self.keys:
                continue
            # A literal in the statement (`version + 1`, `status = 'current'`): its value is part of it.
            value = bind.effective_value
            fixed[name] = processor(value) if processor is not None and value is not None else value
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        expected = set(names.values()) - set(fixed)
        if not set(self.keys) <= expected:
            raise ValueError(f"statement does not take {sorted(set(self.keys) - expected)}")
        # A select's columns, or what an INSERT/UPDATE … RETURNING hands back.
        columns = getattr(self.statement, "selected_columns", None)
        if columns is None:
            columns = getattr(self.statement, "exported_columns", None)
        results = [_processor(c.type, dialect) for c in columns] if columns is not None and len(columns) else None
        entry = _Compiled(str(compiled), order, fixed, binders, frozenset(none_binders), results)
        self._compiled[dialect.name] = entry
        return entry

    def _bound(self, entry: _Compiled, params: dict[str, Any]) -> Any:
        values = dict(entry.fixed)
        binders = entry.binders
        for name, value in params.items():
            if name in binders and (value is not None or name in entry.none_binders):
                value = binders[name](value)
            values[name] = value
        if entry.order is None:
            return values
        return tuple(values[name] for name in entry.order)

    def _run(self, source: Session | Connection, params: dict[str, Any] | list[dict[str, Any]], many: bool) -> Any:
        conn, dialect = driver(source)
        entry = self._compiled.get(dialect.name) or self._prepare(dialect)
        bound = [self._bound(entry, p) for p in params] if many else self._bound(entry, params)  # type: ignore[arg-type]
        cursor = conn.cursor()
        try:
            if many:
                cursor.executemany(entry.sql, bound)
            else:
                cursor.execute(entry.sql, bound)
        except dialect.loaded_dbapi.Error as error:
            cursor.close()
            raise exc.DBAPIError.instance(
                entry.sql, bound, error, dialect.loaded_dbapi.Error, dialect=dialect
            ) from error
        return cursor, entry

    def rows(self, source: Session | Connection, **params: Any) -> list[tuple[Any, ...]]:
        """Every row the statement returns, with the columns' converters applied."""
        cursor, entry = self._run(source, params, False)
        try:
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        if not entry.results:
            return [tuple(row) for row in fetched]
        converting = [(i, p) for i, p in enumerate(entry.results) if p is not None]
        if not converting:
            return [tuple(row) for row in fetched]
        out = []
        for row in fetched:
            values = list(row)
            for i, proc in converting:
                if values[i] is not None:
                    values[i] = proc(values[i])
            out.append(tuple(values))
        return out

    def first(self, source: Session | Connection, **params: Any) -> tuple[Any, ...] | None:
        found = self.rows(source, **params)
        return found[0] if found else None

    def execute(self, source: Session | Connection, **params: Any) -> int:
        """Runs a write; returns the number of rows it touched (for optimistic checks)."""
        cursor, _entry = self._run(source, params, False)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def execute_many(self, source: Session | Connection, params: list[dict[str, Any]]) -> None:
        """One write for many rows (executemany)."""
        if not params:
            return
        cursor, _entry = self._run(source, params, True)
        cursor.close()
