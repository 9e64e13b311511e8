"""The kiosk's identification (自助终端身份核验): the case number from the receipt's QR, the citizen proving
being a party of that case by an ID number (failures counted and the case locked after too many, at every
kiosk), and the administrator who closes kiosk mode.

Every use case of the kiosk requires the kiosk account (or an administrator), and the kiosk account can do
nothing else: the other services' role checks do not list it. The kiosk holds no state of its own; the
caller passes back the `Identified` it got from `identify`, and each call re-checks it against the case
(`verified_party`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from registry_desk.domain.codes import IdType, PartyRole, Role
from registry_desk.domain.errors import NotFound, PermissionDenied, ValidationError
from registry_desk.kernel import audit
from registry_desk.kernel.business_types import load_policy
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.operations import users
from registry_desk.registration import locking
from registry_desk.registration.issuing import CHINA_TZ, mask_id_number
from registry_desk.storage.database import Database
from registry_desk.storage.kiosk import lookups, prints
from registry_desk.storage.kiosk.tables import KioskLock, utc
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Case, Party

KIOSK_ROLES = (Role.KIOSK, Role.ADMIN)
RULE_IDENTIFY = "自助终端身份核验"

_CASE_NUMBER = re.compile(r"^\d{12}$")
_FULL_WIDTH = {0xFF10 + i: ord("0") + i for i in range(10)} | {0xFF38: ord("X"), 0xFF58: ord("X")}


@dataclass(frozen=True)
class KioskPolicy:
    """How strict the kiosk is; the defaults are the hall's, tests pass shorter ones."""

    max_failures: int = 5
    lock_minutes: int = 30
    idle_seconds: int = 60


@dataclass(frozen=True)
class Identified:
    """A citizen who proved being a party of the case by its ID number. Only masked text is kept for display."""

    case_number: str
    party_id: int
    name_masked: str
    id_masked: str
    role_label: str


def mask_name(name: str, id_type: IdType | None = None) -> str:
    """张*明 / 王*: a person's name with the middle hidden; an organisation's name is public and stays whole."""
    if id_type is IdType.USCC:
        return name
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def parse_case_scan(text: str) -> str:
    """The case number from what the scanner typed (the receipt's QR holds the bare case number, see
    issuing.receipt_view) or what was keyed in; anything else is refused in plain words."""
    cleaned = text.translate(_FULL_WIDTH).strip()
    if not _CASE_NUMBER.match(cleaned):
        raise ValidationError(
            "未能识别业务号：请扫描受理凭证右上角的二维码，或输入凭证上的12位业务号",
            rule=RULE_IDENTIFY,
            record=cleaned[:32],
        )
    return cleaned


def normalise_id(text: str) -> str:
    return text.translate(_FULL_WIDTH).strip().upper()


def case_for_reading(s: Session, case_number: str) -> Case:
    """The case scanned, with its parties, refused in plain words when there is none."""
    case = lookups.case_with_parties(s, case_number)
    if case is None:
        raise NotFound(
            f"没有业务号为 {case_number} 的业务，请核对受理凭证", rule=RULE_IDENTIFY, record=case_number
        )
    return case


def party_candidates(s: Session, case: Case) -> list[tuple[Party, str]]:
    """Everyone who may identify on a case: its applicants and their agents."""
    business = next((b for b in load_policy().types if b.key == case.business_type), None)
    found: list[tuple[Party, str]] = []
    for cp in case.parties:
        label = business.role_label(cp.role) if business else cp.role.label
        found.append((cp.party, label))
        if cp.agent_party_id is not None:
            agent = lookups.party_by_id(s, cp.agent_party_id)
            if agent is not None:
                found.append((agent, PartyRole.AGENT.label))
    return found


def verified_party(s: Session, case: Case, who: Identified) -> Party:
    """The party `who` names, still a party of this case; refused when the identification no longer holds."""
    if who.case_number != case.case_number or who.party_id not in {
        p.id for p, _ in party_candidates(s, case)
    }:
        raise PermissionDenied(
            "身份核验已失效，请重新扫码并核验身份", rule=RULE_IDENTIFY, record=case.case_number
        )
    party = lookups.party_by_id(s, who.party_id)
    assert party is not None
    return party


def _locked_message(case_number: str, until: datetime) -> str:
    shown = utc(until).astimezone(CHINA_TZ).strftime("%H:%M")
    return f"业务 {case_number} 因身份核验连续失败已暂时锁定，请于 {shown} 后再试，或到窗口办理"


