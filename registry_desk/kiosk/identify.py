"""The kiosk's identification (自助终端身份核验): the case number from the receipt's QR, the citizen proving
being an applicant of that case (or their agent) by the ID number AND the pickup code (取件码) printed on
that applicant's own receipt (failures counted and the case locked after too many, at every kiosk), and
the administrator who closes kiosk mode.

Every use case of the kiosk requires the kiosk account, and only it: an administrator does no kiosk work,
and the kiosk account can do nothing else (the other services' role checks do not list it). Organisations
never identify here: their USCC is public (it is printed on the other party's receipt), so a bank's 证明
goes out as its e-certificate or at the window. Cases accepted before pickup codes existed are served at
the window.

`identify` returns an `Identified` whose `token` is a session the service signed (kiosk/session.py);
every other kiosk service takes it back and re-checks it, and only the token counts: the other fields are
for display.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from registry_desk.domain.codes import IdType, PartyRole, Role
from registry_desk.domain.errors import (
    DomainError,
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from registry_desk.kernel import audit
from registry_desk.kernel.business_types import load_policy
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.operations import users
from registry_desk.registration import locking
from registry_desk.registration.issuing import CHINA_TZ, mask_id_number
from registry_desk.storage.database import Database
from registry_desk.config import Settings
from registry_desk.kiosk import session as kiosk_session
from registry_desk.registration import pickup
from registry_desk.storage.kiosk import lookups, prints
from registry_desk.storage.kiosk import pickup as stored_codes
from registry_desk.storage.kiosk.tables import KioskLock, utc
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Case, Party

KIOSK_ROLES = (Role.KIOSK,)  # an administrator does no kiosk work (Actor.require)
RULE_IDENTIFY = "自助终端身份核验"

_CASE_NUMBER = re.compile(r"^\d{12}$")
_FULL_WIDTH = {0xFF10 + i: ord("0") + i for i in range(10)} | {0xFF38: ord("X"), 0xFF58: ord("X")}


@dataclass(frozen=True)
class KioskPolicy:
    """How strict the kiosk is; the defaults are the hall's, tests pass shorter ones."""

    max_failures: int = 5
    lock_minutes: int = 30
    idle_seconds: int = 60
    session_minutes: int = 15  # how long an identification holds (the screen's idle reset is sooner)


@dataclass(frozen=True)
class Identified:
    """A citizen who proved being a party of the case. Only masked text is kept for display; `token` is the
    session the service signed, and the only part any kiosk service trusts."""

    case_number: str
    party_id: int
    name_masked: str
    id_masked: str
    role_label: str
    token: str = field(default="", repr=False)


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


def party_candidates(s: Session, case: Case) -> list[tuple[Party, str, Party]]:
    """Everyone who may identify on a case: its applicants and their agents, each with the applicant whose
    pickup code they must type (an applicant's own; an agent's principal's)."""
    business = next((b for b in load_policy().types if b.key == case.business_type), None)
    found: list[tuple[Party, str, Party]] = []
    for cp in case.parties:
        label = business.role_label(cp.role) if business else cp.role.label
        found.append((cp.party, label, cp.party))
        if cp.agent_party_id is not None:
            agent = lookups.party_by_id(s, cp.agent_party_id)
            if agent is not None:
                found.append((agent, PartyRole.AGENT.label, cp.party))
    return found


def verified_party(
    s: Session, actor: Actor, case: Case, who: Identified, *, now: datetime | None = None
) -> Party:
    """The party `who`'s session names: the token signed by this process for this terminal, unexpired, for
    this case, its party still a party of the case and its pickup code not replaced by a reprint. Refused
    in plain words when any of that no longer holds."""
    claims = kiosk_session.check(who.token, actor, utc(now or utc_now()))
    stale = PermissionDenied(
        "身份核验已失效，请重新扫码并核验身份", rule=RULE_IDENTIFY, record=case.case_number
    )
    if claims.case_number != case.case_number:
        raise stale
    match = next(
        (
            party
            for party, _, principal in party_candidates(s, case)
            if party.id == claims.party_id and principal.id == claims.principal_id
        ),
        None,
    )
    code = stored_codes.pickup_code(s, case.id, claims.principal_id)
    if match is None or code is None or code.issue_no != claims.code_issue:
        raise stale
    return match


def consume_pickup_code(s: Session, actor: Actor, case: Case, who: Identified, now: datetime) -> None:
    """The session's pickup code is used up (a certificate was handed over against it); audited."""
    claims = kiosk_session.check(who.token, actor, now)
    row = stored_codes.pickup_code(s, case.id, claims.principal_id, lock=True)
    if row is not None and row.used_at is None:
        row.used_at = now
        audit.append(
            s,
            actor,
            "kiosk.pickup_code_used",
            case_id=case.id,
            record=case.case_number,
            after={"party_id": claims.principal_id, "issue_no": row.issue_no},
            at=now,
        )


def pickup_code_used(s: Session, actor: Actor, case: Case, who: Identified, now: datetime) -> bool:
    """Whether the session's pickup code was used up already (a certificate handed over against it)."""
    claims = kiosk_session.check(who.token, actor, now)
    row = stored_codes.pickup_code(s, case.id, claims.principal_id)
    return row is None or row.used_at is not None


def _locked_message(case_number: str, until: datetime) -> str:
    shown = utc(until).astimezone(CHINA_TZ).strftime("%H:%M")
    return f"业务 {case_number} 因身份核验连续失败已暂时锁定，请于 {shown} 后再试，或到窗口办理"


