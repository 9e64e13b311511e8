"""缮证 and 发证 at the window: the case's certificates are printed, then handed over to who receives them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from registry_desk.domain.cases import CaseSummary, check_transition
from registry_desk.domain.certificates import looks_like_certificate_number, parse_certificate_number
from registry_desk.domain.clock import as_utc
from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.domain.errors import NotFound, RuleViolation, ValidationError
from registry_desk.kernel import audit
from registry_desk.kernel.business_types import load_policy
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.registration.handover import record_handover
from registry_desk.registration.locking import locked_case
from registry_desk.registration.queries import business_of, case_summary
from registry_desk.registration.versioning import check_version, commit_case
from registry_desk.storage.database import Database
from registry_desk.storage.register.certificates import case_number_of_certificate, certificates_of_case


def mark_certificate_ready(
    db: Database,
    actor: Actor,
    case_number: str,
    *,
    paper_serials: Mapping[str, str] | None = None,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> CaseSummary:
    """缮证: the certificates are printed (on paper blanks whose 印刷序列号 may be given per number)."""
    actor.require(Role.REGISTRAR, Role.CLERK, operation="缮证")
    now = as_utc(now or utc_now())
    policy = load_policy()
    with db.unit_of_work() as uow:
        s = uow.session
        case = locked_case(s, case_number)
        check_version(s, case, expected_version)
        check_transition(case.case_number, case.status, CaseStatus.CERTIFICATE_READY)
        certs = certificates_of_case(s, case.id)
        serials = dict(paper_serials or {})
        unknown = sorted(set(serials) - {c.number for c in certs})
        if unknown:
            raise ValidationError(
                f"业务 {case.case_number} 没有证号 {'、'.join(unknown)}", rule="缮证", record=case.case_number
            )
        for cert in certs:
            cert.prepared_by = actor.username
            cert.prepared_at = now
            if cert.number in serials:
                cert.paper_serial = serials[cert.number].strip()
        case.status = CaseStatus.CERTIFICATE_READY
        audit.append(
            s,
            actor,
            "case.certificate_ready",
            case_id=case.id,
            unit_id=case.unit_id,
            record=case.case_number,
            before={"status": CaseStatus.RECORDED.value},
            after={"status": case.status.value, "paper_serials": serials},
            at=now,
        )
        summary = case_summary(s, case, business_of(policy, case))
        commit_case(uow, case.case_number)
    return summary


def issue_certificate(
    db: Database,
    actor: Actor,
    number: str,
    receiver_name: str,
    *,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> CaseSummary:
    """发证: hands the certificate(s) over and records who received them.

    `number` is the case number (every certificate of the case) or one certificate number (分别持证: the
    case is 已发证 once its last certificate is handed over).
    """
    actor.require(Role.CLERK, Role.REGISTRAR, operation="发证")
    now = as_utc(now or utc_now())
    receiver = receiver_name.strip()
    if not receiver:
        raise ValidationError(f"发证须登记领证人姓名（{number}）", rule="发证登记领证人", record=number)
    policy = load_policy()
    with db.unit_of_work() as uow:
        s = uow.session
        text = number.strip()
        only: str | None = None
        if looks_like_certificate_number(text):
            only = str(parse_certificate_number(text))
            case_number = case_number_of_certificate(s, only)
            if case_number is None:
                raise NotFound(f"没有证号为 {only} 的证书或证明", rule="发证", record=only)
        else:
            case_number = text
        case = locked_case(s, case_number)
        check_version(s, case, expected_version)
        if case.status is not CaseStatus.CERTIFICATE_READY:
            check_transition(case.case_number, case.status, CaseStatus.ISSUED)
            raise RuleViolation(
                f"业务 {case.case_number} 尚未缮证（当前“{case.status.label}”），不能发证",
                rule="业务办理流程（受理→缴费→审核→登簿→缮证→发证）",
                record=case.case_number,
            )
        certs = certificates_of_case(s, case.id)
        chosen = [c for c in certs if (only is None or c.number == only) and c.handed_over_at is None]
        if only is not None and not chosen:
            raise RuleViolation(f"证书 {only} 已经发出，不能重复发证", rule="发证", record=only)
        record_handover(s, actor, case, certs, chosen, receiver, now)
        summary = case_summary(s, case, business_of(policy, case))
        commit_case(uow, case.case_number)
    return summary
