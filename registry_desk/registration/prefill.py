"""免填写: intake requests filled from the register, each field naming the record it came from.

A prefill is an explicit action of the clerk ("从预告登记带入", "从登记簿带入"): it reads the unit's current
state (storage/register/unit_state.py, the rules' own reader), builds an `IntakeRequest` ready for
`cases.accept_case` (prefill_builders.py), and keeps for every filled field the source text shown beside it
on the form (prefill_form.py). Other unfinished cases on the unit block the prefill exactly as they would
block acceptance (REFERENCE §10). The clerk may correct any filled field; before acceptance that is an edit
of the request (`Prefill.corrected`), after it `correct_field`; both leave the overridden source in the audit.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from registry_desk.domain.cases import (
    ADVANCE_NOTICE,
    MORTGAGE_CANCEL,
    MORTGAGE_FIRST,
    TRANSFER,
    CaseSummary,
    PartyInput,
    request_from_case,
)
from registry_desk.domain.codes import AdvanceNoticeKind, CaseStatus, IdType, PartyRole, Role
from registry_desk.domain.errors import NotFound, RuleViolation, ValidationError
from registry_desk.domain.rules import (
    check_mortgage_terms,
    check_new_holders,
    check_no_open_case,
    lapse_warnings,
)
from registry_desk.kernel import audit
from registry_desk.kernel.business_types import load_policy
from registry_desk.kernel.context import Actor, utc_now

# The case service owns the locking order (unit row, then case) and the summary; corrections reuse both.
from registry_desk.registration.intake import accept_case
from registry_desk.registration.locking import locked_case
from registry_desk.registration.queries import case_party_inputs, case_summary
from registry_desk.registration.versioning import commit_case
from registry_desk.registration.prefill_builders import (
    known_party,
    prefill_advance_notice,
    prefill_mortgage_cancel,
    prefill_mortgage_first,
    prefill_transfer,
)
from registry_desk.registration.prefill_form import RULE_PREFILL, ContractData, Prefill
from registry_desk.registration.prefill_paths import (
    RULE_CORRECTION,
    coerce_value,
    form_text,
    get_path,
    parse_path,
    set_path,
)
from registry_desk.storage.database import Database
from registry_desk.storage.prepared import DriverSource
from registry_desk.storage.register.prefill import case_audit_events
from registry_desk.storage.register.unit_state import read_unit_state
from registry_desk.storage.session import Session

AUDIT_ACCEPTED = "case.prefill_accepted"
AUDIT_CORRECTED = "case.correct_prefill"

_CORRECTABLE_STATUSES = (CaseStatus.ACCEPTED, CaseStatus.AWAITING_PAYMENT, CaseStatus.IN_REVIEW)


def prefill(
    db: Database,
    actor: Actor,
    business_type: str,
    unit_number: str,
    *,
    notice_kind: AdvanceNoticeKind | int | None = None,
    mortgage: str | ContractData | None = None,
) -> Prefill:
    """Fills an application of `business_type` for the unit from the register.

    - "mortgage_first": from the unit's 抵押权预告登记 (restricted to `notice_kind` if given), or, where the
      unit has none, from `mortgage` = the bank's `ContractData` plus the current ownership;
    - "mortgage_cancel": the mortgage whose 证明 number (or right id) is `mortgage`, or the unit's only one;
    - "transfer": the sellers from the ownership, the buyers from a purchase notice where one stands;
    - "advance_notice" of `notice_kind`: the obligors (sellers, or mortgagors) from the register; for a
      mortgage notice, the bank and the terms from `mortgage` = the bank's `ContractData` if given.

    Another unfinished case on the unit refuses the prefill with the same RuleViolation as acceptance.
    """
    actor.require(Role.CLERK, operation="预填申请（免填写）")
    kind = None
    if notice_kind is not None:
        kind = next((k for k in AdvanceNoticeKind if int(k) == int(notice_kind)), None)
        if kind is None and business_type == ADVANCE_NOTICE:
            raise ValidationError(
                f"预告登记种类“{notice_kind}”不存在（1 至 4）", rule=RULE_PREFILL, record=str(notice_kind)
            )
        if business_type != ADVANCE_NOTICE and (kind is None or not kind.is_mortgage):
            raise ValidationError(
                f"预告登记种类“{notice_kind}”不是抵押权预告登记（3 或 4）",
                rule=RULE_PREFILL,
                record=str(notice_kind),
            )
    # A prefill is a draft that acceptance re-checks under the unit lock, so its few reads need no shared
    # transaction: the look-up connection spares the clerk's critical path the session and BEGIN/ROLLBACK.
    with db.lookup_raw() as raw:
        s = DriverSource(raw, db.engine.dialect)
        number = unit_number.strip().upper()
        unit = read_unit_state(s, unit_number=number, business_label=lambda key: load_policy().label(key))
        if unit is None:
            raise NotFound(f"登记簿中没有不动产单元号为 {number} 的单元", rule="单元查询", record=number)
        check_no_open_case(unit)
        if business_type == MORTGAGE_FIRST:
            if isinstance(mortgage, str):
                raise ValidationError(
                    "抵押权首次登记预填时只能给出银行报送的抵押合同数据", rule=RULE_PREFILL, record=mortgage
                )
            result = prefill_mortgage_first(s, unit, kind, mortgage)
        elif business_type == MORTGAGE_CANCEL:
            if isinstance(mortgage, ContractData):
                raise ValidationError(
                    "抵押权注销登记预填时请给出要注销的抵押权证明号",
                    rule=RULE_PREFILL,
                    record=mortgage.contract_no,
                )
            result = prefill_mortgage_cancel(unit, mortgage)
        elif business_type == TRANSFER:
            result = prefill_transfer(unit)
        elif business_type == ADVANCE_NOTICE:
            if isinstance(mortgage, str):
                raise ValidationError(
                    "预告登记预填时只能给出银行报送的抵押合同数据", rule=RULE_PREFILL, record=mortgage
                )
            result = prefill_advance_notice(s, unit, kind, mortgage)
        else:
            label = load_policy().label(business_type)
            raise ValidationError(
                f"{label}暂不支持免填写预填，请在窗口录入", rule=RULE_PREFILL, record=business_type
            )
    lapses = lapse_warnings(unit, utc_now().date())
    return replace(result, warnings=(*result.warnings, *lapses))


def identify(
    db: Database, actor: Actor, id_number: str, *, role: PartyRole = PartyRole.RIGHT_HOLDER
) -> PartyInput | None:
    """The party with this ID number as the register knows it (an ID-card reader types the number)."""
    actor.require(Role.CLERK, operation="读取当事人信息")
    with db.unit_of_work(write=False) as uow:
        party = known_party(uow.session, id_number)
    if party is None:
        return None
    return PartyInput(
        role=role,
        name=party.name,
        id_type=party.id_type,
        id_number=party.id_number,
        address=party.address,
        phone=party.phone,
        legal_rep_name=party.legal_rep_name if party.id_type is IdType.USCC else None,
    )


def _json_value(value: Any) -> Any:
    """A value for the audit trail as the clerk saw it on the form (enums by their label, money in yuan)."""
    if value is None or (isinstance(value, (bool, int, str)) and not hasattr(value, "label")):
        return value
    return form_text(value)


def accept_prefilled(
    db: Database, actor: Actor, prefill: Prefill, *, now: datetime | None = None
) -> CaseSummary:
    """Accepts the prefilled request (cases.accept_case) and audits which fields came from where and what
    the clerk corrected, in the same transaction: the case is saved with its sources or not at all."""
    now = now or utc_now()
    return accept_case(db, actor, prefill.request, now=now, also_audit=prefill_audit(prefill))


def prefill_audit(prefill: Prefill) -> tuple[str, dict[str, Any]]:
    """The `case.prefill_accepted` event as cases.accept_case writes it with the case: which fields of the
    accepted case came from where and what the clerk corrected (`correct_field` later reads the sources
    from it)."""
    fields = {
        path: {"value": _json_value(prefill.value(path)), "source": source.text}
        for path, source in sorted(prefill.sources.items())
    }
    return AUDIT_ACCEPTED, {
        "business_type": prefill.request.business_type,
        "fields": fields,
        "corrections": [
            {
                "field": c.path,
                "old_value": c.old_value,
                "new_value": c.new_value,
                "overridden_source": c.overridden_source,
            }
            for c in prefill.corrections
        ],
        "warnings": list(prefill.warnings),
    }


def _last_source(session: Session, case_id: int, path: str) -> str:
    """The source the field's value last came from: the prefill's, or a later correction's."""
    events = case_audit_events(session, case_id, (AUDIT_ACCEPTED, AUDIT_CORRECTED))
    source = "受理时窗口录入"
    for action, after in events:
        after = after or {}
        if action == AUDIT_ACCEPTED and path in after.get("fields", {}):
            source = after["fields"][path]["source"]
        elif action == AUDIT_CORRECTED and after.get("field") == path:
            source = after["source"]
    return source


