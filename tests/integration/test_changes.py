"""A window hears what other windows commit (NOTIFY on PostgreSQL, polling on SQLite): every audited change
and every claim, nothing that was rolled back, nothing from another register in the same database, and it
keeps hearing after its connection is cut."""

from __future__ import annotations

import queue
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from registry_desk.kernel import audit
from registry_desk.registration import intake
from registry_desk.registration import claims
from registry_desk.registration.changes import ANY, Change, ChangeListener, announce
from registry_desk.storage.database import Database
from tests.conftest import migrated_postgres, postgres_base_url
from tests.integration import test_case_helpers as _helpers
from tests.integration.test_case_helpers import CLERK, MONDAY, WANG, ZHAO, transfer

register_template = _helpers.register_template
sqlite_register = _helpers.sqlite_register
any_register = _helpers.any_register

PATIENCE = 10.0  # seconds; the design delivers within about one poll interval (1 s), this only bounds a hang


class Heard:
    """What a listening window received, in order."""

    def __init__(self) -> None:
        self.changes: queue.Queue[Change] = queue.Queue()
        self.seen: list[Change] = []

    def __call__(self, change: Change) -> None:
        self.changes.put(change)

    def wait_for(self, wanted) -> Change:
        deadline = time.monotonic() + PATIENCE
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"not heard within {PATIENCE} s; heard {self.seen}")
            try:
                change = self.changes.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(change)
            if wanted(change):
                return change


def _listen(url: str, heard: Heard) -> tuple[ChangeListener, Database]:
    other_window = Database(url)
    listener = ChangeListener(other_window, heard, poll_seconds=0.2)
    listener.start()
    assert listener.ready.wait(PATIENCE)
    return listener, other_window


def test_a_case_accepted_at_one_window_is_heard_by_another(any_register):
    db, reg = any_register
    heard = Heard()
    listener, other = _listen(db.url, heard)
    try:
        number = intake.accept_case(db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY).case_number
        change = heard.wait_for(lambda c: c.key == number)
        assert change == Change("case", number)
    finally:
        listener.stop()
        other.dispose()
    assert not listener.running


def test_a_rolled_back_change_is_never_announced(any_db):
    heard = Heard()
    listener, other = _listen(any_db.url, heard)
    try:
        with any_db.unit_of_work() as uow:
            audit.append(uow.session, CLERK, "case.note", record="ROLLED-BACK")
            announce(uow.session, "case", "ROLLED-BACK-TOO")
            uow.session.flush()
            uow.rollback()
        with any_db.unit_of_work() as uow:
            audit.append(uow.session, CLERK, "case.note", record="COMMITTED")
            uow.commit()
        heard.wait_for(lambda c: c.key == "COMMITTED")
        assert not [c for c in heard.seen if c.key.startswith("ROLLED-BACK")]
    finally:
        listener.stop()
        other.dispose()


def test_a_claim_taken_at_one_window_is_heard_by_another(any_register):
    db, reg = any_register
    number = intake.accept_case(db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY).case_number
    heard = Heard()
    listener, other = _listen(db.url, heard)
    try:
        claims.claim(db, CLERK, number)
        # PostgreSQL names the claim; SQLite can only tell that something outside the audit trail changed.
        change = heard.wait_for(lambda c: c in (Change("claim", number), Change(ANY)))
        assert change == (Change(ANY) if db.is_sqlite else Change("claim", number))
    finally:
        listener.stop()
        other.dispose()


@pytest.mark.postgres
def test_another_register_in_the_same_database_is_not_heard(postgres_db):
    training = migrated_postgres(postgres_base_url())
    training_db = training.__enter__()
    heard = Heard()
    listener, other = _listen(postgres_db.url, heard)
    try:
        with training_db.unit_of_work() as uow:
            audit.append(uow.session, CLERK, "case.note", record="TRAINING")
            uow.commit()
        with postgres_db.unit_of_work() as uow:
            audit.append(uow.session, CLERK, "case.note", record="LIVE")
            uow.commit()
        heard.wait_for(lambda c: c.key == "LIVE")
        assert [c.key for c in heard.seen] == ["LIVE"]
    finally:
        listener.stop()
        other.dispose()
        training.__exit__(None, None, None)


@pytest.mark.postgres
def test_a_window_whose_connection_is_cut_reconnects_and_asks_for_a_full_refresh(postgres_db):
    heard = Heard()
    listener, other = _listen(postgres_db.url, heard)
    admin = create_engine(postgres_base_url(), poolclass=NullPool)
    try:
        first_pid = listener.backend_pid
        with admin.begin() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first_pid}).scalar_one()
        heard.wait_for(lambda c: c == Change(ANY))  # whatever was announced while it was away is lost
        assert listener.ready.wait(PATIENCE) and listener.backend_pid != first_pid
        with postgres_db.unit_of_work() as uow:
            audit.append(uow.session, CLERK, "case.note", record="AFTER")
            uow.commit()
        heard.wait_for(lambda c: c.key == "AFTER")
    finally:
        listener.stop()
        other.dispose()
        admin.dispose()
