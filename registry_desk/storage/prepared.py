"""Reads compiled once and run on the driver's cursor: for the few look-ups where every 0.1 ms shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from datetime import date

from sqlalchemy import Connection, Date, Select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class DriverSource:
    """A driver connection with its dialect (from `Database.lookup_raw()`), for prepared reads."""

    driver: Any
    dialect: Any


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
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, Any]] = {}
        self._slices: dict[tuple[str, int, int], Any] = {}

    def _prepare(self, dialect: Any) -> tuple[str, tuple[str, ...] | None, Any]:
        compiled = self.statement.compile(dialect=dialect)
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        processors = [result_processor(column.type, dialect) for column in self.statement.selected_columns]
        entry = (str(compiled), order, row_converter(processors))
        self._compiled[dialect.name] = entry
        return entry

    def rows(self, source: Session | Connection | DriverSource, **params: Any) -> list[tuple[Any, ...]]:
        # A Session's connection begins its transaction as any read does; a look-up connection has none.
        if isinstance(source, DriverSource):
            return self.rows_on_driver(source.driver, source.dialect, **params)
        connection = source.connection() if isinstance(source, Session) else source
        return self.rows_on_driver(connection.connection, connection.dialect, **params)

    def rows_on_driver(self, driver_connection: Any, dialect: Any, **params: Any) -> list[tuple[Any, ...]]:
        """Runs on a driver (DBAPI) connection, e.g. from `Database.lookup_raw()`."""
        fetched, convert = self._fetch(driver_connection, dialect, params)
        return list(map(convert or tuple, fetched))

    def raw_rows(self, source: Session | Connection | DriverSource, **params: Any) -> tuple[list[Any], Any]:
        """The driver's rows unconverted, with the dialect, for a caller that converts only the columns it
        uses, and each repeated group once (`slice_converter`): a join repeating a right's columns on every
        party row need not convert them on every row."""
        if isinstance(source, DriverSource):
            driver_connection, dialect = source.driver, source.dialect
        else:
            connection = source.connection() if isinstance(source, Session) else source
            driver_connection, dialect = connection.connection, connection.dialect
        return self._fetch(driver_connection, dialect, params)[0], dialect

    def slice_converter(self, dialect: Any, start: int, stop: int) -> Any:
        """A converter for `row[start:stop]` (the tuple itself when none of those columns converts)."""
        key = (dialect.name, start, stop)
        found = self._slices.get(key)
        if found is None:
            processors = [
                result_processor(c.type, dialect) for c in list(self.statement.selected_columns)[start:stop]
            ]
            found = self._slices[key] = row_converter(processors) or tuple
        return found

    def _fetch(self, driver_connection: Any, dialect: Any, params: dict[str, Any]) -> tuple[list[Any], Any]:
        sql, order, convert = self._compiled.get(dialect.name) or self._prepare(dialect)
        bound: Any = tuple(params[name] for name in order) if order is not None else params
        cursor = driver_connection.cursor()
        try:
            cursor.execute(sql, bound)
            fetched = cursor.fetchall()
        finally:
            cursor.close()
        return fetched, convert


def row_converter(processors: list[Any]) -> Any:
    """One function turning a driver row into the tuple of converted values, or None when no column needs
    converting. Written out per statement (`p3(row[3])` for the columns that convert, `row[0]` for the
    rest): a generic loop over the columns cost as much as the indexed query on the scan-to-screen path."""
    if not any(processors):
        return None
    names: dict[str, Any] = {}
    parts = []
    for i, proc in enumerate(processors):
        if proc is None:
            parts.append(f"row[{i}]")
        else:
            names[f"p{i}"] = proc
            parts.append(f"(None if row[{i}] is None else p{i}(row[{i}]))")
    source = f"def convert(row):\n    return ({', '.join(parts)},)\n"
    exec(source, names)  # noqa: S102 - text built above from column positions only, never from data
    return names["convert"]


def driver_type(type_: Any, dialect: Any) -> Any:
    """The dialect's own type under one of our column types (storage/types.py): what the driver is given
    and hands back, before or after our conversion."""
    return type_.load_dialect_impl(dialect).dialect_impl(dialect)


def result_processor(type_: Any, dialect: Any) -> Any:
    """The converter from the driver's value of a column of `type_` to the program's, or None."""
    # Our own column types convert a driver value in one call (see storage/types.py `direct_result`);
    # SQLAlchemy's wrapper around process_result_value costs as much again per value. A type that reads the
    # driver's value itself (`direct_raw_result`) replaces the dialect's processor too.
    raw = getattr(type_, "direct_raw_result", None)
    if raw is not None:
        return raw(dialect)
    if dialect.name == "sqlite" and type(type_) is Date:
        # SQLite keeps a date as SQLAlchemy's ISO text ("2026-03-02"): fromisoformat reads it several times
        # faster than the dialect's regular expression.
        return _iso_date
    direct = getattr(type_, "direct_result", None)
    if direct is not None:
        inner = driver_type(type_, dialect).result_processor(dialect, None)
        if inner is None:
            return direct()
        convert = direct()

        def both(value: Any) -> Any:
            value = inner(value)
            return None if value is None else convert(value)

        return both
    return type_.dialect_impl(dialect).result_processor(dialect, None)


def _iso_date(value: Any) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value
