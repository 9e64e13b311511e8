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
