"""The tiny register of tests/integration/test_case_helpers.py, with one transfer accepted on it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from registry_desk.registration import intake
from registry_desk.storage.database import Database
from tests.integration.test_case_helpers import CLERK, MONDAY, WANG, ZHAO, Register, build_register, transfer


@dataclass(frozen=True)
class Accepted:
    db: Database
    reg: Register
    case_number: str


@pytest.fixture
def accepted(any_db: Database) -> Accepted:
    """王建国 sells his flat (reg.plain) to 赵敏: the case waits for payment."""
    reg = build_register(any_db)
    summary = intake.accept_case(any_db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY)
    return Accepted(any_db, reg, summary.case_number)
