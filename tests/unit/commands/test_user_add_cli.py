"""`registry-desk user add` needs an administrator's password, except for the first administrator of an
empty database (issue: trust, secrets and accounts)."""

from __future__ import annotations

import getpass

import pytest

from registry_desk.cli import main


@pytest.fixture
def answers(monkeypatch):
    given: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": given.pop(0))
    return given


def test_user_add_asks_an_administrator_once_accounts_exist(tmp_path, answers, capsys):
    base = ["--data-dir", str(tmp_path / "data"), "--database-url", f"sqlite:///{tmp_path / 'r.sqlite3'}"]
    # An empty database takes its first administrator without signing in, and nothing but an administrator.
    assert main([*base, "user", "add", "clerk1", "--name", "甲", "--role", "clerk"]) == 2
    assert "首个账户须为管理员" in capsys.readouterr().err
    answers += ["first-admin-pass", "first-admin-pass"]
    assert main([*base, "user", "add", "root", "--name", "管理员", "--role", "admin"]) == 0
    # From then on --admin is required, and the administrator's password is checked.
    assert main([*base, "user", "add", "eve", "--name", "伊芙", "--role", "admin"]) == 2
    assert "--admin" in capsys.readouterr().err
    answers += ["wrong-guess", "eve-password", "eve-password"]
    assert main([*base, "user", "add", "eve", "--name", "伊芙", "--role", "admin", "--admin", "root"]) == 2
    assert "用户名或密码错误" in capsys.readouterr().err
    answers += ["first-admin-pass", "clerk-password", "clerk-password"]
    assert main([*base, "user", "add", "clerk1", "--name", "甲", "--role", "clerk", "--admin", "root"]) == 0
    assert "已创建账户 clerk1" in capsys.readouterr().out


def test_user_unlock_lifts_a_lock_for_an_administrator_only(tmp_path, answers, capsys):
    from registry_desk.domain.errors import PermissionDenied
    from registry_desk.operations.users import login
    from registry_desk.storage.database import Database

    url = f"sqlite:///{tmp_path / 'r.sqlite3'}"
    base = ["--data-dir", str(tmp_path / "data"), "--database-url", url]
    answers += ["first-admin-pass", "first-admin-pass"]
    assert main([*base, "user", "add", "root", "--name", "管理员", "--role", "admin"]) == 0
    answers += ["first-admin-pass", "clerk-password", "clerk-password"]
    assert main([*base, "user", "add", "clerk1", "--name", "甲", "--role", "clerk", "--admin", "root"]) == 0
    db = Database(url)
    try:
        for _ in range(5):
            with pytest.raises(PermissionDenied):
                login(db, "clerk1", "wrong-guess")
        with pytest.raises(PermissionDenied, match="已暂时锁定"):
            login(db, "clerk1", "clerk-password")
    finally:
        db.dispose()
    capsys.readouterr()
    answers += ["wrong-admin-guess"]
    assert main([*base, "user", "unlock", "clerk1", "--admin", "root"]) == 2
    assert "用户名或密码错误" in capsys.readouterr().err
    answers += ["first-admin-pass"]
    assert main([*base, "user", "unlock", "clerk1", "--admin", "root"]) == 0
    assert "已解除用户名 clerk1 的登录锁定" in capsys.readouterr().out
    db = Database(url)
    try:
        assert login(db, "clerk1", "clerk-password").username == "clerk1"
    finally:
        db.dispose()
