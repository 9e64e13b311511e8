"""The demo accounts and the file of their random passwords: light enough for the login window to read
before the database layer has been imported."""

from __future__ import annotations

from pathlib import Path

from registry_desk.domain.codes import Role

DEMO_ACCOUNTS = (
    ("clerk1", "受理员 李娜", Role.CLERK, "1号窗口"),
    ("clerk2", "受理员 马强", Role.CLERK, "2号窗口"),
    ("registrar1", "登簿员 王芳", Role.REGISTRAR, None),
    ("cashier1", "收费员 张伟", Role.CASHIER, "收费窗口"),
    ("admin", "管理员 刘洋", Role.ADMIN, None),
    ("kiosk1", "自助打证机 1号", Role.KIOSK, "大厅自助区"),
)
DEMO_ACCOUNTS_FILE = "demo-accounts.txt"


def read_demo_accounts(data_dir: Path) -> dict[str, str]:
    path = Path(data_dir) / DEMO_ACCOUNTS_FILE
    if not path.exists():
        return {}
    accounts: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        user, pw = line.split("\t", 1)
        accounts[user] = pw
    return accounts
