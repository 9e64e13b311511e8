"""Printing the certificate on the spot (自助打证): the identified holder prints their certificate or 证明 on
the next sheet of numbered paper, and it is handed over to them there (发证).

One print per certificate: a reprint (补打) is the window's. The handing-over uses up the holder's pickup
code (取件码), so the same receipt cannot collect again. A sheet that did not come out right is spoiled
(作废) and one retry is allowed on the next sheet; a second failure sends the citizen to the window.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from registry_desk.config import Settings
from registry_desk.domain.codes import CaseStatus, CertificateStatus, PartyRole
from registry_desk.domain.errors import NotFound, RuleViolation
from registry_desk.kernel import audit
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.kiosk import paper_stock
from registry_desk.kiosk.identify import (
    KIOSK_ROLES,
    Identified,
    consume_pickup_code,
    pickup_code_used,
    verified_party,
)
from registry_desk.registration import locking
from registry_desk.registration.handover import record_handover
from registry_desk.registration.issuing import (
    RENDER_ACTION,
    CentreKit,
    centre_kit,
    ensure_payload,
    load_certificate,
    render_certificate,
)
from registry_desk.storage.database import Database
from registry_desk.storage.kiosk import lookups, prints
from registry_desk.storage.kiosk.tables import PRINT_DONE, PRINT_FAILED, PRINT_PENDING, KioskPrint, utc
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Case, Certificate, Party

RULE_PRINT = "自助打证（一证一次，补打须到窗口）"
MAX_PRINT_ATTEMPTS = 2  # the first try and one retry on the next sheet


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


def _is_holder(cert: Certificate, party: Party) -> bool:
    if cert.holder_party_id == party.id:
        return True
    holders = {rp.party_id for rp in cert.right.parties if rp.role is PartyRole.RIGHT_HOLDER}
    if party.id not in holders:
        return False
    # 分别持证: each certificate names its own holder(s) in 附记 (registration/recording.py, _record_transfer).
    named = re.search(r"持证人：([^\n]+)", str((cert.fields or {}).get("附记", "")))
    return named is None or party.name in named.group(1).split("、")


def print_refusal(s: Session, case: Case, cert: Certificate, party: Party) -> str:
    """Why this citizen cannot print this certificate here, or "" when they can."""
    if case.status is CaseStatus.ISSUED or cert.handed_over_at is not None:
        return "已发证；如需补打，请到窗口办理"
    if case.status is not CaseStatus.CERTIFICATE_READY:
        return "尚未缮证，暂不能打印"
    if cert.status is not CertificateStatus.CURRENT:
        return "证书已注销，不能打印"
    attempts = prints.prints_of_certificate(s, cert.number)
    if any(p.outcome == PRINT_DONE for p in attempts):
        return "已在自助机打印过；如需补打，请到窗口办理"
    if sum(1 for p in attempts if p.outcome != PRINT_DONE) >= MAX_PRINT_ATTEMPTS:
        return "自助打印已失败两次，请到窗口由工作人员处理"
    if cert.paper_serial and not attempts:
        return "证书已在窗口缮印，请到窗口领取"
    if not _is_holder(cert, party):
        return "仅持证人本人可在自助机打印此证"
    return ""


def _spoil_stale(s: Session, actor: Actor, cert: Certificate, now: datetime) -> None:
    """A print left half-way (the kiosk lost power) counts as failed: its sheet cannot be trusted."""
    for p in prints.prints_of_certificate(s, cert.number):
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
    actor.require(*KIOSK_ROLES, operation="自助打印不动产权证书或登记证明")
    kit = centre_kit(settings)
    started = utc(now or utc_now())
    sheet = _take_sheet(db, actor, who, number, kit, started)
    output, error = _send(deliver, sheet)
    finished = utc(utc_now() if now is None else now)
    return _record_outcome(db, actor, who, sheet, output, error, finished)


@dataclass(frozen=True)
class _Sheet:
    """What the first transaction leaves for the printer and the second one: the sealed document, the
    serial it was rendered for, and its print log's row."""

    pdf: bytes
    serial: str
    certificate_number: str
    log_id: int


def _take_sheet(
    db: Database, actor: Actor, who: Identified, number: str, kit: CentreKit, started: datetime
) -> _Sheet:
    """Step 1: every check, the next sheet taken, the certificate rendered for its serial, the print logged."""
    with db.unit_of_work() as uow:
        s = uow.session
        case = locking.locked_case(s, who.case_number)
        party = verified_party(s, actor, case, who, now=started)
        cert = load_certificate(s, number)
        if cert.case_id != case.id:
            raise NotFound(
                f"业务 {case.case_number} 没有证号为 {cert.number} 的证书",
                rule=RULE_PRINT,
                record=cert.number,
            )
        _spoil_stale(s, actor, cert, started)
        why = print_refusal(s, case, cert, party)
        if not why and pickup_code_used(s, actor, case, who, started):
            # One handing-over per code: a second certificate of the same holder is the window's.
            why = "取件码已使用；其余证书请到窗口领取"
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
        taken = _Sheet(pdf, sheet.serial, cert.number, log.id)
        uow.commit()
    return taken


def _send(deliver: Deliver, sheet: _Sheet) -> tuple[str, str | None]:
    """Step 2, outside any transaction: (where the document went, None), or ("", why the sheet failed)."""
    try:
        return deliver(sheet.pdf, f"{sheet.serial}_{sheet.certificate_number}"), None
    except Exception as exc:  # noqa: BLE001 - any printer fault spoils the sheet; the reason is recorded
        return "", (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


def _record_outcome(
    db: Database,
    actor: Actor,
    who: Identified,
    sheet: _Sheet,
    output: str,
    error: str | None,
    finished: datetime,
) -> PrintOutcome:
    """Step 3: printed, the sheet is used and the certificate handed over; failed, the sheet is spoiled."""
    serial, cert_number = sheet.serial, sheet.certificate_number
    with db.unit_of_work() as uow:
        s = uow.session
        case = locking.locked_case(s, who.case_number)
        party = verified_party(s, actor, case, who, now=finished)
        cert = load_certificate(s, cert_number)
        log = prints.print_by_id(s, sheet.log_id)
        assert log is not None
        log.finished_at = finished
        if error is None:
            paper_stock.mark_used(s, serial, finished)
            log.outcome, log.output = PRINT_DONE, output[:512]
            record_handover(
                s,
                actor,
                case,
                lookups.certificates_of_case(s, case.id),
                [cert],
                party.name,
                finished,
                paper_serial=serial,
                channel="kiosk",
                output=output[:256],
            )
            consume_pickup_code(s, actor, case, who, finished)
            message = f"打印完成：{cert.number}，印刷序列号 {serial}"
        else:
            reason = f"自助打印失败：{error}"
            paper_stock.mark_spoiled(s, actor, serial, reason, finished)
            log.outcome, log.error = PRINT_FAILED, error[:2000]
            cert.paper_serial = None
            message = f"打印失败，印刷序列号 {serial} 的证书纸已作废"
        failures = sum(1 for p in prints.prints_of_certificate(s, cert_number) if p.outcome == PRINT_FAILED)
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
