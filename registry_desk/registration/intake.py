"""受理 and 补正: a case is accepted with its parties and materials, and its missing materials are received
later. Every use case runs in one write transaction under the unit lock (registration/locking.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from registry_desk.domain.cases import (
    ADVANCE_NOTICE,
    MATERIAL_MISSING,
    MATERIAL_STATUS_LABELS,
    MATERIAL_STATUSES,
    TRANSFER,
    BusinessType,
    CaseSummary,
    IntakeRequest,
    PartyInput,
    check_transition,
)
from registry_desk.domain.clock import as_utc, local_date
from registry_desk.domain.codes import CaseStatus, CoOwnership, IdType, PartyKind, PartyRole, Role
from registry_desk.domain.errors import NotFound, RuleViolation, ValidationError
from registry_desk.domain.rules import check_request
from registry_desk.kernel import audit
from registry_desk.kernel.business_types import BusinessTypePolicy, load_policy
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.kernel.numbers import allocate_case_number
from registry_desk.registration.locking import locked_case, locked_unit
from registry_desk.registration.queries import business_of, case_summary, working_calendar
from registry_desk.registration.unit_state import unit_snapshot
from registry_desk.registration.versioning import bump_version, check_version, commit_case
from registry_desk.storage.database import Database
from registry_desk.storage.register.parties import insert_party_if_absent, party_by_document
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Case, CaseMaterial, CaseParty, Party

RULE_MATERIALS = "不动产登记暂行条例第十七条 申请材料齐全"


def _find_or_create_party(session: Session, p: PartyInput | Any, now: datetime) -> Party:
    """One Party row per (证件种类, 证件号码): reused when known, never duplicated.

    A new person is inserted with ON CONFLICT DO NOTHING: two windows registering the same newcomer at
    the same moment then share one row instead of one of them failing on the unique constraint.
    """
    party = party_by_document(session, p.id_type, p.id_number)
    if party is None:
        values = {
            "kind": PartyKind.LEGAL if p.id_type is IdType.USCC else PartyKind.NATURAL,
            "name": p.name,
            "id_type": p.id_type,
            "id_number": p.id_number,
            "address": getattr(p, "address", None),
            "phone": getattr(p, "phone", None),
            "legal_rep_name": getattr(p, "legal_rep_name", None),
            "created_at": now,
        }
        party = insert_party_if_absent(session, values)
        if party.name == p.name:
            return party
    if party.name != p.name:
        raise ValidationError(
            f"{p.id_type.label}号码 {p.id_number} 在登记系统中的姓名/名称为“{party.name}”，与填写的“{p.name}”不符，"
            "请核对证件；如确已更名，请先办理更名",
            rule="申请人身份核验",
            record=p.id_number,
        )
    for attr in ("address", "phone", "legal_rep_name"):
        value = getattr(p, attr, None)
        if value:
            setattr(party, attr, value)  # contact details the applicant gives today are the ones to use
    return party


def _material_rows(business: BusinessType, request: IntakeRequest, now: datetime) -> list[CaseMaterial]:
    notice_kind = request.notice.kind if request.notice else None
    applicable = [
        m for m in business.materials if m.applies(has_agent=request.has_agent, notice_kind=notice_kind)
    ]
    codes = {m.code for m in applicable}
    unknown = sorted(set(request.materials) - codes)
    if unknown:
        names = "、".join(f"{m.code}（{m.name}）" for m in applicable)
        raise ValidationError(
            f"{business.label}不需要材料“{'、'.join(unknown)}”，本业务的材料为：{names}",
            rule=RULE_MATERIALS,
            record=request.unit_number,
        )
    rows = []
    for position, spec in enumerate(applicable):
        status = request.materials.get(spec.code, MATERIAL_MISSING)
        if status not in MATERIAL_STATUSES:
            raise ValidationError(
                f"材料“{spec.name}”的状态“{status}”无效", rule=RULE_MATERIALS, record=spec.code
            )
        if (status == "ecert" and not spec.ecert_ok) or (status == "sealed" and not spec.sealed_ok):
            raise ValidationError(
                f"材料“{spec.name}”不能以{MATERIAL_STATUS_LABELS[status]}代替纸质件",
                rule=RULE_MATERIALS,
                record=spec.code,
            )
        rows.append(
            CaseMaterial(
                code=spec.code,
                name=spec.name,
                required=spec.required,
                status=status,
                received_at=None if status == MATERIAL_MISSING else now,
                position=position,
            )
        )
    return rows


def accept_case(
    db: Database,
    actor: Actor,
    request: IntakeRequest,
    *,
    now: datetime | None = None,
    policy: BusinessTypePolicy | None = None,
    also_audit: tuple[str, Mapping[str, Any]] | None = None,
) -> CaseSummary:
    """受理: checks every rule, computes the due date, numbers the case and saves it with its parties and
    materials — all or nothing. Charged cases wait in 待缴费, free ones go straight to 审核.

    `also_audit` (action, details) is one more audit event of the new case written in the same
    transaction: the prefill's sources (prefill.accept_prefilled) are saved with the case or not at all."""
    actor.require(Role.CLERK, operation="受理登记申请")
    now = as_utc(now or utc_now())
    today = local_date(now)
    policy = policy or load_policy()
    business = policy.get(request.business_type)
    with db.unit_of_work() as uow:
        s = uow.session
        unit = locked_unit(s, request.unit_number)
        checked, _plan = check_request(business, unit_snapshot(s, unit, policy), request)
        materials = _material_rows(business, checked, now)
        due = working_calendar(s).due_date(today, business.time_limit_days)
        case = Case(
            case_number=allocate_case_number(s, today),
            business_type=business.key,
            registration_type=int(business.registration_type),
            right_type=int(business.right_type),
            unit_id=unit.id,
            status=CaseStatus.ACCEPTED,
            accepted_at=now,
            accepted_by=actor.user_id,
            time_limit_days=business.time_limit_days,
            due_date=due,
            form=checked.terms_form(),
            demo=checked.demo,
            payment_required=business.charged,
        )
        mode = checked.co_ownership
        if business.key in (TRANSFER, ADVANCE_NOTICE) and mode is None:
            holders = checked.with_role(PartyRole.RIGHT_HOLDER)
            mode = CoOwnership.SOLE if len(holders) == 1 else None
        for position, p in enumerate(checked.parties):
            party = _find_or_create_party(s, p, now)
            agent = _find_or_create_party(s, p.agent, now) if p.agent is not None else None
            case.parties.append(
                CaseParty(
                    party_id=party.id,
                    party=party,
                    role=p.role,
                    share=p.share,
                    co_ownership=mode if p.role is PartyRole.RIGHT_HOLDER else None,
                    wants_own_certificate=p.wants_own_certificate,
                    agent_party_id=agent.id if agent else None,
                    position=position,
                )
            )
        case.materials.extend(materials)
        s.add(case)
        s.flush()
        target = CaseStatus.AWAITING_PAYMENT if business.charged else CaseStatus.IN_REVIEW
        check_transition(case.case_number, case.status, target)
        case.status = target
        missing = [m.name for m in materials if m.required and m.status == MATERIAL_MISSING]
        audit.append(
            s,
            actor,
            "case.accepted",
            case_id=case.id,
            unit_id=unit.id,
            record=case.case_number,
            after={
                "business_type": business.key,
                "status": target.value,
                "due_date": due.isoformat(),
                "time_limit_days": business.time_limit_days,
                "parties": [[p.role.value, p.name, p.id_number] for p in checked.parties],
                "missing_materials": missing,
            },
            at=now,
        )
        if also_audit is not None:
            action, details = also_audit
            audit.append(
                s,
                actor,
                action,
                case_id=case.id,
                unit_id=unit.id,
                record=case.case_number,
                after=dict(details),
                at=now,
            )
        summary = case_summary(s, case, business)
        commit_case(uow, case.case_number)
    return summary


