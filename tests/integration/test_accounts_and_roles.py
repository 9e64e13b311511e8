"""Accounts: hashed passwords, sign-in, and roles checked by the services themselves."""

import pytest
from sqlalchemy import select

from registry_desk.domain.codes import Role
from registry_desk.domain.errors import PermissionDenied, ValidationError
from registry_desk.registration import register
from registry_desk.demo import demo_accounts, demo_users
from registry_desk.operations import users
from registry_desk.kernel.context import SYSTEM
from registry_desk.storage.tables import User


def test_password_is_stored_only_as_a_hash(sqlite_db):
    users.create_user(sqlite_db, SYSTEM, "clerk1", "受理员", Role.CLERK, "correct horse")
    with sqlite_db.unit_of_work(write=False) as uow:
        stored = uow.session.scalar(select(User.password_hash))
    assert "correct horse" not in stored and stored.startswith("$argon2id$")
    assert users.login(sqlite_db, "clerk1", "correct horse").role is Role.CLERK


def test_wrong_password_and_unknown_user_get_the_same_message(sqlite_db):
    users.create_user(sqlite_db, SYSTEM, "clerk1", "受理员", Role.CLERK, "correct horse")
    with pytest.raises(PermissionDenied) as wrong:
        users.login(sqlite_db, "clerk1", "wrong horse")
    with pytest.raises(PermissionDenied) as unknown:
        users.login(sqlite_db, "nobody", "correct horse")
    assert wrong.value.message == unknown.value.message == "用户名或密码错误"


def test_short_password_refused(sqlite_db):
    with pytest.raises(ValidationError, match="至少8位"):
        users.create_user(sqlite_db, SYSTEM, "clerk1", "受理员", Role.CLERK, "short")


def test_only_an_admin_creates_accounts(sqlite_db):
    clerk = users.create_user(sqlite_db, SYSTEM, "clerk1", "受理员", Role.CLERK, "correct horse")
    with pytest.raises(PermissionDenied, match="clerk1.*创建账户"):
        users.create_user(sqlite_db, clerk, "clerk2", "受理员", Role.CLERK, "correct horse")


def test_kiosk_account_may_not_browse_the_register(sqlite_db):
    kiosk = users.create_user(sqlite_db, SYSTEM, "kiosk1", "自助机", Role.KIOSK, "correct horse")
    with pytest.raises(PermissionDenied, match="自助终端.*查询登记簿"):
        register.search(sqlite_db, kiosk, "张三")
    with pytest.raises(PermissionDenied):
        register.unit_register(sqlite_db, kiosk, "640502001002GB00017F00030502")


def test_demo_accounts_get_random_passwords_kept_in_the_data_dir(sqlite_db, tmp_path):
    made = demo_users.ensure_demo_accounts(sqlite_db, tmp_path, SYSTEM)
    assert set(made) == {u for u, *_ in demo_accounts.DEMO_ACCOUNTS}
    assert demo_accounts.read_demo_accounts(tmp_path) == made
    assert (tmp_path / demo_accounts.DEMO_ACCOUNTS_FILE).stat().st_mode & 0o077 == 0
    assert users.login(sqlite_db, "registrar1", made["registrar1"]).role is Role.REGISTRAR
    assert demo_users.ensure_demo_accounts(sqlite_db, tmp_path, SYSTEM) == {}  # idempotent
