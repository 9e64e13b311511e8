"""Telling every window of the hall what changed: LISTEN/NOTIFY on PostgreSQL, a cheap poll on SQLite.

On PostgreSQL the database itself announces: migration 0005 put triggers on the audit trail and the claims
table that `pg_notify` inside the writer's transaction, so every service that audits its change (all of
them) is covered, whichever process or program version wrote it, and a rolled-back change is never
announced (NOTIFY is delivered on commit only). `announce()` is for a write the trail does not see.

On SQLite there is no NOTIFY: the listener asks `PRAGMA data_version` once a second (it changes exactly when
another connection committed) and then reads the audit events past the last one it saw — a single indexed
read, so twenty windows polling cost the database nothing noticeable.

The listener runs on its own thread with its own connection and calls `on_change` there; the UI side
(ui/live.py) moves the call onto the UI thread.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from registry_desk.storage.database import Database
from registry_desk.storage.register import history
from registry_desk.storage.session import Session

log = logging.getLogger(__name__)

CHANNEL = "registry_desk_changes"
ANY = "*"  # something changed, we cannot say what (a missed stretch, a write outside the trail)
POLL_SECONDS = 1.0
_RECONNECT_MAX_SECONDS = 10.0

# Topics are the audit actions' prefixes ("case.recorded" → "case"); claims announce "claim".
CLAIM = "claim"


@dataclass(frozen=True)
class Change:
    topic: str
    key: str = ""


def topic_of(action: str) -> str:
    return action.split(".", 1)[0] if action else ANY


def announce(session: Session, topic: str, key: str = "") -> None:
    """Announces a change inside the caller's write transaction: delivered when it commits, never if it
    rolls back. Audited changes announce themselves; call this only for writes the audit trail does not see.
    (SQLite listeners notice every commit by themselves.)"""
    history.announce_change(session, CHANNEL, topic, key)


class ChangeListener:
    """Calls `on_change(Change)` on its own thread for every change another window commits.

    `start()` returns at once; `stop()` ends the thread and closes its connection. A lost connection is
    retried with growing pauses; after reconnecting it reports ANY, because announcements sent meanwhile
    are gone and the windows must re-read."""

    def __init__(
        self, db: Database, on_change: Callable[[Change], None], *, poll_seconds: float = POLL_SECONDS
    ) -> None:
        self.db = db
        self.on_change = on_change
        self.poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ready = threading.Event()  # set once listening (tests wait on it before writing)
        self.backend_pid: int | None = None  # the PostgreSQL session listening, for the operator's view

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        target = self._run_sqlite if self.db.is_sqlite else self._run_postgres
        self._thread = threading.Thread(
            target=self._loop, args=(target,), name="registry-changes", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _emit(self, change: Change) -> None:
        try:
            self.on_change(change)
        except Exception:  # a faulty receiver must not end the hall's updates
            log.exception("change receiver failed for %s", change)

    def _loop(self, run: Callable[[bool], None]) -> None:
        pause = 0.5
        first = True
        while not self._stop.is_set():
            try:
                run(first)
                return
            except Exception as error:  # noqa: BLE001 - psycopg and sqlite3 fail differently; keep listening
                log.warning("change listener lost its connection: %s", error)
                self.ready.clear()
            first = False
            if self._stop.wait(pause):
                return
            pause = min(pause * 2, _RECONNECT_MAX_SECONDS)

    # -- PostgreSQL ---------------------------------------------------------------------------------------

    def _run_postgres(self, first: bool) -> None:
        with history.open_postgres_follower(self.db.url) as conn:
            own_schema = history.listen(conn, CHANNEL)
            self.backend_pid = conn.info.backend_pid
            self.ready.set()
            if not first:
                self._emit(Change(ANY))
            while not self._stop.is_set():
                for note in conn.notifies(timeout=0.5):
                    change = _parse(note.payload, own_schema)
                    if change is not None:
                        self._emit(change)
                    if self._stop.is_set():
                        break

    # -- SQLite -------------------------------------------------------------------------------------------

    def _run_sqlite(self, first: bool) -> None:
        conn = history.open_sqlite_follower(self.db.url)
        try:
            version = history.sqlite_data_version(conn)
            last_seq = history.last_event_seq(conn)
            self.ready.set()
            if not first:
                self._emit(Change(ANY))
            while not self._stop.wait(self.poll_seconds):
                now_version = history.sqlite_data_version(conn)
                if now_version == version:
                    continue
                version = now_version
                rows = history.events_after(conn, last_seq)
                if not rows:
                    self._emit(Change(ANY))  # a claim, or another write outside the trail
                    continue
                last_seq = rows[-1][0]
                seen: set[Change] = set()
                for _seq, action, record in rows:
                    change = Change(topic_of(action), record or "")
                    if change not in seen:
                        seen.add(change)
                        self._emit(change)
        finally:
            conn.close()


def _parse(payload: str, own_schema: str | None) -> Change | None:
    try:
        data = json.loads(payload)
    except ValueError:
        return Change(ANY)
    if own_schema is not None and data.get("schema") not in (None, own_schema):
        return None
    return Change(str(data.get("topic") or ANY), str(data.get("key") or ""))
