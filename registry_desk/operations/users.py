"""Accounts: creating them (admin only) and signing in, with its lockout (the demo accounts are made by
demo/demo_users.py)."""

from __future__ import annotations

from datetime import datetime

from registry_desk.domain.clock import as_utc, local_time
from registry_desk.domain.codes import Role
from registry_desk.domain.errors import PermissionDenied, RuleViolation, ValidationError
from registry_desk.kernel.context import SYSTEM, Actor, utc_now
from registry_desk.kernel.passwords import (
    hash_password,
    needs_rehash,
    verify_for_unknown_account,
    verify_password,
)
from registry_desk.kernel.sign_in import SignInPolicy, name_key, sign_in_policy
from registry_desk.kernel.work import Trail, WorkSource, work
from registry_desk.storage.database import Database
from registry_desk.storage.hall.tables import SignInGuard
from registry_desk.storage.tables import User

RULE_LOCKOUT = "登录失败锁定：同一用户名连续输错密码即暂时锁定，时长逐次递增（resources/policy/sign_in.json）"


def _actor(user: User) -> Actor:
    return Actor(user.id, user.username, user.display_name, user.role, user.window)


def _check_new_account(username: str, password: str) -> None:
    if not username or len(username) > 64:
        raise ValidationError("用户名不能为空且不超过64个字符", rule="账户")
    if len(password) < 8:
        raise ValidationError(f"账户“{username}”的密码至少8位", rule="密码强度", record=username)


def _new_user(username: str, display_name: str, role: Role, password: str, window: str | None) -> User:
    return User(
        username=username,
        display_name=display_name,
        role=role,
        password_hash=hash_password(password),
        active=True,
        window=window,
        created_at=utc_now(),
    )


def create_user(
    db: Database | WorkSource,
    actor: Actor,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    *,
    window: str | None = None,
) -> Actor:
    actor.require(Role.ADMIN, operation="创建账户")
    username = username.strip()
    _check_new_account(username, password)
    with work(db) as w:
        if w.accounts.taken(username):
            raise ValidationError(f"用户名“{username}”已存在", rule="账户唯一", record=username)
        user = _new_user(username, display_name, role, password, window)
        w.accounts.add(user)
        w.trail.append(actor, "user.create", record=username, after={"role": role.value, "window": window})
        w.commit()
        return _actor(user)


def create_first_administrator(
    db: Database | WorkSource, username: str, display_name: str, password: str
) -> Actor:
    """The first account of a database with none: an administrator, made without signing in (there is no
    one to sign in as). Refused once any account exists, in the same transaction that makes it."""
    username = username.strip()
    _check_new_account(username, password)
    with work(db) as w:
        if w.accounts.count() != 0:
            raise PermissionDenied(
                "数据库已有账户：新增账户须由管理员登录后办理", rule="账户管理：仅空库的首个管理员无须登录"
            )
        user = _new_user(username, display_name, Role.ADMIN, password, None)
        w.accounts.add(user)
        made = _actor(user)
        w.trail.append(made, "user.create_first_admin", record=username, after={"role": Role.ADMIN.value})
        w.commit()
        return made


def add_account_signed_in(
    db: Database | WorkSource,
    admin: str,
    admin_password: str,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    *,
    window: str | None = None,
) -> Actor:
    """`user add` at a terminal: the administrator `admin` signs in first (a wrong password or a
    non-administrator is refused as at the window), then the account is made in their name."""
    actor = login(db, admin, admin_password)
    actor.require(Role.ADMIN, operation="新增账户")
    return create_user(db, actor, username, display_name, role, password, window=window)


def login(
    db: Database | WorkSource,
    username: str,
    password: str,
    *,
    now: datetime | None = None,
    policy: SignInPolicy | None = None,
    place: str = "窗口登录",
) -> Actor:
    """Signs in; the same message, and the same work, for an unknown user and a wrong password (no account
    probing by the answer or by its time). A hash of an older scheme is replaced on success.

    Failed attempts are counted in the database per user name, and `policy.max_failures` of them lock the
    name for a time that grows with each further lock (resources/policy/sign_in.json); a success resets
    both. A name that is no account is counted and locked exactly alike, under the same key scheme and
    through the same statements, so neither the answers nor the lock tell which names exist. While a name
    is locked its password is not even checked (a guess then costs nothing and proves nothing). Each lock
    and each unlock is an audit event. `place` says where the attempt was made (the window, the kiosk's
    exit) in those events."""
    username = username.strip()
    now = as_utc(now or utc_now())
    policy = policy or sign_in_policy()
    key = name_key(username)
    # Read first, check the password outside any write transaction (argon2id takes tens of milliseconds,
    # which SQLite's write lock must not wait for), then record the outcome: a clean sign-in writes nothing.
    with work(db, write=False) as w:
        seen = w.accounts.guard_of(key)
        user = w.accounts.named(username)
        if seen is not None and seen.locked_until is not None and as_utc(seen.locked_until) > now:
            raise _locked(username, seen.locked_until)
        if user is None:
            verify_for_unknown_account(password)
            correct = False
        else:
            correct = verify_password(password, user.password_hash)
        about = username[:64] if user is not None else f"未知用户名#{key[:12]}"
        dirty = seen is not None and (
            seen.failures or seen.locks or seen.locked_until is not None or seen.last_failure_at is not None
        )
        # What is needed afterwards, read while the rows are at hand.
        signed_in = _actor(user) if user is not None else None
        active = user is not None and user.active
        stale = user is not None and needs_rehash(user.password_hash)
    if not correct or dirty:
        _record_attempt(db, key, correct, policy, username, about, place, now)
    assert signed_in is not None
    if not active:
        raise PermissionDenied(
            f"账户“{signed_in.username}”已停用，请联系管理员", rule="登录", record=signed_in.username
        )
    if stale:
        _rehash(db, signed_in, password)
    return signed_in