def _refuse_if_locked(row: KioskLock | None, case_number: str, now: datetime) -> None:
    if row is not None and row.locked_until is not None and utc(row.locked_until) > now:
        raise PermissionDenied(
            _locked_message(case_number, row.locked_until), rule=RULE_IDENTIFY, record=case_number
        )


NO_CODES_MESSAGE = (
    "业务 {number} 受理时尚未发放取件码，不能在自助机领证；请申请人本人持身份证件和受理凭证到窗口办理"
)
ORGANISATION_MESSAGE = (
    "单位申请人不能在自助机以统一社会信用代码核验身份：银行等单位的登记证明以电子证照发放，"
    "或由经办人持授权委托书到窗口领取"
)


def check_case(db: Database, actor: Actor, scanned: str, *, now: datetime | None = None) -> str:
    """The case number from a scan, refused at once when the case is unknown, locked, or was accepted
    before pickup codes existed (before the ID is asked)."""
    actor.require(*KIOSK_ROLES, operation="自助终端查询业务")
    now = utc(now or utc_now())
    number = parse_case_scan(scanned)
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        case = case_for_reading(s, number)
        _refuse_if_locked(prints.lock_of_case(s, number), number, now)
        if not stored_codes.codes_of_case(s, case.id):
            raise RuleViolation(NO_CODES_MESSAGE.format(number=number), rule=RULE_IDENTIFY, record=number)
    return number


def _count_failure(
    s: Session, actor: Actor, case: Case, row: KioskLock, policy: KioskPolicy, now: datetime
) -> PermissionDenied:
    """One more failed try on the case (audited, the typed values not kept); the refusal to raise."""
    number = case.case_number
    row.failures += 1
    row.last_failure_at = now
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
    if left > 0:
        # One message for a wrong ID and a wrong code: the kiosk does not confirm whose ID number it is.
        return PermissionDenied(
            f"证件号码或取件码与业务 {number} 的申请人不符，还可再试 {left} 次",
            rule=RULE_IDENTIFY,
            record=number,
        )
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
    return PermissionDenied(_locked_message(number, row.locked_until), rule=RULE_IDENTIFY, record=number)


def identify(
    db: Database,
    actor: Actor,
    case_number: str,
    id_number: str,
    pickup_code: str,
    *,
    settings: Settings,
    policy: KioskPolicy | None = None,
    now: datetime | None = None,
) -> Identified:
    """Checks that `id_number` belongs to an applicant (or agent) of the case and `pickup_code` is that
    applicant's current, unused code. Each failure is counted and audited; the `max_failures`-th locks the
    case at every kiosk for `lock_minutes` (kept in the database). Organisations, and cases or applicants
    without a code, are sent to the window (not counted: nothing was guessed)."""
    actor.require(*KIOSK_ROLES, operation="自助终端身份核验")
    policy = policy or KioskPolicy()
    now = utc(now or utc_now())
    number = parse_case_scan(case_number)
    typed = normalise_id(id_number)
    code_typed = pickup_code.translate(_FULL_WIDTH).strip()
    key = pickup.pickup_key(settings.keys_dir)
    refusal: DomainError | None = None
    with db.unit_of_work() as uow:
        s = uow.session
        # Unit first, then the case: the order every writer of a unit uses (the case service's own).
        case = locking.locked_case(s, number)
        row = prints.locked_lock_of_case(s, number)
        _refuse_if_locked(row, number, now)
        if row.locked_until is not None:  # an expired lock: a fresh count
            row.locked_until = None
            row.failures = 0
        matches = [c for c in party_candidates(s, case) if c[0].id_number.upper() == typed]
        if any(not pickup.gets_code(principal) for _, _, principal in matches):
            audit.append(s, actor, "kiosk.organisation_refused", case_id=case.id, record=number, at=now)
            refusal = RuleViolation(ORGANISATION_MESSAGE, rule=RULE_IDENTIFY, record=number)
        codes = {p.id: stored_codes.pickup_code(s, case.id, p.id) for _, _, p in matches}
        if refusal is None and matches and all(code is None for code in codes.values()):
            refusal = RuleViolation(NO_CODES_MESSAGE.format(number=number), rule=RULE_IDENTIFY, record=number)
        found = None
        if refusal is None:
            found = next(
                (
                    (party, label, principal, code)
                    for party, label, principal in matches
                    if (code := codes[principal.id]) is not None
                    and pickup.code_matches(key, code, code_typed)
                ),
                None,
            )
            if found is None:
                refusal = _count_failure(s, actor, case, row, policy, now)
            elif found[3].used_at is not None:
                refusal = RuleViolation(
                    "该取件码已使用（证书已领取）；如需补打，请到窗口办理", rule=RULE_IDENTIFY, record=number
                )
        if refusal is None and found is not None:
            party, label, principal, code = found
            row.failures = 0
            row.last_failure_at = None
            audit.append(
                s,
                actor,
                "kiosk.identified",
                case_id=case.id,
                record=number,
                after={"party_id": party.id, "role": label, "pickup_code_of": principal.id},
                at=now,
            )
            token = kiosk_session.issue(
                actor, number, party.id, principal.id, code.issue_no, now, policy.session_minutes
            )
            who = Identified(
                number,
                party.id,
                mask_name(party.name, party.id_type),
                mask_id_number(party.id_type, party.id_number),
                label,
                token,
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
