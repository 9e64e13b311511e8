"""The audit chain's hashing rule: each event's hash covers its content and the previous hash.

Since revision 0010 the hash is an HMAC-SHA256 under the register's chain key (kept in the data directory's
`keys/`, never in the database): whoever can write the database but lacks the key cannot rewrite an event
and re-hash the rest. Events written before a register was upgraded keep their plain SHA-256; the chain's
head records from which event on it is keyed."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

GENESIS_HASH = "0" * 64
_UTC = timezone.utc


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    occurred_at: datetime
    actor: str
    action: str
    case_id: int | None
    unit_id: int | None
    record: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _canonical_time(moment: datetime) -> str:
    # Databases hand back datetimes with differing tz objects and precision: hash the UTC instant
    # to the microsecond so the same event always hashes the same.
    if moment.tzinfo is not None:
        moment = moment.astimezone(_UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")


def key_id(key: bytes) -> str:
    """A fingerprint of the chain key, stored in the head so a window holding another key is refused
    before it writes an event nobody could verify (the fingerprint does not reveal the key)."""
    return hmac.digest(key, b"registry-desk audit chain key", "sha256").hex()[:32]


@dataclass(frozen=True)
class ChainKey:
    """The register's chain key and its fingerprint (computed once, not on every event)."""

    secret: bytes
    id: str

    @classmethod
    def of(cls, secret: bytes) -> ChainKey:
        return cls(secret, key_id(secret))

    def __repr__(self) -> str:  # never print the secret
        return f"ChainKey(id={self.id})"


def entry_hash(entry: AuditEntry, prev_hash: str, key: bytes | None = None) -> str:
    """The event's hash: HMAC-SHA256 under `key`, or the plain SHA-256 of an unkeyed (pre-0010) event."""
    body = json.dumps(
        [
            entry.seq,
            _canonical_time(entry.occurred_at),
            entry.actor,
            entry.action,
            entry.case_id,
            entry.unit_id,
            entry.record,
            entry.before,
            entry.after,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    message = (prev_hash + body).encode("utf-8")
    if key is None:
        return hashlib.sha256(message).hexdigest()
    # hmac.digest is the one-shot C implementation: it costs what hashlib.sha256 does.
    return hmac.digest(key, message, "sha256").hex()
