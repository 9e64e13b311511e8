"""storage/register/history.py: a case's audit events, who changed it last, and the trail's followers."""

from __future__ import annotations

from registry_desk.storage.register import history
from tests.integration.test_case_helpers import CLERK


def test_a_case_events_and_its_last_change(accepted):
    with accepted.db.unit_of_work(write=False) as uow:
        s = uow.session
        case_id = history.case_id_of_number(s, accepted.case_number)
        assert case_id is not None and history.case_id_of_number(s, "NO-SUCH-CASE") is None
        events = history.case_events(s, case_id)
        assert [action for _at, _who, action, _after in events] == ["case.accepted"]
        who, when = history.last_change(s, accepted.case_number)
        assert who == CLERK.username and when is not None
        assert history.last_change(s, "NO-SUCH-CASE") is None
        assert history.display_name_of(s, "no-such-user") is None


def test_an_announcement_outside_postgresql_is_nothing(sqlite_db):
    with sqlite_db.unit_of_work() as uow:
        history.announce_change(uow.session, "registry_desk_changes", "case", "X")  # SQLite: no NOTIFY
        uow.commit()


def test_the_sqlite_follower_reads_the_trail_past_a_point(accepted):
    if not accepted.db.is_sqlite:
        return  # PostgreSQL announces instead (tests/integration/test_changes.py)
    conn = history.open_sqlite_follower(accepted.db.url)
    try:
        last = history.last_event_seq(conn)
        assert last >= 1 and isinstance(history.sqlite_data_version(conn), int)
        assert [action for _seq, action, _record in history.events_after(conn, 0)][-1] == "case.accepted"
        assert history.events_after(conn, last) == []
    finally:
        conn.close()


def test_postgres_conninfo_keeps_what_the_url_names():
    info = history.postgres_conninfo(
        "postgresql+psycopg://clerk:secret@db.example:6543/register?options=-csearch_path%3Dx"
    )
    assert info == {
        "host": "db.example",
        "port": 6543,
        "dbname": "register",
        "user": "clerk",
        "password": "secret",
        "options": "-csearch_path=x",
    }
