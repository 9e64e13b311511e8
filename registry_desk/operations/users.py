"""Accounts: creating them (admin only) and signing in (the demo accounts are made by demo/demo_users.py)."""

from __future__ import annotations

from registry_desk.domain.codes import Role
from registry_desk.domain.errors import PermissionDenied, ValidationError
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.kernel.passwords import (
    hash_password,
    needs_rehash,
    verify_for_unknown_account,
    verify_password,
)
from registry_desk.kernel.work import WorkSource, work
from registry_desk.storage.database import Database
from registry_desk.storage.tables import User


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


def login(db: Database | WorkSource, username: str, password: str) -> Actor:
    """Signs in; the same message, and the same work, for an unknown user and a wrong password (no account
    probing by the answer or by its time). A hash of an older scheme is replaced on success."""
    username = username.strip()
    with work(db, write=False) as w:
        user = w.accounts.named(username)
        if user is None:
            verify_for_unknown_account(password)
            raise PermissionDenied("用户名或密码错误", rule="登录")
        if not verify_password(password, user.password_hash):
            raise PermissionDenied("用户名或密码错误", rule="登录")
        if not user.active:
            raise PermissionDenied(
                f"账户“{user.username}”已停用，请联系管理员", rule="登录", record=user.username
            )
        signed_in = _actor(user)
        stale = needs_rehash(user.password_hash)
    if stale:
        _rehash(db, signed_in, password)
    return signed_in


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
