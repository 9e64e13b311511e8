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
    if not username or len(username) > 64:
        raise ValidationError("用户名不能为空且不超过64个字符", rule="账户")
    if len(password) < 8:
        raise ValidationError(f"账户“{username}”的密码至少8位", rule="密码强度", record=username)
    with work(db) as w:
        if w.accounts.taken(username):
            raise ValidationError(f"用户名“{username}”已存在", rule="账户唯一", record=username)
        user = User(
            username=username,
            display_name=display_name,
            role=role,
            password_hash=hash_password(password),
            active=True,
            window=window,
            created_at=utc_now(),
        )
        w.accounts.add(user)
        w.trail.append(actor, "user.create", record=username, after={"role": role.value, "window": window})
        w.commit()
        return _actor(user)


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
