"""Signed checkpoints of the audit chain's head, kept outside the database and in every backup.

The keyed chain (kernel/audit.py) stops anyone without the key from rewriting events, but not from deleting
them: a trail wiped with its head, or cut short with the head moved back, is still a consistent chain. So the
head (seq, hash, and from which event it is keyed) is signed with the registration centre's seal key and
written to the data directory's `audit-checkpoints/`, one new file each time (never rewritten, 0600), when
`check` or `audit verify` has verified the chain, before every backup, and when a window closes. A checkpoint
is written only after the events since the previous one were verified, so a tampered chain is never vouched
for. `audit verify` and `check` then compare the database with the newest checkpoint of that database: an
empty trail, a chain shorter than the checkpoint, or another hash at its seq is reported with the seq and the
checkpoint's file.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from registry_desk.config import Settings, private_dir, redact_url
from registry_desk.documents.pki import verify_raw_signature
from registry_desk.domain.errors import DomainError
from registry_desk.kernel.audit import verify_chain
from registry_desk.kernel.context import utc_now
from registry_desk.registration.issuing import centre_kit
from registry_desk.storage.database import Database
from registry_desk.storage.hall import audit as trail

CHECKPOINT_DIR = "audit-checkpoints"
KIND = "registry-desk audit checkpoint"
RULE_ANCHOR = "审计链与签名检查点一致"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    keyed_from: int
    database: str
    written_at: str
    path: Path


@dataclass
class AnchorReport:
    """What comparing the chain with its checkpoints found: problems as (record, message)."""

    problems: list[tuple[str, str]] = field(default_factory=list)
    newest: Checkpoint | None = None
    written: Checkpoint | None = None
    unwritten: str = ""  # why no checkpoint could be written (a read-only data directory, say)

    @property
    def ok(self) -> bool:
        return not self.problems


def checkpoint_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / CHECKPOINT_DIR


def database_name(url: str) -> str:
    """The database a checkpoint belongs to: a SQLite file by its absolute path, a server by its URL
    without the password (one data directory may serve several registers, the demo's among them)."""
    if url.startswith("sqlite") and "///" in url:
        path = url.split("///", 1)[1].split("?", 1)[0]
        if path and path != ":memory:":
            return "sqlite:" + str(Path(path).expanduser().resolve())
    return redact_url(url)


def _signed_bytes(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def read_checkpoints(settings: Settings, url: str) -> tuple[list[Checkpoint], list[tuple[str, str]]]:
    """This database's checkpoints whose signature verifies, and a problem for each unreadable or forged one."""
    folder = checkpoint_dir(settings)
    if not folder.is_dir():
        return [], []
    cert = centre_kit(settings).identity.certificate
    wanted = database_name(url)
    found: list[Checkpoint] = []
    problems: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            signature = base64.b64decode(document.pop("signature"), validate=True)
            fields = {k: document[k] for k in ("kind", "database", "seq", "hash", "keyed_from", "written_at")}
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            problems.append((path.name, f"签名检查点文件 {path} 无法读取（{type(error).__name__}）"))
            continue
        if fields["database"] != wanted:
            continue
        if fields["kind"] != KIND or not verify_raw_signature(cert, _signed_bytes(fields), signature):
            problems.append((path.name, f"签名检查点文件 {path} 的签名无效（被改动或伪造）"))
            continue
        found.append(
            Checkpoint(
                int(fields["seq"]),
                str(fields["hash"]),
                int(fields["keyed_from"]),
                wanted,
                str(fields["written_at"]),
                path,
            )
        )
    return found, problems


def compare(db: Database, settings: Settings) -> AnchorReport:
    """The database's chain against the newest signed checkpoint of it (nothing to compare without one)."""
    checkpoints, problems = read_checkpoints(settings, db.url)
    report = AnchorReport(problems=problems)
    if not checkpoints:
        return report
    cp = report.newest = max(checkpoints, key=lambda c: (c.seq, c.written_at))
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        head = trail.audit_head(s)
        events = trail.event_count(s)
        at = trail.event_id_at(s, cp.seq)
        last = int(head.last_seq) if head is not None else 0
        keyed_from = int(head.keyed_from) if head is not None and head.keyed_from is not None else None
    where = f"审计记录第 {cp.seq} 条"
    if events == 0:
        report.problems.append(
            (
                where,
                f"审计记录已被全部清空（链头记载 {last} 条），而签名检查点 {cp.path} 记载到第 {cp.seq} 条",
            )
        )
    elif last < cp.seq or at is None:
        report.problems.append(
            (
                where,
                f"审计链比签名检查点短：链头记载共 {last} 条，检查点 {cp.path} 记载到第 {cp.seq} 条"
                "（末尾的记录被截去，或链头被改回）",
            )
        )
    elif at[1] != cp.hash:
        report.problems.append(
            (where, f"审计记录第 {cp.seq} 条的哈希与签名检查点 {cp.path} 不符（该条或之前的记录被改写）")
        )
    if keyed_from is not None and keyed_from != cp.keyed_from:
        report.problems.append(
            (
                "审计链头",
                f"链头记载自第 {keyed_from} 条起以密钥计算哈希，签名检查点 {cp.path} 记载自第 {cp.keyed_from} 条起",
            )
        )
    return report


def verify_and_checkpoint(db: Database, settings: Settings, *, walk: bool = True) -> AnchorReport:
    """Compares the chain with its newest checkpoint, verifies the events after it (unless the caller has
    just verified the whole chain: `walk=False`) and, when all is well, signs the head as a new checkpoint."""
    report = compare(db, settings)
    if not report.ok:
        return report
    cp = report.newest
    if walk:
        chain = verify_chain(db, start=(cp.seq, cp.hash) if cp is not None else None)
        if not chain.ok:
            report.problems.append((f"审计记录第 {chain.first_bad_seq} 条", chain.problem))
            return report
    with db.unit_of_work(write=False) as uow:
        head = trail.audit_head(uow.session)
        if head is None or int(head.last_seq) == 0:
            return report
        seq, digest = int(head.last_seq), str(head.last_hash)
        keyed_from = int(head.keyed_from) if head.keyed_from is not None else 1
    if cp is not None and (cp.seq, cp.hash, cp.keyed_from) == (seq, digest, keyed_from):
        return report  # nothing new to vouch for
    try:
        report.written = write_checkpoint(settings, db.url, seq, digest, keyed_from)
    except (OSError, DomainError) as error:
        report.unwritten = f"未能写入签名审计检查点（{checkpoint_dir(settings)}）：{error}"
    return report


def write_checkpoint(settings: Settings, url: str, seq: int, digest: str, keyed_from: int) -> Checkpoint:
    """Signs (seq, hash, keyed_from) of `url`'s chain into a new 0600 file (O_EXCL: never overwritten)."""
    folder = private_dir(checkpoint_dir(settings))
    now = utc_now()
    fields = {
        "kind": KIND,
        "database": database_name(url),
        "seq": seq,
        "hash": digest,
        "keyed_from": keyed_from,
        "written_at": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    signature = centre_kit(settings).identity.sign(_signed_bytes(fields))
    body = json.dumps(
        {**fields, "signature": base64.b64encode(signature).decode("ascii")}, ensure_ascii=False
    )
    path = folder / f"{seq:012d}-{now.strftime('%Y%m%dT%H%M%S%f')}-{secrets.token_hex(3)}.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(body + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return Checkpoint(seq, digest, keyed_from, str(fields["database"]), str(fields["written_at"]), path)


def checkpoint_quietly(db: Database, settings: Settings) -> AnchorReport | None:
    """The checkpoint a closing window leaves: never stops the window from closing (the next `check`
    reports whatever this could not vouch for)."""
    try:
        return verify_and_checkpoint(db, settings)
    except (DomainError, OSError):
        return None


def checkpoint_files(settings: Settings) -> list[tuple[str, str]]:
    """Every checkpoint file of the data directory as (name, text), for a backup to carry."""
    folder = checkpoint_dir(settings)
    if not folder.is_dir():
        return []
    return [(p.name, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def bring_back(
    settings: Settings, url: str, files: list[tuple[str, str]], restored_seq: int
) -> tuple[int, int]:
    """After a restore: writes the backup's checkpoints that the data directory lacks, and moves this
    database's checkpoints beyond the restored chain (the events after the backup, now lost) into a
    `retired-…` subfolder, which the checks do not read. Returns (brought back, retired)."""
    folder = private_dir(checkpoint_dir(settings))
    brought = 0
    for name, text in files:
        if "/" in name or "\\" in name or not name.endswith(".json"):
            continue  # a name from a file must never point outside the folder
        target = folder / name
        if target.exists():
            continue
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        brought += 1
    checkpoints, _ = read_checkpoints(settings, url)
    beyond = [c for c in checkpoints if c.seq > restored_seq]
    if beyond:
        retired = private_dir(folder / f"retired-{utc_now().strftime('%Y%m%dT%H%M%S')}")
        for c in beyond:
            c.path.replace(retired / c.path.name)
    return brought, len(beyond)
