"""The hall's storage functions on both backends: the counters' advance and creation, the audit head's
lock, start and advance, the accounts' reads, and the backup's statements on an SQLite file."""

from __future__ import annotations

import sqlite3

from registry_desk.domain.audit import GENESIS_HASH
from registry_desk.domain.codes import Role
from registry_desk.kernel.context import utc_now
from registry_desk.storage import migrate
from registry_desk.storage.driver_sql import driver
from registry_desk.storage.hall import audit as trail
from registry_desk.storage.hall import backup, numbers, users
from registry_desk.storage.tables import User


def test_a_counter_is_created_at_zero_and_advanced_by_one(any_db):
    with any_db.unit_of_work() as uow:
        sql = driver(uow.session)
        assert numbers.advance_counter(sql, "test:counter") is None
        numbers.create_counter(sql, "test:counter")
        numbers.create_counter(sql, "test:counter")  # a second creation does nothing
        assert numbers.advance_counter(sql, "test:counter") == 1
        assert numbers.advance_counter(sql, "test:counter") == 2
        uow.commit()
    with any_db.unit_of_work(write=False) as uow:
        assert numbers.counter_value(uow.session, "test:counter") == 2
        assert numbers.counter_value(uow.session, "test:none") == 0


def test_the_audit_head_starts_once_and_advances(any_db):
    with any_db.unit_of_work() as uow:
        sql = driver(uow.session)
        assert trail.lock_head(sql) is None
        trail.start_head(sql, GENESIS_HASH)
        trail.start_head(sql, "ignored")  # the head exists: nothing happens
        assert tuple(trail.lock_head(sql) or ()) == (0, GENESIS_HASH, 1, None)
        trail.insert_event(
            sql,
            seq=1,
            occurred_at=utc_now(),
            actor="tester",
            action="test.event",
            case_id=None,
            unit_id=None,
            record="r",
            before=None,
            after={"k": "v"},
            prev_hash=GENESIS_HASH,
            hash="a" * 64,
        )
        trail.advance_head(sql, 1, "a" * 64, "f" * 32)
        uow.commit()
    with any_db.unit_of_work(write=False) as uow:
        events = trail.events_after(uow.session, 0, 10)
        assert [(e.seq, e.action, e.after) for e in events] == [(1, "test.event", {"k": "v"})]
        assert trail.events_after(uow.session, events[0].id, 10) == []
        head = trail.audit_head(uow.session)
        assert head is not None and (head.last_seq, head.last_hash, head.key_id) == (1, "a" * 64, "f" * 32)


def test_accounts_are_read_by_name_and_counted(any_db):
    with any_db.unit_of_work() as uow:
        assert users.count_users(uow.session) == 0
        uow.session.add(
            User(
                username="clerk1",
                display_name="受理员",
                role=Role.CLERK,
                password_hash="x",
                active=True,
                created_at=utc_now(),
            )
        )
        uow.commit()
    with any_db.unit_of_work(write=False) as uow:
        assert users.username_taken(uow.session, "clerk1")
        assert not users.username_taken(uow.session, "clerk2")
        found = users.user_named(uow.session, "clerk1")
        assert found is not None and found.display_name == "受理员"
        assert users.user_named(uow.session, "nobody") is None
        assert users.count_users(uow.session) == 1


def test_the_backup_statements_read_a_registry_file(sqlite_db, tmp_path):
    path = sqlite_db.url.split("///", 1)[1]
    conn = sqlite3.connect(path)
    try:
        assert backup.quick_check(conn) == "ok"
        assert {"units", "audit_events", "alembic_version"} <= backup.table_names(conn)
        assert backup.stored_revision(conn) == migrate.HEAD
        assert backup.row_count(conn, "units") == 0
    finally:
        conn.close()
    assert migrate.HEAD in backup.known_revisions()
    other = sqlite3.connect(str(tmp_path / "copy.sqlite3"))
    try:
        backup.set_journal_mode(other, "DELETE")
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    finally:
        other.close()


def test_an_upgrade_to_the_current_schema_is_not_refused(any_db):
    assert backup.upgrade_refused(any_db.engine) is None


def _zhao() -> User:
    return User(
        username="zhao",
        display_name="赵敏",
        role=Role.CLERK,
        password_hash="x",
        active=True,
        window=None,
        created_at=utc_now(),
    )


def test_the_accounts_repository_and_the_unit_of_work_save_only_on_commit(any_db):
    # kernel/work.py over the real database: the same Work the fake gives the use-case tests.
    from registry_desk.domain.errors import ValidationError
    from registry_desk.kernel.context import Actor
    from registry_desk.kernel.work import work

    admin = Actor(None, "admin", "管理员", Role.ADMIN, None)
    with work(any_db) as w:
        w.accounts.add(_zhao())
        w.trail.append(admin, "user.create", record="zhao")
        assert w.accounts.taken("zhao") and w.accounts.named("zhao").display_name == "赵敏"
        # not committed: dropped with the transaction
    with work(any_db, write=False) as w:
        assert w.accounts.count() == 0 and not w.accounts.taken("zhao")
    try:
        with work(any_db) as w:
            w.accounts.add(_zhao())
            raise ValidationError("refused half-way", rule="测试")
    except ValidationError:
        pass
    with work(any_db) as w:
        assert w.accounts.count() == 0
        w.accounts.add(_zhao())
        w.trail.append(admin, "user.create", record="zhao")
        w.commit()
    with work(any_db, write=False) as w:
        assert w.accounts.count() == 1 and w.accounts.named("zhao").id is not None
    with any_db.unit_of_work(write=False) as uow:
        assert trail.audit_head(uow.session).last_seq == 1


def test_a_sign_in_guard_is_made_at_zero_once_and_kept_when_committed(any_db):
    with any_db.unit_of_work() as uow:
        guard = users.locked_guard(uow.session, "k" * 64)
        assert (guard.failures, guard.locks, guard.locked_until) == (0, 0, None)
        guard.failures = 2
        uow.commit()
    with any_db.unit_of_work() as uow:
        again = users.locked_guard(uow.session, "k" * 64)  # exists: not made again, nor reset
        assert again.failures == 2
        again.locked_until = utc_now()
        uow.commit()
    with any_db.unit_of_work() as uow:
        users.locked_guard(uow.session, "n" * 64)  # made, then rolled back with the work
    with any_db.unit_of_work(write=False) as uow:
        kept = users.guard_of(uow.session, "k" * 64)
        assert kept is not None and kept.failures == 2 and kept.locked_until is not None
        assert users.guard_of(uow.session, "n" * 64) is None


def test_the_register_kind_is_decided_once_and_never_changed(any_db):
    with any_db.unit_of_work(write=False) as uow:
        assert users.register_is_demo(uow.session) is None
        assert not users.register_in_use(uow.session)
    with any_db.unit_of_work() as uow:
        assert users.decide_register_kind(uow.session, False, "test", utc_now()) is False
        uow.commit()
    with any_db.unit_of_work() as uow:
        assert users.decide_register_kind(uow.session, True, "test", utc_now()) is False  # stands
        uow.commit()
    with any_db.unit_of_work(write=False) as uow:
        assert users.register_is_demo(uow.session) is False
