"""The compiled fast path (storage/driver_sql.py, storage/prepared.py) stands on SQLAlchemy's documented
interface only, so that it needs no pin below SQLAlchemy's next release, and a driver error raised on it is
the SQLAlchemy exception the ORM would have raised."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import exc

from registry_desk.storage.driver_sql import wrapped_error

STORAGE = Path(__file__).resolve().parents[3] / "registry_desk" / "storage"

# Attributes the fast path once used that SQLAlchemy keeps for itself (undocumented, or documented as
# internal): each broke, or could break, with a minor release.
INTERNAL = ("bind_names", "impl_instance", "DBAPIError.instance", "_bind_processors", "_result_columns")


@pytest.mark.parametrize("module", ["driver_sql.py", "prepared.py", "database.py"])
def test_the_fast_path_names_no_internal_attribute_of_sqlalchemy(module):
    source = (STORAGE / module).read_text(encoding="utf-8")
    code = "\n".join(line.split("#", 1)[0] for line in source.splitlines())
    for name in INTERNAL:
        assert not re.search(rf"\.{re.escape(name)}\b", code), f"{module} uses {name}"


def test_sqlalchemy_is_not_pinned_below_its_next_minor_release():
    pyproject = (STORAGE.parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    pin = re.search(r'"SQLAlchemy([^"]*)"', pyproject)
    assert pin is not None
    assert "<2.2" not in pin.group(1).replace(" ", "")


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (sqlite3.IntegrityError("UNIQUE constraint failed: units.unit_number"), exc.IntegrityError),
        (sqlite3.OperationalError("database is locked"), exc.OperationalError),
        (sqlite3.ProgrammingError("closed"), exc.ProgrammingError),
        (sqlite3.DataError("too big"), exc.DataError),
        (sqlite3.InterfaceError("bad"), exc.InterfaceError),
    ],
)
def test_a_driver_error_becomes_the_sqlalchemy_error_of_its_kind(raised, expected):
    error = wrapped_error(raised, "INSERT INTO units VALUES (?)", ("x",), sqlite3)
    assert type(error) is expected
    assert error.orig is raised
    assert error.statement == "INSERT INTO units VALUES (?)"
    assert "UNIQUE" in str(error) or str(raised) in str(error)