def _refuse_if_locked(row: KioskLock | None, case_number: str, now: datetime) -> None:
    if row is not None and row.locked_until is not None and utc(row.locked_until) > now:
        raise PermissionDenied(
            _locked_message(case_number, row.locked_until), rule=RULE_IDENTIFY, record=case_number
        )


def check_case(db: Database, actor: Actor, scanned: str, *, now: datetime | None = None) -> str:
    """The case number from a scan, refused at once when the case is unknown or locked (before the ID is asked)."""
    actor.require(*KIOSK_ROLES, operation="自助终端查询业务")
    now = utc(now or utc_now())
    number = parse_case_scan(scanned)
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        case_for_reading(s, number)
        _refuse_if_locked(prints.lock_of_case(s, number), number, now)
    return number


def identify(
    db: Database,
    actor: Actor,
    case_number: str,
    id_number: str,
    *,
    policy: KioskPolicy | None = None,
    now: datetime | None = None,
) -> Identified:
    """Checks that `id_number` belongs to an applicant (or agent) of the case. Each failure is counted and
    audited; the `max_failures`-th locks the case at every kiosk for `lock_minutes` (kept in the database)."""
    actor.require(*KIOSK_ROLES, operation="自助终端身份核验")
    policy = policy or KioskPolicy()
    now = utc(now or utc_now())
    number = parse_case_scan(case_number)
    typed = normalise_id(id_number)
    refusal: PermissionDenied | None = None
    with db.unit_of_work() as uow:
        s = uow.session
        # Unit first, then the case: the order every writer of a unit uses (the case service's own).
        case = locking.locked_case(s, number)
        row = prints.locked_lock_of_case(s, number)
        _refuse_if_locked(row, number, now)
        if row.locked_until is not None:  # an expired lock: a fresh count
            row.locked_until = None
            row.failures = 0
        match = next(
            ((p, label) for p, label in party_candidates(s, case) if p.id_number.upper() == typed), None
        )
        if match is None:
            row.failures += 1
            row.last_failure_at = now
            # The typed number is not kept: it may be someone else's real ID number.
            audit.append(
                s,
                actor,
                "kiosk.identify_failed",
                case_id=case.id,
                record=number,
                after={"failures": row.failures, "max_failures": policy.max_failures},
                at=now,
            )
            left = policy.max_failures - row.failures
            if left <= 0:
                row.locked_until = now + timedelta(minutes=policy.lock_minutes)
                audit.append(
                    s,
                    actor,
                    "kiosk.locked",
                    case_id=case.id,
                    record=number,
                    after={"failures": row.failures, "locked_until": row.locked_until.isoformat()},
                    at=now,
                )
                refusal = PermissionDenied(
                    _locked_message(number, row.locked_until), rule=RULE_IDENTIFY, record=number
                )
            else:
                refusal = PermissionDenied(
                    f"证件号码与业务 {number} 的申请人不符，还可再试 {left} 次",
                    rule=RULE_IDENTIFY,
                    record=number,
                )
        else:
            party, label = match
            row.failures = 0
            row.last_failure_at = None
            audit.append(
                s,
                actor,
                "kiosk.identified",
                case_id=case.id,
                record=number,
                after={"party_id": party.id, "role": label},
                at=now,
            )
            who = Identified(
                number,
                party.id,
                mask_name(party.name, party.id_type),
                mask_id_number(party.id_type, party.id_number),
                label,
            )
        uow.commit()
    if refusal is not None:
        raise refusal  # after the commit: the failure count must be saved even though the call fails
    return who


# ---------------------------------------------------------------------------------------------------------
# Leaving kiosk mode


def admin_exit(
    db: Database, kiosk: Actor, username: str, password: str, *, now: datetime | None = None
) -> Actor:
    """An administrator's username and password (checked like a sign-in) let the kiosk close; every try is audited.

    The check is the window's sign-in, lockout included: failures here and at a window count against the
    same user name, so the kiosk's exit is no second place to guess an administrator's password."""
    now = utc(now or utc_now())
    try:
        admin = users.login(db, username, password, now=now, place="自助终端退出")
        if admin.role is not Role.ADMIN:
            raise PermissionDenied(
                f"账户“{admin.username}”不是系统管理员，不能退出自助模式",
                rule="自助终端退出",
                record=admin.username,
            )
    except PermissionDenied:
        with db.unit_of_work() as uow:
            audit.append(
                uow.session, kiosk, "kiosk.exit_refused", record=username.strip()[:64] or "-", at=now
            )
            uow.commit()
        raise
    with db.unit_of_work() as uow:
        audit.append(uow.session, admin, "kiosk.exit", record=kiosk.username, at=now)
        uow.commit()
    return admin
