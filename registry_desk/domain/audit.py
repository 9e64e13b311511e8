"""The audit chain's hashing rule: each event's hash covers its content and the previous hash."""

from __future__ import annotations

import hashlib
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


def entry_hash(entry: AuditEntry, prev_hash: str) -> str:
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
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()
