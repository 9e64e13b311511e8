"""Reads compiled once and run on the driver's cursor: for the few look-ups where every 0.1 ms shows."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select
from sqlalchemy.orm import Session


class PreparedRead:
    """A Core select compiled once per dialect and run as driver SQL on a unit of work's or a look-up's
    connection.

    For reads on the clerk's critical path (a scan, a prefill): building and cache-keying a select and
    SQLAlchemy's per-execution bookkeeping cost more than the indexed query itself, so the SQL text and
    the columns' result processors (codes to enums, fen to Money, hundredths to areas, SQLite's text
    dates) are kept per dialect and the rows are read straight from the driver's cursor.
    """

    def __init__(self, statement: Select[*tuple[Any, ...]]) -> None:
        self.statement = statement
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, list[Any]]] = {}

    def _prepare(self, dialect: Any) -> tuple[str, tuple[str, ...] | None, list[Any]]:
        compiled = self.statement.compile(dialect=dialect)
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        processors = [
            column.type.dialect_impl(dialect).result_processor(dialect, None)
            for column in self.statement.selected_columns
        ]
        entry = (str(compiled), order, processors)
        self._compiled[dialect.name] = entry
        return entry

    def rows(self, source: Session | Connection, **params: Any) -> list[tuple[Any, ...]]:
        # A Session's connection begins its transaction as any read does; a look-up connection has none.
        connection = source.connection() if isinstance(source, Session) else source
        return self.rows_on_driver(connection.connection, connection.dialect, **params)

    def rows_on_driver(self, driver_connection: Any, dialect: Any, **params: Any) -> list[tuple[Any, ...]]:
        """Runs on a driver (DBAPI) connection, e.g. from `Database.lookup_raw()`."""
        sql, order, processors = self._compiled.get(dialect.name) or self._prepare(dialect)
        bound: Any = tuple(params[name] for name in order) if order is not None else params
        cursor = driver_connection.cursor()
        try:
            cursor.execute(sql, bound)
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        converting = [(i, proc) for i, proc in enumerate(processors) if proc is not None]
        out = []
        for row in fetched:
            values = list(row)
            for i, proc in converting:
                if values[i] is not None:
                    values[i] = proc(values[i])
            out.append(tuple(values))
        return out
