"""The kiosk session (自助终端会话): what `identify` hands out and every other kiosk service checks.

A token, not a record the caller fills in: the claims (case, party, whose pickup code, the code's issue
number, the terminal account, the expiry) signed with HMAC-SHA256 under a key made when this process starts
and never written anywhere. A caller cannot build one, change one, carry one to another terminal or another
process, or keep one past its expiry; a reprinted receipt (a new pickup code) voids the sessions opened with
the old one, since each call re-checks the issue number against the register (`identify.verified_party`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from registry_desk.domain.errors import PermissionDenied
from registry_desk.kernel.context import Actor

RULE_SESSION = "自助终端会话"
_KEY = secrets.token_bytes(32)  # this process's alone: a restart ends every session, as it should


@dataclass(frozen=True)
class SessionClaims:
    case_number: str
    party_id: int  # who identified (the applicant or their agent)
    principal_id: int  # the applicant whose pickup code was typed
    code_issue: int  # that code's issue number: a reprint makes it stale
    terminal: str  # the kiosk account the session was opened on
    expires_at: int  # Unix seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(body: str) -> str:
    return _b64(hmac.new(_KEY, body.encode("ascii"), hashlib.sha256).digest())


def issue(
    actor: Actor,
    case_number: str,
    party_id: int,
    principal_id: int,
    code_issue: int,
    now: datetime,
    minutes: int,
) -> str:
    claims = {
        "c": case_number,
        "p": party_id,
        "k": principal_id,
        "n": code_issue,
        "t": actor.username,
        "e": int((now + timedelta(minutes=minutes)).timestamp()),
    }
    body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_mac(body)}"


def _refused(record: str) -> PermissionDenied:
    return PermissionDenied("身份核验已失效，请重新扫码并核验身份", rule=RULE_SESSION, record=record)


def check(token: object, actor: Actor, now: datetime) -> SessionClaims:
    """The claims of a token this process signed for this terminal and not yet expired; anything else is
    refused with the same plain message (no hint which part failed)."""
    if not isinstance(token, str) or token.count(".") != 1 or len(token) > 1024:
        raise _refused(actor.username)
    body, mac = token.split(".")
    if not hmac.compare_digest(mac, _mac(body)):
        raise _refused(actor.username)
    try:
        raw = json.loads(_unb64(body))
        claims = SessionClaims(
            str(raw["c"]), int(raw["p"]), int(raw["k"]), int(raw["n"]), str(raw["t"]), int(raw["e"])
        )
    except (ValueError, KeyError, TypeError) as error:
        raise _refused(actor.username) from error
    if claims.terminal != actor.username or now.timestamp() >= claims.expires_at:
        raise _refused(claims.case_number)
    return claims
