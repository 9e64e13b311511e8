"""Accounts (operations/users.py) on the in-memory hall: who may create an account, what is refused, what
the trail says, and that a refusal leaves nothing behind. The SQL behind the accounts repository is
tested on SQLite and PostgreSQL in tests/unit/storage/hall; the whole path in tests/integration."""

from __future__ import annotations

import pytest

from registry_desk.domain.codes import Role
from registry_desk.domain.errors import PermissionDenied, ValidationError
from registry_desk.kernel.context import Actor
from registry_desk.operations.users import create_user, login, user_count
from tests.fakes import FakeHall

ADMIN = Actor(1, "admin", "管理员", Role.ADMIN, None)
CLERK = Actor(2, "clerk", "窗口人员", Role.CLERK, "1号窗口")


@pytest.fixture
def hall() -> FakeHall:
    return FakeHall()


def test_an_administrator_creates_an_account_and_the_trail_says_so(hall):
    made = create_user(hall, ADMIN, " wang ", "王芳", Role.CLERK, "s3cret-pass", window="2号窗口")
    assert (made.username, made.role, made.window) == ("wang", Role.CLERK, "2号窗口")
    assert user_count(hall) == 1 and hall.commits == 1
    (event,) = hall.events
    assert (event.actor, event.action, event.record) == ("admin", "user.create", "wang")
    assert event.after == {"role": "clerk", "window": "2号窗口"}
    assert hall.users["wang"].password_hash != "s3cret-pass"


def test_only_an_administrator_creates_accounts(hall):
    with pytest.raises(PermissionDenied):
        create_user(hall, CLERK, "li", "李雷", Role.CLERK, "s3cret-pass")
    assert hall.users == {} and hall.events == [] and hall.commits == 0


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("", "s3cret-pass", "用户名不能为空"),
        ("x" * 65, "s3cret-pass", "不超过64个字符"),
        ("li", "short", "账户“li”的密码至少8位"),
    ],
)
def test_a_bad_name_or_password_is_refused_and_nothing_is_kept(hall, username, password, message):
    with pytest.raises(ValidationError, match=message):
        create_user(hall, ADMIN, username, "李雷", Role.CLERK, password)
    assert hall.users == {} and hall.events == [] and hall.commits == 0


def test_a_second_account_of_the_same_name_is_refused(hall):
    create_user(hall, ADMIN, "wang", "王芳", Role.CLERK, "s3cret-pass")
    before = hall.snapshot()
    with pytest.raises(ValidationError, match="用户名“wang”已存在"):
        create_user(hall, ADMIN, "wang", "王五", Role.CASHIER, "other-pass")
    assert hall.snapshot() == before and hall.commits == 1


def test_signing_in_names_the_account_and_an_unknown_user_reads_as_a_wrong_password(hall):
    create_user(hall, ADMIN, "wang", "王芳", Role.CASHIER, "s3cret-pass")
    signed_in = login(hall, " wang", "s3cret-pass")
    assert (signed_in.username, signed_in.role) == ("wang", Role.CASHIER)
    with pytest.raises(PermissionDenied) as wrong:
        login(hall, "wang", "not-the-pass")
    with pytest.raises(PermissionDenied) as unknown:
        login(hall, "nobody", "s3cret-pass")
    assert str(wrong.value) == str(unknown.value)
    assert str(wrong.value).startswith("用户名或密码错误")


def test_a_disabled_account_cannot_sign_in(hall):
    create_user(hall, ADMIN, "wang", "王芳", Role.CLERK, "s3cret-pass")
    hall.users["wang"].active = False
    with pytest.raises(PermissionDenied, match="账户“wang”已停用"):
        login(hall, "wang", "s3cret-pass")
