"""The sign-in lockout on the real databases: the window's login and the kiosk's admin exit count against
the same user name, the lock is kept in the database (a restarted program or another window sees it), and
every lock and unlock is in the audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest

from registry_desk.domain.codes import Role
from registry_desk.domain.errors import PermissionDenied
from registry_desk.kernel.context import SYSTEM, Actor, utc_now
from registry_desk.kiosk.identify import admin_exit
from registry_desk.operations import users
from registry_desk.operations.users import RULE_LOCKOUT
from registry_desk.storage.database import Database
from registry_desk.storage.hall.audit import events_after

KIOSK = Actor(99, "kiosk1", "自助打证机", Role.KIOSK, "大厅自助区")


def _actions(db: Database) -> list[str]:
    with db.unit_of_work(write=False) as uow:
        return [e.action for e in events_after(uow.session, 0, 1000)]


def test_five_wrong_passwords_lock_the_window_login_in_the_database(any_db):
    users.create_user(any_db, SYSTEM, "wang", "王芳", Role.CLERK, "s3cret-pass")
    now = utc_now()
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            users.login(any_db, "wang", "wrong-pass", now=now)
    with pytest.raises(PermissionDenied) as locked:
        users.login(any_db, "wang", "s3cret-pass", now=now + timedelta(seconds=30))
    assert locked.value.rule == RULE_LOCKOUT and "已暂时锁定" in locked.value.message
    assert users.login(any_db, "wang", "s3cret-pass", now=now + timedelta(minutes=1)).username == "wang"
    actions = _actions(any_db)
    assert actions.count("user.sign_in_locked") == 1 and actions.count("user.sign_in_unlocked") == 1


def test_the_kiosk_exit_is_locked_by_the_same_count(any_db):
    users.create_user(any_db, SYSTEM, "admin", "管理员", Role.ADMIN, "admin-pass-1")
    now = utc_now()
    for _ in range(3):
        with pytest.raises(PermissionDenied):
            users.login(any_db, "admin", "guess", now=now)  # at a window
    for _ in range(2):
        with pytest.raises(PermissionDenied):
            admin_exit(any_db, KIOSK, "admin", "guess", now=now)  # then at the kiosk: the fifth locks
    with pytest.raises(PermissionDenied, match="已暂时锁定"):
        admin_exit(any_db, KIOSK, "admin", "admin-pass-1", now=now + timedelta(seconds=10))
    actions = _actions(any_db)
    assert actions.count("user.sign_in_locked") == 1 and actions.count("kiosk.exit_refused") == 3
    assert (
        admin_exit(any_db, KIOSK, "admin", "admin-pass-1", now=now + timedelta(minutes=1)).role is Role.ADMIN
    )