def _record_attempt(
    db: Database | WorkSource,
    key: str,
    correct: bool,
    policy: SignInPolicy,
    username: str,
    about: str,
    place: str,
    now: datetime,
) -> None:
    """Counts a failure (locking the name at the policy's limit) or resets the count after a success, on
    the guard row held for this transaction, so windows failing at the same moment all count. Raises the
    refusal of a failure after committing it: the count is kept although the sign-in fails."""
    with work(db) as w:
        guard = w.accounts.guard(key)
        if guard.locked_until is not None:
            if as_utc(guard.locked_until) > now:
                raise _locked(username, guard.locked_until)  # locked meanwhile, by another window
            _unlock(w.trail, guard, about, place, now)
        if correct:
            guard.failures = guard.locks = 0  # a success resets the count and the back-off
            guard.last_failure_at = None
            w.accounts.save_guard(guard)
            w.commit()
            return
        refusal = _count_failure(w.trail, guard, policy, username, about, place, now)
        w.accounts.save_guard(guard)
        w.commit()
    raise refusal


def unlock_sign_in(
    db: Database | WorkSource,
    admin: str,
    admin_password: str,
    username: str,
    *,
    now: datetime | None = None,
) -> datetime:
    """An administrator lifts a sign-in lock before it runs out (the clerk proved who they are at the
    counter): the administrator signs in first, the name's count and back-off start afresh, the trail says
    who lifted it. Returns when the lock would have ended; a name not locked is refused."""
    actor = login(db, admin, admin_password, now=now)
    actor.require(Role.ADMIN, operation="解除登录锁定")
    username = username.strip()
    now = as_utc(now or utc_now())
    with work(db) as w:
        guard = w.accounts.guard(name_key(username))
        if guard.locked_until is None or as_utc(guard.locked_until) <= now:
            raise RuleViolation(f"用户名“{username}”当前没有被锁定", rule=RULE_LOCKOUT, record=username)
        ended = guard.locked_until
        guard.locked_until = None
        guard.failures = guard.locks = 0
        guard.last_failure_at = None
        w.accounts.save_guard(guard)
        w.trail.append(
            actor,
            "user.sign_in_unlocked_by_admin",
            record=username[:64],
            after={"locked_until": as_utc(ended).isoformat()},
        )
        w.commit()
    return as_utc(ended)


def _locked(username: str, until: datetime) -> PermissionDenied:
    shown = local_time(until).strftime("%Y-%m-%d %H:%M")
    return PermissionDenied(
        f"用户名“{username}”因连续登录失败已暂时锁定，请于 {shown}（北京时间）后再试，或请管理员核实",
        rule=RULE_LOCKOUT,
        record=username,
    )


def _unlock(trail: Trail, guard: SignInGuard, about: str, place: str, now: datetime) -> None:
    """A lock that has run out: the name may try again (with a fresh count; the back-off step is kept)."""
    ended = guard.locked_until
    guard.locked_until = None
    guard.failures = 0
    trail.append(
        SYSTEM,
        "user.sign_in_unlocked",
        record=about,
        after={"locked_until": ended.isoformat() if ended else None, "where": place, "locks": guard.locks},
    )


def _count_failure(
    trail: Trail,
    guard: SignInGuard,
    policy: SignInPolicy,
    username: str,
    about: str,
    place: str,
    now: datetime,
) -> PermissionDenied:
    guard.failures += 1
    guard.last_failure_at = now
    if guard.failures < policy.max_failures:
        return PermissionDenied("用户名或密码错误", rule="登录")
    guard.locks += 1
    guard.locked_until = now + policy.lock_for(guard.locks)
    trail.append(
        SYSTEM,
        "user.sign_in_locked",
        record=about,
        after={
            "failures": guard.failures,
            "locks": guard.locks,
            "locked_until": guard.locked_until.isoformat(),
            "where": place,
        },
    )
    guard.failures = 0
    return _locked(username, guard.locked_until)


def _rehash(db: Database | WorkSource, actor: Actor, password: str) -> None:
    """Replaces an account's hash made with an older scheme (or weaker parameters) by today's."""
    with work(db) as w:
        user = w.accounts.named(actor.username)
        if user is None or not verify_password(password, user.password_hash):
            return  # changed meanwhile: the next sign-in will do it
        user.password_hash = hash_password(password)
        w.trail.append(actor, "user.password_rehashed", record=actor.username, after={"scheme": "argon2id"})
        w.commit()


def user_count(db: Database | WorkSource) -> int:
    with work(db, write=False) as w:
        return w.accounts.count()
