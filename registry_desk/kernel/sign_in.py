"""The sign-in lockout's numbers (resources/policy/sign_in.json) and the key a user name is counted under.

The numbers are data, not constants in code: a hall that wants a stricter lockout edits the file. A lock
lasts `lock_minutes[n-1]` for the n-th lock since the last successful sign-in, and the last step repeats:
guessing slows down ever more, while a clerk who mistypes five times waits a minute.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from registry_desk.domain.errors import ValidationError
from registry_desk.resources_path import resource

POLICY_RULE = "登录失败锁定配置 resources/policy/sign_in.json"


@dataclass(frozen=True)
class SignInPolicy:
    max_failures: int = 5
    lock_minutes: tuple[int, ...] = (1, 5, 15, 60)

    def __post_init__(self) -> None:
        if self.max_failures < 1 or not self.lock_minutes or min(self.lock_minutes) < 1:
            raise ValidationError(
                "登录失败锁定配置无效：max_failures 至少为1，lock_minutes 须为非空的正整数列表",
                rule=POLICY_RULE,
            )

    def lock_for(self, locks: int) -> timedelta:
        """How long the `locks`-th lock (1 for the first) lasts."""
        step = min(max(locks, 1), len(self.lock_minutes)) - 1
        return timedelta(minutes=self.lock_minutes[step])


def parse_policy(data: dict[str, object]) -> SignInPolicy:
    try:
        max_failures = data["max_failures"]
        minutes = data["lock_minutes"]
        if not isinstance(max_failures, int) or not isinstance(minutes, list):
            raise TypeError
        return SignInPolicy(int(max_failures), tuple(int(m) for m in minutes))
    except (KeyError, TypeError, ValueError) as error:
        raise ValidationError(f"登录失败锁定配置无法读取：{error}", rule=POLICY_RULE) from error


@cache
def sign_in_policy() -> SignInPolicy:
    with resource("policy", "sign_in.json").open(encoding="utf-8") as fh:
        return parse_policy(json.load(fh))


def name_key(username: str) -> str:
    """What failures are counted under: a digest of the user name typed, the same for an account and for a
    name that is none. The name itself is not kept (it may be a password typed into the wrong field)."""
    return hashlib.sha256(("registry-desk sign-in\0" + username).encode("utf-8")).hexdigest()
