"""The unit as the rules of domain/rules.py see it: its current rights with their parties and certificates,
and its unfinished cases. Read on every acceptance and recording, under the unit lock, by the register's
one reader of a unit's current state (storage/register/unit_state.py), which the prefill and the register
page read through as well."""

from __future__ import annotations

from typing import Any

from registry_desk.domain.rules import UnitSnapshot
from registry_desk.kernel.business_types import BusinessTypePolicy, load_policy
from registry_desk.storage.driver_sql import Driver
from registry_desk.storage.register.unit_state import read_unit_state
from registry_desk.storage.session import Session


def unit_snapshot(
    session: Session | Driver, unit: Any, policy: BusinessTypePolicy | None = None
) -> UnitSnapshot:
    """The unit as the rules see it. `unit` is anything with the unit's `id` (a `Unit`, or a locked unit
    row)."""
    policy = policy or load_policy()
    snapshot = read_unit_state(session, unit_id=unit.id, business_label=policy.label)
    assert snapshot is not None, "the unit is locked, so it exists"
    return snapshot
