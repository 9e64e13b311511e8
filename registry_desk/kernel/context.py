"""Who is acting: every service call takes an Actor, and checks its role here, not only in the UI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from registry_desk.domain.codes import Role
from registry_desk.domain.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    display_name: str
    role: Role
    window: str | None = None

    def require(self, *roles: Role, operation: str) -> None:
        """Refuses the operation unless the actor has one of `roles` (admin may do everything but
        kiosk-only work; the kiosk may do only what names it)."""
        if self.role in roles:
            return
        if self.role is Role.ADMIN and Role.KIOSK not in roles:
            return
        allowed = "、".join(r.label for r in roles)
        raise PermissionDenied(
            f"账户“{self.username}”（{self.role.label}）无权执行“{operation}”，该操作仅限{allowed}",
            rule="岗位权限",
            record=self.username,
        )


SYSTEM = Actor(user_id=None, username="system", display_name="系统", role=Role.ADMIN)

# Services read the time through this, so tests and demo data can fix it.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
