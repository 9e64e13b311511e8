"""The demo accounts of a fresh demo database, made with random passwords (demo/demo_accounts.py lists them
and reads the file of their passwords)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from registry_desk.demo.demo_accounts import DEMO_ACCOUNTS, DEMO_ACCOUNTS_FILE, read_demo_accounts
from registry_desk.demo.register_guard import require_demo_register
from registry_desk.kernel.context import Actor
from registry_desk.operations.users import create_user
from registry_desk.storage.database import Database
from registry_desk.storage.hall.users import username_taken


def ensure_demo_accounts(db: Database, data_dir: Path, actor: Actor) -> dict[str, str]:
    """Creates the demo accounts with random passwords, written (mode 0600) to the data directory only,
    so no password ever sits in the repository. Returns {username: password} of accounts it made.
    Refuses a production register: its accounts are made by its administrators, never from this list."""
    require_demo_register(db, "创建演示账户")
    made: dict[str, str] = {}
    for username, name, role, window in DEMO_ACCOUNTS:
        with db.unit_of_work(write=False) as uow:
            exists = username_taken(uow.session, username)
        if exists:
            continue
        password = secrets.token_urlsafe(9)
        create_user(db, actor, username, name, role, password, window=window)
        made[username] = password
    if made:
        path = data_dir / DEMO_ACCOUNTS_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        old = read_demo_accounts(data_dir)
        old.update(made)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write("# 演示账户（仅用于演示数据库；密码随机生成，只保存在本数据目录）\n")
            for user, pw in old.items():
                fh.write(f"{user}\t{pw}\n")
        os.chmod(path, 0o600)
    return made