def receive_material(
    db: Database,
    actor: Actor,
    case_number: str,
    code: str,
    status: str = "paper",
    *,
    ecert_id: str | None = None,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> CaseSummary:
    """补正材料: marks a material received (paper, or a verified e-certificate / sealed PDF)."""
    actor.require(Role.CLERK, Role.REGISTRAR, operation="补正申请材料")
    now = as_utc(now or utc_now())
    policy = load_policy()
    with db.unit_of_work() as uow:
        s = uow.session
        case = locked_case(s, case_number)
        check_version(s, case, expected_version)
        if not case.status.is_open or case.status in (CaseStatus.RECORDED, CaseStatus.CERTIFICATE_READY):
            raise RuleViolation(
                f"业务 {case.case_number} 当前状态为“{case.status.label}”，不能再补正材料",
                rule=RULE_MATERIALS,
                record=case.case_number,
            )
        business = business_of(policy, case)
        spec = next((m for m in business.materials if m.code == code), None)
        material = next((m for m in case.materials if m.code == code), None)
        if spec is None or material is None:
            raise NotFound(
                f"业务 {case.case_number} 没有代码为“{code}”的材料", rule=RULE_MATERIALS, record=code
            )
        if status not in MATERIAL_STATUSES or status == MATERIAL_MISSING:
            raise ValidationError(f"材料状态“{status}”无效", rule=RULE_MATERIALS, record=code)
        if (status == "ecert" and not spec.ecert_ok) or (status == "sealed" and not spec.sealed_ok):
            raise ValidationError(
                f"材料“{spec.name}”不能以{MATERIAL_STATUS_LABELS[status]}代替纸质件",
                rule=RULE_MATERIALS,
                record=code,
            )
        before = material.status
        material.status = status
        material.received_at = now
        material.ecert_id = ecert_id
        bump_version(case)
        audit.append(
            s,
            actor,
            "case.material_received",
            case_id=case.id,
            unit_id=case.unit_id,
            record=f"{case.case_number}:{code}",
            before={"status": before},
            after={"status": status, "ecert_id": ecert_id},
            at=now,
        )
        summary = case_summary(s, case, business)
        commit_case(uow, case.case_number)
    return summary
