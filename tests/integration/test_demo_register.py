"""Demo never reaches production: a database records at its first opening whether it is a demo register,
and the demo accounts and data go into a demo register only, whatever launches it afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from registry_desk import cli
from registry_desk.bootstrap import open_database
from registry_desk.config import Settings
from registry_desk.demo import demo_data, demo_users
from registry_desk.demo.demo_accounts import DEMO_ACCOUNTS_FILE
from registry_desk.demo.register_guard import RULE_DEMO_ONLY
from registry_desk.demo.seed import seed_demo
from registry_desk.domain.codes import Role
from registry_desk.domain.errors import RuleViolation
from registry_desk.kernel.context import SYSTEM, utc_now
from registry_desk.operations import users
from registry_desk.storage import migrate
from registry_desk.storage.database import Database
from registry_desk.storage.hall.users import decide_register_kind, register_is_demo
from registry_desk.storage.tables import User


def _settings(tmp_path: Path) -> Settings:
    return Settings(tmp_path, f"sqlite:///{tmp_path / 'registry.sqlite3'}")


def test_the_default_launch_makes_no_demo_account_on_an_init_no_demo_database(tmp_path, capsys):
    assert cli.main(["--data-dir", str(tmp_path), "init", "--no-demo"]) == 0
    assert "生产登记簿" in capsys.readouterr().out
    # What `registry-desk` with no arguments does when it opens the database (app._Opener): the demo seeding.
    opened = open_database(_settings(tmp_path), seed=seed_demo)
    try:
        assert (opened.demo, opened.demo_loaded, opened.demo_accounts, opened.accounts) == (
            False,
            False,
            {},
            0,
        )
        assert users.user_count(opened.db) == 0 and demo_data.is_empty(opened.db)
    finally:
        opened.db.dispose()
    assert not (tmp_path / DEMO_ACCOUNTS_FILE).exists()


def test_a_fresh_default_data_directory_is_still_a_demo_register(tmp_path):
    opened = open_database(_settings(tmp_path), seed=seed_demo)  # the README's quick start
    try:
        assert opened.demo and opened.demo_loaded and "admin" in opened.demo_accounts
    finally:
        opened.db.dispose()
    again = open_database(_settings(tmp_path), seed=seed_demo)
    try:
        assert again.demo and not again.demo_loaded and again.demo_accounts == {}
    finally:
        again.db.dispose()


def test_a_production_register_never_becomes_a_demo_one(tmp_path):
    first = open_database(_settings(tmp_path))  # any non-demo first opening, `user add` say
    users.create_first_administrator(first.db, "root", "系统管理员", "first-admin-pass")
    first.db.dispose()
    for _ in range(2):
        opened = open_database(_settings(tmp_path), seed=seed_demo, demo=True)
        try:
            assert not opened.demo and opened.demo_accounts == {} and users.user_count(opened.db) == 1
        finally:
            opened.db.dispose()


def test_the_demo_writers_refuse_a_production_register(any_db, tmp_path):
    with any_db.unit_of_work() as uow:
        decide_register_kind(uow.session, False, "test", utc_now())
        uow.commit()
    with pytest.raises(RuleViolation) as refused:
        demo_users.ensure_demo_accounts(any_db, tmp_path, SYSTEM)
    assert refused.value.rule == RULE_DEMO_ONLY and "生产登记簿" in refused.value.message
    with pytest.raises(RuleViolation, match="不能载入演示登记簿"):
        demo_data.load_demo(any_db)
    assert users.user_count(any_db) == 0 and demo_data.is_empty(any_db)
    assert not (tmp_path / DEMO_ACCOUNTS_FILE).exists()


def test_a_database_in_use_before_the_flag_existed_is_recorded_as_production(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        migrate.upgrade(db.engine, "0007")
        with db.unit_of_work() as uow:
            uow.session.add(
                User(
                    username="wang",
                    display_name="王芳",
                    role=Role.ADMIN,
                    password_hash="x",
                    active=True,
                    created_at=utc_now(),
                )
            )
            uow.commit()
        migrate.upgrade(db.engine)
        with db.unit_of_work(write=False) as uow:
            assert register_is_demo(uow.session) is False
        with pytest.raises(RuleViolation):
            demo_users.ensure_demo_accounts(db, tmp_path, SYSTEM)
    finally:
        db.dispose()
