"""Closing a case without recording it: 不予受理 (clerk), 撤回 (the applicants), 驳回 (registrar after review),
each with the reason told to the applicant in writing."""

from __future__ import annotations

from datetime import datetime

from registry_desk.domain.cases import CaseSummary, check_closing_reason, check_transition
from registry_desk.domain.clock import as_utc
from registry_desk.domain.codes import CaseStatus, Role
from registry_desk.kernel import audit
from registry_desk.kernel.business_types import load_policy
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.registration.locking import locked_case
from registry_desk.registration.queries import business_of, case_summary
from registry_desk.registration.versioning import check_version, commit_case
from registry_desk.storage.database import Database


def _close(
    db: Database,
    actor: Actor,
    case_number: str,
    target: CaseStatus,
    reason: str,
    now: datetime | None,
    expected_version: int | None = None,
) -> CaseSummary:
    now = as_utc(now or utc_now())
    policy = load_policy()
    with db.unit_of_work() as uow:
        s = uow.session
        case = locked_case(s, case_number)
        check_version(s, case, expected_version)
        check_transition(case.case_number, case.status, target)
        text = check_closing_reason(case.case_number, target, reason)
        before = case.status
        case.status = target
        case.closed_reason = text
        case.completed_at = now
        audit.append(
            s,
            actor,
            f"case.{target.value}",
            case_id=case.id,
            unit_id=case.unit_id,
            record=case.case_number,
            before={"status": before.value},
            after={"status": target.value, "reason": text},
            at=now,
        )
        summary = case_summary(s, case, business_of(policy, case))
        commit_case(uow, case.case_number)
    return summary


def not_accept_case(
    db: Database,
    actor: Actor,
    case_number: str,
    reason: str,
    *,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> CaseSummary:
    """不予受理, with the reason told to the applicant in writing."""
    actor.require(Role.CLERK, operation="不予受理")
    return _close(db, actor, case_number, CaseStatus.NOT_ACCEPTED, reason, now, expected_version)


def withdraw_case(
    db: Database,
    actor: Actor,
    case_number: str,
    reason: str,
    *,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> CaseSummary:
    """撤回 at the applicants' request, before recording."""
    actor.require(Role.CLERK, Role.REGISTRAR, operation="撤回申请")
    return _close(db, actor, case_number, CaseStatus.WITHDRAWN, reason, now, expected_version)


def refuse_case(
    db: Database,
    actor: Actor,
    case_number: str,
    reason: str,
    *,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> CaseSummary:
    """驳回 (不予登记) by the registrar after review."""
    actor.require(Role.REGISTRAR, operation="驳回登记申请")
    return _close(db, actor, case_number, CaseStatus.REFUSED, reason, now, expected_version)
