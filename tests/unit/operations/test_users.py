"""Accounts (operations/users.py) on the in-memory hall: who may create an account, what is refused, what
the trail says, and that a refusal leaves nothing behind. The SQL behind the accounts repository is
tested on SQLite and PostgreSQL in tests/unit/storage/hall; the whole path in tests/integration."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from registry_desk.domain.codes import Role
from registry_desk.domain.errors import PermissionDenied, RuleViolation, ValidationError
from registry_desk.kernel.context import Actor
from registry_desk.kernel.passwords import needs_rehash
from registry_desk.kernel.sign_in import SignInPolicy, name_key, sign_in_policy
from registry_desk.operations.users import (
    RULE_LOCKOUT,
    add_account_signed_in,
    create_first_administrator,
    create_user,
    login,
    unlock_sign_in,
    user_count,
)
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


def test_passwords_are_hashed_with_argon2id_at_owasp_parameters(hall):
    create_user(hall, ADMIN, "wang", "王芳", Role.CLERK, "s3cret-pass")
    stored = hall.users["wang"].password_hash
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert not needs_rehash(stored)


def _legacy_scrypt(password: str) -> str:
    # How accounts were hashed before (scrypt, N=2^14): they still sign in, and are rehashed when they do.
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    return f"scrypt$16384$8$1${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def test_an_older_hash_signs_in_and_is_replaced_by_todays(hall):
    create_user(hall, ADMIN, "wang", "王芳", Role.CLERK, "s3cret-pass")
    hall.users["wang"].password_hash = _legacy_scrypt("s3cret-pass")
    commits = hall.commits
    assert login(hall, "wang", "s3cret-pass").username == "wang"
    assert hall.users["wang"].password_hash.startswith("$argon2id$") and hall.commits == commits + 1
    assert hall.events[-1].action == "user.password_rehashed" and hall.events[-1].actor == "wang"
    assert login(hall, "wang", "s3cret-pass").username == "wang"
    assert hall.commits == commits + 1  # a current hash is left alone


def test_a_wrong_password_on_an_older_hash_changes_nothing(hall):
    create_user(hall, ADMIN, "wang", "王芳", Role.CLERK, "s3cret-pass")
    legacy = hall.users["wang"].password_hash = _legacy_scrypt("s3cret-pass")
    with pytest.raises(PermissionDenied):
        login(hall, "wang", "wrong-pass")
    assert hall.users["wang"].password_hash == legacy


def test_an_unknown_account_costs_the_same_key_derivation_as_a_wrong_password(hall, monkeypatch):
    # Counted, not timed (timed tests are noise on shared machines): each answer runs argon2id once.
    from registry_desk.kernel import passwords

    create_user(hall, ADMIN, "wang", "王芳", Role.CLERK, "s3cret-pass")
    passwords._unknown_account_hash()  # made once per process, before any answer
    runs: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash, password):  # noqa: A002 - argon2's own parameter name
            runs.append(hash)
            return super().verify(hash, password)

    monkeypatch.setattr(passwords, "_HASHER", Counting(time_cost=2, memory_cost=19456, parallelism=1))
    for name in ("wang", "nobody"):
        with pytest.raises(PermissionDenied):
            login(hall, name, "wrong-pass")
    assert len(runs) == 2 and all(r.startswith("$argon2id$v=19$m=19456,t=2,p=1$") for r in runs)


def test_the_first_account_of_an_empty_hall_is_an_administrator_made_without_signing_in(hall):
    first = create_first_administrator(hall, "root", "系统管理员", "first-admin-pass")
    assert first.role is Role.ADMIN and hall.events[-1].action == "user.create_first_admin"
    with pytest.raises(PermissionDenied, match="已有账户"):
        create_first_administrator(hall, "mallory", "冒充者", "another-pass")
    assert set(hall.users) == {"root"}


def test_later_accounts_need_an_administrator_who_signs_in(hall):
    create_first_administrator(hall, "root", "系统管理员", "first-admin-pass")
    made = add_account_signed_in(hall, "root", "first-admin-pass", "wang", "王芳", Role.CLERK, "s3cret-pass")
    assert made.username == "wang" and hall.events[-1].actor == "root"
    with pytest.raises(PermissionDenied, match="用户名或密码错误"):
        add_account_signed_in(hall, "root", "guessed", "eve", "伊芙", Role.ADMIN, "s3cret-pass")
    with pytest.raises(PermissionDenied):
        add_account_signed_in(hall, "wang", "s3cret-pass", "eve", "伊芙", Role.ADMIN, "s3cret-pass")
    assert set(hall.users) == {"root", "wang"}


# -- the sign-in lockout -------------------------------------------------------------------------------

STRICT = SignInPolicy(max_failures=3, lock_minutes=(1, 5))
T0 = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)


def _fail(hall, name: str, times: int, at: datetime) -> list[str]:
    said = []
    for _ in range(times):
        with pytest.raises(PermissionDenied) as refused:
            login(hall, name, "wrong-pass", now=at, policy=STRICT)
        said.append(str(refused.value))
    return said


def test_repeated_failures_lock_the_account_even_against_the_right_password(hall):
    create_user(hall, ADMIN, "wang", "王芳", Role.CLERK, "s3cret-pass")
    said = _fail(hall, "wang", 3, T0)
    assert said[:2] == ["用户名或密码错误（依据：登录）"] * 2
    assert "已暂时锁定" in said[2] and "2026-12-04 10:01（北京时间）" in said[2] and RULE_LOCKOUT in said[2]
    with pytest.raises(PermissionDenied, match="已暂时锁定") as locked:
        login(hall, "wang", "s3cret-pass", now=T0 + timedelta(seconds=59), policy=STRICT)
    assert locked.value.rule == RULE_LOCKOUT and locked.value.record == "wang"
    (event,) = [e for e in hall.events if e.action == "user.sign_in_locked"]
    assert event.record == "wang" and event.after["locks"] == 1
    assert event.after["locked_until"] == (T0 + timedelta(minutes=1)).isoformat()


def test_the_lock_ends_with_an_audited_unlock_and_a_success_resets_the_back_off(hall):
    create_user(hall, ADMIN, "wang", "王芳", Role.CLERK, "s3cret-pass")
    _fail(hall, "wang", 3, T0)
    later = T0 + timedelta(minutes=1)
    assert login(hall, "wang", "s3cret-pass", now=later, policy=STRICT).username == "wang"
    assert [e.action for e in hall.events[-2:]] == ["user.sign_in_locked", "user.sign_in_unlocked"]
    (guard,) = hall.guards.values()
    assert (guard.failures, guard.locks, guard.locked_until) == (0, 0, None)
    said = _fail(hall, "wang", 3, later)
    assert "10:02" in said[-1]  # after a success the first step (1 minute) again


def test_each_further_lock_lasts_longer_and_the_last_step_repeats(hall):
    create_user(hall, ADMIN, "wang", "王芳", Role.CLERK, "s3cret-pass")
    moment, lengths = T0, []
    for _ in range(3):
        _fail(hall, "wang", 3, moment)
        (guard,) = hall.guards.values()
        lengths.append(guard.locked_until - moment)
        moment = guard.locked_until
    assert lengths == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=5)]
    assert [e.action for e in hall.events].count("user.sign_in_unlocked") == 2


def test_a_failure_counted_is_kept_although_the_call_fails(hall):
    create_user(hall, ADMIN, "wang", "王芳", Role.CLERK, "s3cret-pass")
    _fail(hall, "wang", 2, T0)
    assert [g.failures for g in hall.guards.values()] == [2]
    login(hall, "wang", "s3cret-pass", now=T0, policy=STRICT)
    assert [g.failures for g in hall.guards.values()] == [0]


def test_an_unknown_name_locks_exactly_like_an_account_and_is_not_kept(hall):
    create_user(hall, ADMIN, "wang", "王芳", Role.CLERK, "s3cret-pass")
    real = _fail(hall, "wang", 4, T0)
    unknown = _fail(hall, "wan9", 4, T0)
    assert [s.replace("wan9", "wang") for s in unknown] == real
    assert all(len(key) == 64 and "wan9" not in key for key in hall.guards)
    events = [e for e in hall.events if e.action == "user.sign_in_locked"]
    assert [e.record for e in events] == ["wang", f"未知用户名#{name_key('wan9')[:12]}"]


def test_a_locked_name_costs_no_key_derivation(hall, monkeypatch):
    from registry_desk.operations import users

    create_user(hall, ADMIN, "wang", "王芳", Role.CLERK, "s3cret-pass")
    _fail(hall, "wang", 3, T0)
    runs: list[str] = []
    monkeypatch.setattr(users, "verify_password", lambda *a: runs.append("x") or True)
    monkeypatch.setattr(users, "verify_for_unknown_account", lambda *a: runs.append("x"))
    with pytest.raises(PermissionDenied, match="已暂时锁定"):
        login(hall, "wang", "s3cret-pass", now=T0, policy=STRICT)
    assert runs == []


def test_the_lockout_numbers_are_the_policy_files():
    assert sign_in_policy() == SignInPolicy(5, (1, 5, 15, 60))
    with pytest.raises(ValidationError, match="登录失败锁定配置"):
        SignInPolicy(0, (1,))


def test_an_administrator_lifts_a_lock_early_and_the_trail_says_who(hall):
    create_user(hall, ADMIN, "root", "管理员", Role.ADMIN, "admin-pass-1")
    create_user(hall, ADMIN, "wang", "王芳", Role.CLERK, "s3cret-pass")
    _fail(hall, "wang", 3, T0)
    soon = T0 + timedelta(seconds=10)
    with pytest.raises(PermissionDenied):  # the clerk cannot lift their own lock
        unlock_sign_in(hall, "wang", "s3cret-pass", "wang", now=soon)
    ended = unlock_sign_in(hall, "root", "admin-pass-1", " wang ", now=soon)
    assert ended == T0 + timedelta(minutes=1)
    event = hall.events[-1]
    assert (event.action, event.actor, event.record) == ("user.sign_in_unlocked_by_admin", "root", "wang")
    assert login(hall, "wang", "s3cret-pass", now=soon, policy=STRICT).username == "wang"
    with pytest.raises(RuleViolation, match="当前没有被锁定"):
        unlock_sign_in(hall, "root", "admin-pass-1", "wang", now=soon)
