"""The local e-certificate store: one folder of sealed PDFs and JSON records, with a small SQLite index.

Layout of the folder (Settings.ecert_dir)::

    pdf/<电子证照标识>.pdf      the sealed PDF as issued, never rewritten
    records/<电子证照标识>.json the record (status changes rewrite it); its presence means "issued"
    index.sqlite3              look-up index, rebuilt from records/ whenever it is missing or behind

The JSON records are the truth and the index only finds candidates: every hit is re-read from its JSON
and filtered again, so an index left behind by a crash can make a look-up slower but never wrong.
Every file is written to a temporary name, flushed and renamed, so a crash never leaves half a file.
This store is a separate system from the register: it shares no tables with it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from registry_desk.domain.codes import CertificateStatus
from registry_desk.domain.errors import ConflictError, NotFound, ValidationError
from registry_desk.domain.identifiers import parse_ecert_id
from registry_desk.exemptions.ecert.records import EcertRecord
from registry_desk.config import PRIVATE_FILE_MODE, private_dir

INDEX_FILE = "index.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS ecerts (
    ecert_id TEXT PRIMARY KEY,
    number TEXT NOT NULL,
    unit_number TEXT NOT NULL,
    issued_on TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_ecerts_number ON ecerts (number);
CREATE INDEX IF NOT EXISTS ix_ecerts_unit ON ecerts (unit_number);
CREATE TABLE IF NOT EXISTS holders (
    ecert_id TEXT NOT NULL,
    id_number TEXT NOT NULL,
    PRIMARY KEY (ecert_id, id_number)
);
CREATE INDEX IF NOT EXISTS ix_holders_id ON holders (id_number);
"""


def _normalise_number(number: str) -> str:
    # Certificate numbers arrive with either bracket width (REFERENCE §4); the index keeps one form.
    return number.strip().replace("（", "(").replace("）", ")")


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE), "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