def correct_field(
    db: Database,
    actor: Actor,
    case_number: str,
    field_path: str,
    new_value: Any,
    *,
    source: str,
    now: datetime | None = None,
) -> CaseSummary:
    """The clerk corrects a prefilled field of an accepted case, before recording: the case (or the party's
    record) changes and one audit event keeps the old value, the new one and the source it overrode."""
    actor.require(Role.CLERK, Role.REGISTRAR, operation="更正预填内容")
    now = now or utc_now()
    reason = source.strip()
    if not reason:
        raise ValidationError(
            f"更正业务 {case_number} 的“{field_path}”须注明新值的依据（如 申请人出示的证件、银行更正函）",
            rule=RULE_CORRECTION,
            record=case_number,
        )
    group, index, attr = parse_path(field_path)
    if group == "party" and attr in ("name", "id_type", "id_number"):
        raise RuleViolation(
            f"申请人身份（姓名、证件种类、证件号）不能更正；业务 {case_number} 的当事人有误须撤回后重新受理",
            rule=RULE_CORRECTION,
            record=case_number,
        )
    if group == "" and attr in ("unit_number", "business_type"):
        raise RuleViolation(
            f"业务 {case_number} 的不动产单元和业务类型不能更正，须撤回后重新受理",
            rule=RULE_CORRECTION,
            record=case_number,
        )
    value = coerce_value(field_path, new_value)
    policy = load_policy()
    with db.unit_of_work() as uow:
        s = uow.session
        case = locked_case(s, case_number)
        if case.status not in _CORRECTABLE_STATUSES:
            raise RuleViolation(
                f"业务 {case.case_number} 当前状态为“{case.status.label}”，只能在登簿前更正预填内容；"
                "登簿后的错误须办理更正登记",
                rule=RULE_CORRECTION,
                record=case.case_number,
            )
        request = request_from_case(
            case.business_type, case.unit.unit_number, case_party_inputs(case), case.form
        )
        old = get_path(request, field_path)
        changed = set_path(request, field_path, value)
        if group == "mortgage":
            check_mortgage_terms(changed.mortgage, case.case_number)
        if group == "party" and attr == "share" or field_path == "co_ownership":
            holders = changed.with_role(PartyRole.RIGHT_HOLDER)
            check_new_holders(changed.co_ownership, holders, case.case_number)
        if group == "party":
            assert index is not None
            case_party = next(cp for cp in case.parties if cp.position == index)
            if attr in ("share", "wants_own_certificate"):
                setattr(case_party, attr, value)
            else:
                old = getattr(case_party.party, attr)
                setattr(case_party.party, attr, value)
        else:
            # Case.form is JSON: assign a new dict so the change is flushed.
            case.form = {**case.form, **changed.terms_form()}
            if field_path == "co_ownership":
                for cp in case.parties:
                    if cp.role is PartyRole.RIGHT_HOLDER:
                        cp.co_ownership = value
        overridden = _last_source(s, case.id, field_path)
        audit.append(
            s,
            actor,
            AUDIT_CORRECTED,
            case_id=case.id,
            unit_id=case.unit_id,
            record=case.case_number,
            before={"field": field_path, "value": _json_value(old), "source": overridden},
            after={"field": field_path, "value": _json_value(value), "source": f"窗口人员更正：{reason}"},
            at=now,
        )
        s.flush()
        summary = case_summary(s, case, policy.get(case.business_type))
        commit_case(uow, case.case_number)
    return summary
