"""Pickup codes (取件码): what lets the kiosk hand a certificate to the applicant it belongs to.

Each applicant who is a person gets an 8-digit code, printed on their own copy of the 受理凭证 and nowhere
else. Only a keyed hash is stored: HMAC-SHA256 under a key in the data directory's `keys/` (never in the
database). A keyed hash rather than argon2id because the code is short (10^8 values): a salted slow hash
of it can still be brute-forced from a stolen database or backup in days, while the HMAC cannot be tried
at all without the key file; guesses at the kiosk itself are bounded by its failure lock. The hash binds
the case, the party and the issue number, so one row's hash says nothing about another's.

A reprint of a party's receipt issues a fresh code and the earlier one stops matching (audited as
`receipt.pickup_code_reissued`): there is never a second valid code in anyone's hands. A code is used up
when the kiosk hands a certificate over against it (`kiosk/printing.py`).

Organisations get no code: they never identify at the kiosk by their public USCC; a bank's 证明 goes out
as its e-certificate or at the window.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from datetime import datetime
from pathlib import Path

from registry_desk.config import PRIVATE_FILE_MODE
from registry_desk.documents.verification import document_text
from registry_desk.domain.codes import IdType
from registry_desk.kernel import audit
from registry_desk.kernel.context import Actor
from registry_desk.storage.kiosk import pickup as stored
from registry_desk.storage.kiosk.tables import KioskPickupCode
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Case, Party

CODE_DIGITS = 8
KEY_FILE = "pickup-code.key"
ISSUED_ACTION = "receipt.pickup_code_issued"
REISSUED_ACTION = "receipt.pickup_code_reissued"


def gets_code(party: Party) -> bool:
    """Whether this applicant may collect at the kiosk (a person; an organisation never)."""
    return party.id_type is not IdType.USCC


def pickup_key(keys_dir: Path) -> bytes:
    """The HMAC key of this install, made (0600, never overwritten) the first time it is needed."""
    path = Path(keys_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
        except FileExistsError:
            pass  # another process made it just now: use theirs
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(32))
    key = path.read_bytes()
    if len(key) < 32:
        raise OSError(f"取件码密钥文件 {path} 已损坏")
    return key


def code_hash(key: bytes, case_id: int, party_id: int, issue_no: int, code: str) -> str:
    message = f"{case_id}|{party_id}|{issue_no}|{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def code_matches(key: bytes, row: KioskPickupCode, typed: str) -> bool:
    wanted = code_hash(key, row.case_id, row.party_id, row.issue_no, typed.strip())
    return hmac.compare_digest(wanted, row.code_hash)


def issue_code(s: Session, actor: Actor, case: Case, party: Party, key: bytes, now: datetime) -> str:
    """A fresh code for this applicant of the case, replacing (and so voiding) any earlier one; audited
    without the code. Returns the code in clear, for the one receipt that prints it."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    row = stored.pickup_code(s, case.id, party.id, lock=True)
    reissue = row is not None
    if row is None:
        row = KioskPickupCode(case_id=case.id, party_id=party.id, issue_no=1)
        issue_no = 1
    else:
        issue_no = row.issue_no + 1
    row.issue_no = issue_no
    row.code_hash = code_hash(key, case.id, party.id, issue_no, code)
    row.issued_at = now
    row.issued_by = actor.username
    row.used_at = None
    stored.add_pickup_code(s, row)
    audit.append(
        s,
        actor,
        REISSUED_ACTION if reissue else ISSUED_ACTION,
        case_id=case.id,
        record=case.case_number,
        after={"party_id": party.id, "issue_no": issue_no, "earlier_code_void": reissue},
        at=now,
    )
    return code


_PRINTED = re.compile(r"取件码\s*(\d{%d})" % CODE_DIGITS)


def code_printed_on(receipt_pdf: bytes) -> str | None:
    """The pickup code as printed on a 受理凭证 (what the citizen reads off their copy), or None."""
    found = _PRINTED.search(document_text(receipt_pdf))
    return found.group(1) if found else None