class LocalEcertStore:
    """EcertStore kept in a folder on this machine (or a shared drive of the hall)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._pdf_dir = self.folder / "pdf"
        self._record_dir = self.folder / "records"
        self._lock = threading.Lock()
        for d in (self.folder, self._pdf_dir, self._record_dir):
            private_dir(d)
        with self._index() as conn:
            conn.executescript(_SCHEMA)
        self._catch_up_index()

    # -- EcertStore ----------------------------------------------------------------------------------

    def issue(self, record: EcertRecord, pdf: bytes) -> EcertRecord:
        if not pdf.startswith(b"%PDF"):
            raise ValidationError(
                f"电子证照 {record.ecert_id} 的文件不是 PDF",
                rule="电子证照须为签章的 PDF",
                record=record.ecert_id,
            )
        stored = record.with_sha256(hashlib.sha256(pdf).hexdigest())
        with self._lock:
            json_path = self._record_path(stored.ecert_id)
            if json_path.exists():
                raise ConflictError(
                    f"电子证照 {stored.ecert_id} 已存在，不能重复签发（证号 {stored.number}）",
                    rule="电子证照标识唯一，已签发的电子证照不得覆盖",
                    record=stored.ecert_id,
                )
            # PDF first, record last: a record on disk always has its PDF beside it.
            _write_atomic(self._pdf_path(stored.ecert_id), pdf)
            self._write_record(stored)
            self._index_record(stored)
        return stored

    def get(self, ecert_id: str) -> EcertRecord:
        key = self._key(ecert_id)
        try:
            data = json.loads(self._record_path(key).read_text("utf-8"))
        except FileNotFoundError:
            raise NotFound(
                f"电子证照库中没有电子证照 {key}", rule="电子证照须由电子证照库签发", record=key
            ) from None
        return EcertRecord.from_json(data)

    def find(
        self,
        holder_id_number: str | None = None,
        unit_number: str | None = None,
        number: str | None = None,
        status: CertificateStatus | None = None,
    ) -> list[EcertRecord]:
        where: list[str] = []
        params: list[str] = []
        if holder_id_number:
            where.append("ecert_id IN (SELECT ecert_id FROM holders WHERE id_number = ?)")
            params.append(holder_id_number.strip().upper())
        if unit_number:
            where.append("unit_number = ?")
            params.append(unit_number.strip().upper())
        if number:
            where.append("number = ?")
            params.append(_normalise_number(number))
        sql = "SELECT ecert_id FROM ecerts"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY issued_on DESC, ecert_id DESC"
        with self._index() as conn:
            ids = [row[0] for row in conn.execute(sql, params)]
        records = []
        for ecert_id in ids:
            try:
                rec = self.get(ecert_id)
            except NotFound:
                continue  # removed by hand behind the index's back
            if holder_id_number and not rec.held_by(holder_id_number):
                continue
            if unit_number and rec.unit_number != unit_number.strip().upper():
                continue
            if number and _normalise_number(rec.number) != _normalise_number(number):
                continue
            if status is not None and rec.status is not CertificateStatus(status):
                continue
            records.append(rec)
        return records

    def cancel(self, ecert_id: str, reason: str, at: dt.date) -> EcertRecord:
        reason = reason.strip()
        if not reason:
            raise ValidationError(
                f"注销电子证照 {ecert_id} 须写明原因", rule="电子证照注销须载明原因", record=ecert_id
            )
        with self._lock:
            record = self.get(ecert_id)
            if not record.is_current:
                return record
            cancelled = record.cancelled(reason, at)
            self._write_record(cancelled)
        return cancelled

    def pdf(self, ecert_id: str) -> bytes:
        key = self._key(ecert_id)
        self.get(key)  # NotFound names the e-certificate, not a file path
        try:
            return self._pdf_path(key).read_bytes()
        except FileNotFoundError:
            raise NotFound(
                f"电子证照 {key} 的 PDF 文件缺失", rule="电子证照须有签章的 PDF 文件", record=key
            ) from None

    # -- maintenance ---------------------------------------------------------------------------------

    def count(self) -> int:
        with self._index() as conn:
            return int(conn.execute("SELECT count(*) FROM ecerts").fetchone()[0])

    def rebuild_index(self) -> int:
        """Re-creates the index from the JSON records (e.g. after copying the folder); returns the count."""
        records = [EcertRecord.from_json(json.loads(p.read_text("utf-8"))) for p in self._record_files()]
        with self._lock, self._index() as conn:
            conn.execute("DELETE FROM holders")
            conn.execute("DELETE FROM ecerts")
            for rec in records:
                self._insert_index_rows(conn, rec)
        return len(records)

    # -- internals -----------------------------------------------------------------------------------

    @staticmethod
    def _key(ecert_id: str) -> str:
        # Checking the identifier first also keeps path separators out of file names.
        return str(parse_ecert_id(ecert_id))

    def _record_path(self, ecert_id: str) -> Path:
        return self._record_dir / f"{self._key(ecert_id)}.json"

    def _pdf_path(self, ecert_id: str) -> Path:
        return self._pdf_dir / f"{self._key(ecert_id)}.pdf"

    def _record_files(self) -> list[Path]:
        return sorted(
            Path(e.path) for e in os.scandir(self._record_dir) if e.name.endswith(".json") and e.is_file()
        )

    def _write_record(self, record: EcertRecord) -> None:
        text = json.dumps(record.to_json(), ensure_ascii=False, indent=1, sort_keys=True)
        _write_atomic(self._record_path(record.ecert_id), text.encode("utf-8"))

    @contextlib.contextmanager
    def _index(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.folder / INDEX_FILE, timeout=15)
        try:
            with conn:  # commits on success, rolls back on error
                yield conn
        finally:
            conn.close()

    def _index_record(self, record: EcertRecord) -> None:
        with self._index() as conn:
            self._insert_index_rows(conn, record)

    @staticmethod
    def _insert_index_rows(conn: sqlite3.Connection, record: EcertRecord) -> None:
        # Only what never changes after issue is indexed; status is always read from the record.
        conn.execute(
            "INSERT OR REPLACE INTO ecerts (ecert_id, number, unit_number, issued_on) VALUES (?, ?, ?, ?)",
            (
                record.ecert_id,
                _normalise_number(record.number),
                record.unit_number.upper(),
                record.issued_on.isoformat(),
            ),
        )
        conn.executemany(
            "INSERT OR IGNORE INTO holders (ecert_id, id_number) VALUES (?, ?)",
            [(record.ecert_id, h.id_number.strip().upper()) for h in record.all_holders],
        )

    def _catch_up_index(self) -> None:
        # A crash between writing a record and indexing it leaves the index one behind: catch up here.
        files = self._record_files()
        if len(files) != self.count():
            self.rebuild_index()
