"""The self-service kiosk's use cases (自助打证机): identify a citizen on a case, show its progress, take
payment, print the certificate on numbered paper and hand it over, and print a sealed 查询结果.

Every function here requires the kiosk account (or an administrator), and the kiosk account can do nothing
else: the other services' role checks do not list it. The kiosk holds no state of its own; the caller
passes back the `Identified` it got from `identify`, and each call re-checks it against the case.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from registry_desk.config import Settings
from registry_desk.domain.codes import (
    CaseStatus,
    CertificateStatus,
    IdType,
    PartyRole,
    RightStatus,
    RightType,
    Role,
)
from registry_desk.domain.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from registry_desk.payments.channel import PaymentChannel, PaymentEvent
from registry_desk.payments.orders import OPEN, OrderView, case_orders
from registry_desk.payments.receipts import (
    ReceiptView,
    list_receipts,
    produce_receipt_documents,
    tools_from_keys,
)
from registry_desk.payments.settlement import record_payment
from registry_desk.kernel import audit
from registry_desk.registration.handover import record_handover
from registry_desk.registration import locking
from registry_desk.kiosk import paper_stock
from registry_desk.operations import users
from registry_desk.kernel.business_types import load_policy
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.registration.issuing import (
    CHINA_TZ,
    RENDER_ACTION,
    centre_kit,
    ensure_payload,
    load_certificate,
    mask_id_number,
    render_certificate,
)
from registry_desk.registration.register import load_unit_register
from registry_desk.storage.database import Database
from registry_desk.storage.kiosk_tables import (
    PRINT_DONE,
    PRINT_FAILED,
    PRINT_PENDING,
    KioskLock,
    KioskPrint,
    utc,
)
from registry_desk.storage.tables import Case, CaseParty, Certificate, Party, Right, RightParty, Unit

KIOSK_ROLES = (Role.KIOSK, Role.ADMIN)
RULE_IDENTIFY = "自助终端身份核验"
RULE_PRINT = "自助打证（一证一次，补打须到窗口）"
MAX_PRINT_ATTEMPTS = 2  # the first try and one retry on the next sheet

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


def _require(actor: Actor, operation: str) -> None:
    actor.require(*KIOSK_ROLES, operation=operation)


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


def _case_for_reading(s: Session, case_number: str) -> Case:
    case = s.execute(
        select(Case)
        .where(Case.case_number == case_number)
        .options(selectinload(Case.parties).selectinload(CaseParty.party), selectinload(Case.unit))
    ).scalar_one_or_none()
    if case is None:
        raise NotFound(
            f"没有业务号为 {case_number} 的业务，请核对受理凭证", rule=RULE_IDENTIFY, record=case_number
        )
    return case


def _locked_case(s: Session, case_number: str) -> Case:
    """Unit first, then the case: the order every writer of a unit uses (the case service's own)."""
    return locking.locked_case(s, case_number)


def _party_candidates(s: Session, case: Case) -> list[tuple[Party, str]]:
    """Everyone who may identify on a case: its applicants and their agents."""
    business = next((b for b in load_policy().types if b.key == case.business_type), None)
    found: list[tuple[Party, str]] = []
    for cp in case.parties:
        label = business.role_label(cp.role) if business else cp.role.label
        found.append((cp.party, label))
        if cp.agent_party_id is not None:
            agent = s.get(Party, cp.agent_party_id)
            if agent is not None:
                found.append((agent, PartyRole.AGENT.label))
    return found


def _verify(s: Session, case: Case, who: Identified) -> Party:
    if who.case_number != case.case_number or who.party_id not in {
        p.id for p, _ in _party_candidates(s, case)
    }:
        raise PermissionDenied(
            "身份核验已失效，请重新扫码并核验身份", rule=RULE_IDENTIFY, record=case.case_number
        )
    party = s.get(Party, who.party_id)
    assert party is not None
    return party


# ---------------------------------------------------------------------------------------------------------
# Identify


def _lock_row(s: Session, case_number: str) -> KioskLock:
    row = s.execute(
        select(KioskLock).where(KioskLock.case_number == case_number).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        row = KioskLock(case_number=case_number, failures=0)
        s.add(row)
        s.flush()
    return row


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
    _require(actor, "自助终端查询业务")
    now = utc(now or utc_now())
    number = parse_case_scan(scanned)
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        _case_for_reading(s, number)
        _refuse_if_locked(s.get(KioskLock, number), number, now)
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
    _require(actor, "自助终端身份核验")
    policy = policy or KioskPolicy()
    now = utc(now or utc_now())
    number = parse_case_scan(case_number)
    typed = normalise_id(id_number)
    refusal: PermissionDenied | None = None
    with db.unit_of_work() as uow:
        s = uow.session
        case = _locked_case(s, number)
        row = _lock_row(s, number)
        _refuse_if_locked(row, number, now)
        if row.locked_until is not None:  # an expired lock: a fresh count
            row.locked_until = None
            row.failures = 0
        match = next(
            ((p, label) for p, label in _party_candidates(s, case) if p.id_number.upper() == typed), None
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
# Status


@dataclass(frozen=True)
class PrintableCertificate:
    number: str
    kind_label: str
    can_print: bool
    reason: str  # why not, in plain words ("" when it can be printed)


@dataclass(frozen=True)
class KioskStatus:
    case_number: str
    business_label: str
    location: str
    status: CaseStatus
    payment_required: bool
    due_date: date
    accepted_on: date
    closed_reason: str | None
    certificates: tuple[PrintableCertificate, ...]
    unpaid_orders: tuple[OrderView, ...]
    owns_units: bool
    issues_certificate: bool = True  # False: the register entry ends the case (抵押权注销登记)

    @property
    def steps(self) -> tuple[CaseStatus, ...]:
        """The path this case takes, for the progress bar (待缴费 only where the business is charged; no
        登簿/缮证 steps of their own where nothing is issued: recording finishes such a case)."""
        path = [CaseStatus.ACCEPTED]
        if self.payment_required:
            path.append(CaseStatus.AWAITING_PAYMENT)
        path.append(CaseStatus.IN_REVIEW)
        if self.issues_certificate:
            path += [CaseStatus.RECORDED, CaseStatus.CERTIFICATE_READY]
        path.append(CaseStatus.ISSUED)
        return tuple(path)


def _is_holder(cert: Certificate, party: Party) -> bool:
    if cert.holder_party_id == party.id:
        return True
    holders = {rp.party_id for rp in cert.right.parties if rp.role is PartyRole.RIGHT_HOLDER}
    if party.id not in holders:
        return False
    # 分别持证: each certificate names its own holder(s) in 附记 (registration/cases.py, _record_transfer).
    named = re.search(r"持证人：([^\n]+)", str((cert.fields or {}).get("附记", "")))
    return named is None or party.name in named.group(1).split("、")


def _prints_of(s: Session, number: str) -> list[KioskPrint]:
    return list(
        s.execute(
            select(KioskPrint).where(KioskPrint.certificate_number == number).order_by(KioskPrint.id)
        ).scalars()
    )


def _print_refusal(s: Session, case: Case, cert: Certificate, party: Party) -> str:
    """Why this citizen cannot print this certificate here, or "" when they can."""
    if case.status is CaseStatus.ISSUED or cert.handed_over_at is not None:
        return "已发证；如需补打，请到窗口办理"
    if case.status is not CaseStatus.CERTIFICATE_READY:
        return "尚未缮证，暂不能打印"
    if cert.status is not CertificateStatus.CURRENT:
        return "证书已注销，不能打印"
    prints = _prints_of(s, cert.number)
    if any(p.outcome == PRINT_DONE for p in prints):
        return "已在自助机打印过；如需补打，请到窗口办理"
    if sum(1 for p in prints if p.outcome != PRINT_DONE) >= MAX_PRINT_ATTEMPTS:
        return "自助打印已失败两次，请到窗口由工作人员处理"
    if cert.paper_serial and not prints:
        return "证书已在窗口缮印，请到窗口领取"
    if not _is_holder(cert, party):
        return "仅持证人本人可在自助机打印此证"
    return ""


def _their_orders(s: Session, case: Case, party: Party) -> list[OrderView]:
    """The orders of the side this citizen pays for (the order's lines name the taxpayer by ID number)."""
    return [
        o
        for o in case_orders(s, case.id)
        if any(line.taxpayer_id.upper() == party.id_number.upper() for line in o.lines)
    ]


def _owns_units(s: Session, party: Party) -> bool:
    return bool(
        s.scalar(
            select(func.count())
            .select_from(RightParty)
            .join(Right, Right.id == RightParty.right_id)
            .where(
                RightParty.party_id == party.id,
                RightParty.role == PartyRole.RIGHT_HOLDER,
                Right.status == RightStatus.CURRENT,
                Right.right_type == RightType.OWNERSHIP,
            )
        )
    )


def case_status(db: Database, actor: Actor, who: Identified) -> KioskStatus:
    _require(actor, "自助终端查询办理进度")
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        case = _case_for_reading(s, who.case_number)
        party = _verify(s, case, who)
        certs = (
            s.execute(
                select(Certificate)
                .where(Certificate.case_id == case.id)
                .options(selectinload(Certificate.right).selectinload(Right.parties))
                .order_by(Certificate.id)
            )
            .scalars()
            .all()
        )
        printable = tuple(
            PrintableCertificate(c.number, c.kind.label, not (why := _print_refusal(s, case, c, party)), why)
            for c in certs
        )
        unpaid = tuple(o for o in _their_orders(s, case, party) if o.status == OPEN)
        policy = load_policy()
        try:
            issues_certificate = policy.get(case.business_type).certificate_kind is not None
        except NotFound:
            issues_certificate = True
        return KioskStatus(
            issues_certificate=issues_certificate,
            case_number=case.case_number,
            business_label=policy.label(case.business_type),
            location=case.unit.location,
            status=case.status,
            payment_required=case.payment_required,
            due_date=case.due_date,
            accepted_on=utc(case.accepted_at).astimezone(CHINA_TZ).date(),
            closed_reason=case.closed_reason,
            certificates=printable,
            unpaid_orders=unpaid,
            owns_units=_owns_units(s, party),
        )


# ---------------------------------------------------------------------------------------------------------
# Payment


@dataclass(frozen=True)
class PaymentState:
    orders: tuple[OrderView, ...]
    receipts: tuple[ReceiptView, ...]

    @property
    def settled(self) -> bool:
        return bool(self.orders) and all(o.status != OPEN for o in self.orders)


def _payment_state(s: Session, case: Case, party: Party) -> PaymentState:
    orders = tuple(_their_orders(s, case, party))
    numbers = {o.order_no for o in orders}
    receipts = tuple(r for r in list_receipts(s, case.id) if r.order_no in numbers)
    return PaymentState(orders, receipts)


def payment_state(db: Database, actor: Actor, who: Identified) -> PaymentState:
    _require(actor, "自助终端查看缴款单")
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        case = _case_for_reading(s, who.case_number)
        return _payment_state(s, case, _verify(s, case, who))


def refresh_payment(
    db: Database,
    actor: Actor,
    who: Identified,
    channel: PaymentChannel,
    *,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> PaymentState:
    """Asks the channel about this citizen's open orders and books what it reports paid (the screen calls
    this on a timer); settled orders get their sealed receipts made and attached to the case."""
    _require(actor, "自助终端查询缴费结果")
    now = utc(now or utc_now())
    # A citizen who comes back after the 30-minute lifetime finds a fresh QR, not a dead one: the same
    # idempotent step the window takes (missing orders issued, expired unpaid ones voided and reissued).
    from registry_desk.payments.service import ensure_orders

    payment_state(db, actor, who)  # identity check first: nothing is issued for a stranger
    ensure_orders(db, channel, who.case_number, now=now, created_by=actor.username)
    state = payment_state(db, actor, who)
    booked = False
    for order in state.orders:
        if order.status != OPEN:
            continue
        reported = channel.query(order.order_no)
        if not reported.is_paid:
            continue
        assert (
            reported.txn_id is not None and reported.paid_amount is not None and reported.paid_at is not None
        )
        record_payment(
            db,
            PaymentEvent(
                channel.name, reported.txn_id, order.order_no, reported.paid_amount, reported.paid_at, "poll"
            ),
            now,
        )
        booked = True
    if booked:
        if settings is not None:
            produce_receipt_documents(db, state.orders[0].case_id, tools_from_keys(settings.keys_dir), now)
        state = payment_state(db, actor, who)
    return state


def simulate_scan_payment(
    actor: Actor, channel: object, payload: str, *, now: datetime | None = None
) -> object:
    """Demo only: pays the QR through the local channel, as `registry-desk channel pay` does."""
    _require(actor, "模拟扫码支付")
    pay = getattr(channel, "pay", None)
    if pay is None:
        raise RuleViolation(
            "当前收款渠道不支持模拟支付（仅演示环境的本地渠道可以）",
            rule="模拟扫码支付",
            record=getattr(channel, "name", ""),
        )
    return pay(payload, utc(now or utc_now()))


# ---------------------------------------------------------------------------------------------------------
# Printing the certificate on the spot


@dataclass(frozen=True)
class PrintOutcome:
    ok: bool
    certificate_number: str
    serial: str
    output: str
    message: str
    retry_allowed: bool
    case_status: CaseStatus
    stock_warning: str


# deliver(pdf, job name) sends the document to the printer (or a file) and returns where it went; raising
# means the sheet did not come out right.
Deliver = Callable[[bytes, str], str]


def _spoil_stale(s: Session, actor: Actor, cert: Certificate, now: datetime) -> None:
    """A print left half-way (the kiosk lost power) counts as failed: its sheet cannot be trusted."""
    for p in _prints_of(s, cert.number):
        if p.outcome == PRINT_PENDING:
            p.outcome = PRINT_FAILED
            p.finished_at = now
            p.error = "打印中断（终端重启或断电），该张证书纸作废"
            paper_stock.mark_spoiled(s, actor, p.serial, p.error, now)
            cert.paper_serial = None


def print_certificate(
    db: Database,
    actor: Actor,
    who: Identified,
    number: str,
    deliver: Deliver,
    *,
    settings: Settings,
    now: datetime | None = None,
) -> PrintOutcome:
    """Prints the certificate or 证明 on the next sheet of numbered paper and hands it over (发证).

    1. one transaction checks everything, takes the sheet, records its serial on the certificate, renders
       the sealed PDF (which prints the serial) and logs the print as under way;
    2. the document goes to the printer, outside any transaction;
    3. a second transaction records the outcome: printed → sheet used, certificate handed over to the
       identified holder, case 已发证 once all its certificates are; failed → sheet 作废, one retry allowed.
    """
    _require(actor, "自助打印不动产权证书或登记证明")
    kit = centre_kit(settings)
    started = utc(now or utc_now())
    with db.unit_of_work() as uow:
        s = uow.session
        case = _locked_case(s, who.case_number)
        party = _verify(s, case, who)
        cert = load_certificate(s, number)
        if cert.case_id != case.id:
            raise NotFound(
                f"业务 {case.case_number} 没有证号为 {cert.number} 的证书",
                rule=RULE_PRINT,
                record=cert.number,
            )
        _spoil_stale(s, actor, cert, started)
        why = _print_refusal(s, case, cert, party)
        if why:
            uow.commit()  # a stale print spoiled just now stays spoiled
            raise RuleViolation(f"证书 {cert.number}：{why}", rule=RULE_PRINT, record=cert.number)
        sheet = paper_stock.take_serial(s, actor, cert.number, case.id, started)
        cert.paper_serial = sheet.serial
        made = ensure_payload(cert, kit)
        assert cert.qr_payload is not None
        pdf = render_certificate(cert, cert.qr_payload, kit)
        digest = hashlib.sha256(pdf).hexdigest()
        log = KioskPrint(
            certificate_number=cert.number,
            case_id=case.id,
            serial=sheet.serial,
            kiosk_user=actor.username,
            receiver_party_id=party.id,
            started_at=started,
            outcome=PRINT_PENDING,
            sha256=digest,
        )
        s.add(log)
        audit.append(
            s,
            actor,
            RENDER_ACTION,
            case_id=case.id,
            unit_id=cert.unit_id,
            record=cert.number,
            after={
                "payload_made": made,
                "status": cert.status.value,
                "paper_serial": sheet.serial,
                "sha256": digest,
            },
            at=started,
        )
        s.flush()
        log_id, serial, cert_number = log.id, sheet.serial, cert.number
        uow.commit()

    error: str | None = None
    output = ""
    try:
        output = deliver(pdf, f"{serial}_{cert_number}")
    except Exception as exc:  # noqa: BLE001 - any printer fault spoils the sheet; the reason is recorded
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__

    finished = utc(utc_now() if now is None else now)
    with db.unit_of_work() as uow:
        s = uow.session
        case = _locked_case(s, who.case_number)
        party = _verify(s, case, who)
        cert = load_certificate(s, cert_number)
        log = s.get(KioskPrint, log_id)
        assert log is not None
        log.finished_at = finished
        if error is None:
            paper_stock.mark_used(s, serial, finished)
            log.outcome, log.output = PRINT_DONE, output[:512]
            certs = s.execute(select(Certificate).where(Certificate.case_id == case.id)).scalars().all()
            record_handover(
                s,
                actor,
                case,
                certs,
                [cert],
                party.name,
                finished,
                paper_serial=serial,
                channel="kiosk",
                output=output[:256],
            )
            message = f"打印完成：{cert.number}，印刷序列号 {serial}"
        else:
            reason = f"自助打印失败：{error}"
            paper_stock.mark_spoiled(s, actor, serial, reason, finished)
            log.outcome, log.error = PRINT_FAILED, error[:2000]
            cert.paper_serial = None
            message = f"打印失败，印刷序列号 {serial} 的证书纸已作废"
        failures = sum(1 for p in _prints_of(s, cert_number) if p.outcome == PRINT_FAILED)
        stock = paper_stock.warn_if_low(s, actor, finished)
        status = case.status
        uow.commit()
    return PrintOutcome(
        ok=error is None,
        certificate_number=cert_number,
        serial=serial,
        output=output,
        message=message,
        retry_allowed=error is not None and failures < MAX_PRINT_ATTEMPTS,
        case_status=status,
        stock_warning=stock.warning(),
    )


# ---------------------------------------------------------------------------------------------------------
# 查询结果: the holder's own units, sealed


@dataclass(frozen=True)
class StatementUnit:
    unit_number: str
    location: str
    facts: tuple[tuple[str, str], ...]
    owners: tuple[str, ...]
    ownership_details: tuple[tuple[str, str], ...]
    certificates: tuple[str, ...]
    restrictions: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


def _statement_units(s: Session, party: Party) -> list[StatementUnit]:
    units = (
        s.execute(
            select(Unit)
            .join(Right, Right.unit_id == Unit.id)
            .join(RightParty, RightParty.right_id == Right.id)
            .where(
                RightParty.party_id == party.id,
                RightParty.role == PartyRole.RIGHT_HOLDER,
                Right.status == RightStatus.CURRENT,
                Right.right_type == RightType.OWNERSHIP,
            )
            .order_by(Unit.unit_number)
            .distinct()
        )
        .scalars()
        .all()
    )
    out = []
    wanted_facts = ("规划用途", "建筑面积", "所在层/总层数")
    for unit in units:
        page = load_unit_register(s, unit)
        owner = page.owners[0]
        restrictions = []
        for r in page.restrictions:
            rows = [("权利人", "、".join(h.name for h in r.holders))] if r.holders else []
            rows += [(o.role, o.name) for o in r.others]
            rows += list(r.details)
            if r.certificates:
                rows.append(("证明号", "、".join(r.certificates)))
            restrictions.append((r.label, tuple(rows)))
        out.append(
            StatementUnit(
                unit_number=page.unit_number,
                location=page.location,
                facts=tuple((k, v) for k, v in page.facts if k in wanted_facts and v),
                owners=tuple(h.name for h in owner.holders),
                ownership_details=owner.details,
                certificates=owner.certificates,
                restrictions=tuple(restrictions),
            )
        )
    return out


def statement_pdf(
    db: Database, actor: Actor, who: Identified, *, settings: Settings, now: datetime | None = None
) -> bytes:
    """The sealed 查询结果 of the current rights and restrictions on the identified holder's own units."""
    _require(actor, "自助打印不动产登记资料查询结果")
    now = utc(now or utc_now())
    kit = centre_kit(settings)
    with db.unit_of_work() as uow:
        s = uow.session
        case = _case_for_reading(s, who.case_number)
        party = _verify(s, case, who)
        units = _statement_units(s, party)
        if not units:
            raise NotFound(
                "您名下没有现势的不动产权利，无可打印的查询结果",
                rule="查询结果仅限权利人查询本人名下不动产",
                record=who.case_number,
            )
        reference = f"ZZCX{now.astimezone(CHINA_TZ):%Y%m%d%H%M%S}{secrets.token_hex(2).upper()}"
        drawn = render_statement(
            party.name,
            mask_id_number(party.id_type, party.id_number),
            units,
            now.astimezone(CHINA_TZ),
            reference,
            kit.office,
            kit.seal_png,
        )
        pdf = kit.sealer.seal(drawn, reason=f"不动产登记资料查询结果 {reference}")
        audit.append(
            s,
            actor,
            "kiosk.statement",
            case_id=case.id,
            record=reference,
            after={
                "party_id": party.id,
                "units": [u.unit_number for u in units],
                "sha256": hashlib.sha256(pdf).hexdigest(),
            },
            at=now,
        )
        uow.commit()
    return pdf


def render_statement(
    name: str,
    id_masked: str,
    units: list[StatementUnit],
    at: datetime,
    reference: str,
    office: str,
    seal_png: bytes,
) -> bytes:
    """Lays the statement out on A4 pages (reportlab, the shipped CJK font, the seal drawn at the end)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    from registry_desk.documents.fonts import check_printable
    from registry_desk.documents.layout import draw_lines, draw_seal, new_canvas, wrap_text

    texts: dict[str, str] = {"查询人": name}
    for u in units:
        texts[f"坐落 {u.unit_number}"] = u.location
        texts[f"权利人 {u.unit_number}"] = "、".join(u.owners)
        for label, rows in u.restrictions:
            texts[f"{label} {u.unit_number}"] = " ".join(f"{k}{v}" for k, v in rows)
    check_printable(texts)

    buffer = io.BytesIO()
    canvas, font = new_canvas(buffer, title="不动产登记资料查询结果", subject=reference)
    width, height = A4
    left, right, bottom = 20 * mm, width - 20 * mm, 22 * mm
    y = height - 22 * mm

    def lines(text: str, size: float = 10.5, indent: float = 0.0) -> None:
        nonlocal y
        wrapped = wrap_text(text, font, size, right - left - indent)
        need = len(wrapped) * size * 1.45
        if y - need < bottom:
            canvas.showPage()
            y = height - 22 * mm
        draw_lines(canvas, wrapped, left + indent, y, font, size)
        y -= need

    lines("不动产登记资料查询结果", 18)
    y -= 4
    lines(f"查询人：{name}　证件号码：{id_masked}")
    lines(f"查询时间：{at:%Y年%m月%d日 %H:%M}　查询编号：{reference}　查询方式：自助终端")
    y -= 6
    for index, u in enumerate(units, start=1):
        lines(f"{index}. 坐落：{u.location}", 12)
        lines(f"不动产单元号：{u.unit_number}", indent=12)
        for k, v in u.facts:
            lines(f"{k}：{v}", indent=12)
        lines(f"权利人：{'、'.join(u.owners)}", indent=12)
        for k, v in u.ownership_details:
            lines(f"{k}：{v}", indent=12)
        if u.certificates:
            lines(f"不动产权证书号：{'、'.join(u.certificates)}", indent=12)
        if not u.restrictions:
            lines("限制情况：登记簿未记载抵押、预告登记、查封等限制", indent=12)
        for label, rows in u.restrictions:
            lines(f"限制情况：{label}", indent=12)
            for k, v in rows:
                lines(f"{k}：{v}", indent=24)
        y -= 6
    lines(
        "说明：本结果反映查询时不动产登记簿记载的现势权利与限制，由自助终端按权利人本人身份核验后出具，加盖电子印章。"
    )
    if y < bottom + 40 * mm:
        canvas.showPage()
        y = height - 22 * mm
    lines(f"出具机构：{office}")
    lines(f"出具日期：{at:%Y年%m月%d日}")
    draw_seal(canvas, seal_png, right - 30 * mm, y + 10 * mm, 38 * mm)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------------
# Leaving kiosk mode


def admin_exit(
    db: Database, kiosk: Actor, username: str, password: str, *, now: datetime | None = None
) -> Actor:
    """An administrator's username and password (checked like a sign-in) let the kiosk close; every try is audited."""
    now = utc(now or utc_now())
    try:
        admin = users.login(db, username, password)
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
