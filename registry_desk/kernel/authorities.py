"""Reads the shipped resources/policy/authorities.json: the registration agencies, tax bureaus, fiscal bureau."""

from __future__ import annotations

import json
from functools import cache

from registry_desk.domain.authorities import Authorities
from registry_desk.resources_path import resource


@cache
def policy_authorities() -> Authorities:
    with resource("policy", "authorities.json").open(encoding="utf-8") as fh:
        return Authorities.from_policy(json.load(fh))
