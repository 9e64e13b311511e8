"""Reads the shipped State Council holiday schedule and builds the counter's working calendar from it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from registry_desk.domain.calendar import WorkingCalendar
from registry_desk.resources_path import resource


def load_policy_calendar() -> dict[str, Any]:
    """The parsed resources/policy/calendar_cn.json."""
    with resource("policy", "calendar_cn.json").open(encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def policy_working_calendar(
    overrides: Mapping[date, bool] | None = None, extra_confirmed_years: Iterable[int] = ()
) -> WorkingCalendar:
    """The shipped schedule with the admin's overrides and admin-confirmed years applied."""
    return WorkingCalendar.from_policy(
        load_policy_calendar(), overrides=overrides, extra_confirmed_years=extra_confirmed_years
    )
