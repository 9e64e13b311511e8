"""审核通过并登簿 (recording): the rules are re-checked on the locked unit, the register changes, the certificate
or 证明 is numbered and its printed fields filled, and the audit event written, in one transaction.

Recording runs only compiled statements (storage/register/recording.py) on a driver connection's
transaction: no ORM Session, whose bookkeeping cost more than the recording's dozen statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from registry_desk.domain.cases import (
    ADVANCE_NOTICE,
    MORTGAGE_CANCEL,
    MORTGAGE_FIRST,
    TRANSFER,
    IntakeRequest,
    RecordResult,
    check_transition,
    request_from_case,
)
from registry_desk.domain.clock import as_utc, local_date
from registry_desk.domain.codes import (
    CaseStatus,
    CertificateKind,
    CertificateStatus,
    CoOwnership,
    PartyRole,
    RightStatus,
    RightType,
    Role,
)
from registry_desk.domain.errors import NotFound, RuleViolation
from registry_desk.domain.rules import RulePlan, check_request, notice_lapse_date
from registry_desk.kernel import audit
from registry_desk.kernel.business_types import BusinessTypePolicy, load_policy
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.kernel.numbers import allocate_certificate_number
from registry_desk.registration.certificate_text import (
    area_text,
    co_ownership_text,
    date_text,
    mortgage_lines,
    registration_proof_fields,
    right_certificate_fields,
)
from registry_desk.registration.intake import RULE_MATERIALS
from registry_desk.registration.payment_status import refuse_unpaid
from registry_desk.registration.queries import business_of, party_inputs
from registry_desk.registration.unit_state import unit_snapshot
from registry_desk.registration.versioning import check_version, conflict_error
from registry_desk.storage.database import Database
from registry_desk.storage.driver_sql import Driver
from registry_desk.storage.register import recording as sql_of
from registry_desk.storage.register.recording import (
    CERTIFICATE_KEYS,
    RIGHT_KEYS,
    CasePartyColumns,
    CaseColumns,
    PartyColumns,
    UnitColumns,
)


@dataclass
class _NewRight:
    """A right just inserted: what the certificate field builders read of it."""

    id: int
    co_ownership: CoOwnership | None
    right_nature: str | None


@dataclass
class _Recording:
    """What one recording changes, collected for the result and the audit event."""

    session: Driver
    case: CaseColumns
    unit: UnitColumns
    now: datetime
    ended: list[int]
    cancelled: list[str]
    issued: list[str]
    pending_parties: list[dict[str, Any]] = field(default_factory=list)

    def end_right(self, right_id: int, reason: str) -> None:
        touched = sql_of.end_right(
            self.session, right_id, ended_at=self.now, ended_by_case_id=self.case.id, end_reason=reason[:128]
        )
        assert touched == 1, f"right {right_id} is not current"
        self.ended.append(right_id)
        cancelled = sql_of.cancel_certificates(
            self.session, right_id, cancelled_at=self.now, cancelled_by_case_id=self.case.id
        )
        self.cancelled.extend(number for _id, number in sorted(cancelled))

    def new_right(self, right_type: RightType, **columns: Any) -> _NewRight:
        values = dict.fromkeys(RIGHT_KEYS)
        values.update(
            unit_id=self.unit.id,
            right_type=right_type,
            status=RightStatus.CURRENT,
            created_by_case_id=self.case.id,
            registered_at=self.now,
            version=1,
        )
        values.update(columns)
        right_id = sql_of.insert_right(self.session, values)
        return _NewRight(right_id, values["co_ownership"], values["right_nature"])

    def add_party(
        self, right: _NewRight, party: PartyColumns, role: PartyRole, share: Fraction | None, position: int
    ) -> None:
        self.pending_parties.append(
            {"right_id": right.id, "party_id": party.id, "role": role, "share": share, "position": position}
        )

    def flush(self) -> None:
        """Writes the parties added so far, in one statement."""
        sql_of.insert_right_parties(self.session, self.pending_parties)
        self.pending_parties = []

    def issue(
        self, right: _NewRight, kind: CertificateKind, holder: PartyColumns, fields: dict[str, str]
    ) -> str:
        year = local_date(self.now).year
        number, seq = allocate_certificate_number(self.session, kind, year)
        values = dict.fromkeys(CERTIFICATE_KEYS)
        values.update(
            number=number,
            kind=kind,
            year=year,
            seq=seq,
            status=CertificateStatus.CURRENT,
            unit_id=self.unit.id,
            right_id=right.id,
            case_id=self.case.id,
            holder_party_id=holder.id,
            issued_at=self.now,
            fields=fields,
        )
        sql_of.insert_certificate(self.session, values)
        self.issued.append(number)
        return number


def _parties_in(case: CaseColumns, role: PartyRole) -> list[CasePartyColumns]:
    return [cp for cp in case.parties if cp.role is role]


def _case_note(case: CaseColumns, request: IntakeRequest) -> list[str]:
    return [f"业务号：{case.case_number}", request.note.strip()]


def _record_transfer(rec: _Recording, request: IntakeRequest, plan: RulePlan) -> _NewRight:
    case = rec.case
    assert plan.ownership_id is not None
    nature = sql_of.right_nature(rec.session, plan.ownership_id)
    before = len(rec.cancelled)
    rec.end_right(plan.ownership_id, f"转移登记（业务号{case.case_number}）")
    old_numbers = rec.cancelled[before:]
    for notice in plan.fulfilled_notices:
        rec.end_right(notice.id, f"预告登记已实现：办理转移登记（业务号{case.case_number}）")
    buyers = _parties_in(case, PartyRole.RIGHT_HOLDER)
    mode = buyers[0].co_ownership or CoOwnership.SOLE
    new = rec.new_right(
        RightType.OWNERSHIP,
        co_ownership=mode,
        price=request.price,
        right_nature=nature,
        notes=request.note or None,
    )
    for position, cp in enumerate(buyers):
        rec.add_party(
            new,
            cp.party,
            PartyRole.RIGHT_HOLDER,
            cp.share if mode is CoOwnership.BY_SHARES else None,
            position,
        )
    rec.flush()
    notes = _case_note(case, request)
    if old_numbers:
        notes.append(f"原不动产权证书号：{'、'.join(old_numbers)}")
    for m in plan.following_mortgages:
        notes.append(
            f"该不动产设有抵押权（{m.reference}，第{m.rank or 1}顺位，抵押权人{'、'.join(p.name for p in m.holders)}），"
            "依民法典第四百零六条抵押权不受转让影响"
        )
    holders = [(cp.party.name, cp.share if mode is CoOwnership.BY_SHARES else None) for cp in buyers]
    own = [cp for cp in buyers if cp.wants_own_certificate]
    shared = [cp for cp in buyers if not cp.wants_own_certificate]
    groups = [[cp] for cp in own] + ([shared] if shared else [])
    for group in groups:
        extra = [f"持证人：{'、'.join(cp.party.name for cp in group)}"] if len(groups) > 1 else []
        fields = right_certificate_fields(rec.unit, new, holders, notes + extra)
        rec.issue(new, CertificateKind.RIGHT_CERTIFICATE, group[0].party, fields)
    return new


def _record_mortgage(rec: _Recording, request: IntakeRequest, plan: RulePlan) -> _NewRight:
    case = rec.case
    terms = request.mortgage
    assert terms is not None
    notes = _case_note(case, request)
    if plan.converted_notice is not None:
        n = plan.converted_notice
        rec.end_right(n.id, f"预告登记转为抵押权首次登记（业务号{case.case_number}）")
        notes.append(f"由{n.label}（{n.reference}）转为抵押权首次登记")
    new = rec.new_right(
        RightType.MORTGAGE,
        mortgage_mode=terms.mode,
        secured_amount=terms.amount,
        debt_start=terms.debt_start,
        debt_end=terms.debt_end,
        guarantee_scope=terms.guarantee_scope or None,
        rank=plan.rank,
        no_transfer=terms.no_transfer,
        mortgaged_area=terms.mortgaged_area if terms.mortgaged_area is not None else rec.unit.building_area,
        assessed_value=terms.assessed_value,
        notes=request.note or None,
    )
    banks = _parties_in(case, PartyRole.RIGHT_HOLDER)
    mortgagors = _parties_in(case, PartyRole.OBLIGOR)
    debtors = _parties_in(case, PartyRole.DEBTOR)
    position = 0
    for role, group in (
        (PartyRole.RIGHT_HOLDER, banks),
        (PartyRole.OBLIGOR, mortgagors),
        (PartyRole.DEBTOR, debtors),
    ):
        for cp in group:
            rec.add_party(new, cp.party, role, None, position)
            position += 1
    rec.flush()
    fields = registration_proof_fields(
        rec.unit,
        RightType.MORTGAGE.label,
        [cp.party.name for cp in banks],
        [cp.party.name for cp in mortgagors],
        mortgage_lines(terms, plan.rank, [cp.party.name for cp in debtors]),
        notes,
    )
    rec.issue(new, CertificateKind.REGISTRATION_PROOF, banks[0].party, fields)
    return new


def _record_cancellation(rec: _Recording, request: IntakeRequest, plan: RulePlan) -> None:
    terms = request.cancellation
    assert terms is not None and plan.target_right is not None
    reason = f"抵押权注销：{terms.reason.label}"
    if terms.note.strip():
        reason += f"（{terms.note.strip()}）"
    rec.end_right(plan.target_right.id, f"{reason}，业务号{rec.case.case_number}")


def _record_notice(rec: _Recording, request: IntakeRequest, plan: RulePlan) -> _NewRight:
    case = rec.case
    terms = request.notice
    assert terms is not None
    holders = _parties_in(case, PartyRole.RIGHT_HOLDER)
    obligors = _parties_in(case, PartyRole.OBLIGOR)
    lapses = notice_lapse_date(terms.registrable_on) if terms.registrable_on else None
    columns: dict[str, Any] = {
        "notice_kind": terms.kind,
        "notice_registrable_on": terms.registrable_on,
        "notice_lapses_on": lapses,
        "notes": request.note or None,
    }
    mode: CoOwnership | None = None
    if terms.kind.is_mortgage:
        m = terms.mortgage
        assert m is not None
        columns.update(
            mortgage_mode=m.mode,
            secured_amount=m.amount,
            debt_start=m.debt_start,
            debt_end=m.debt_end,
            guarantee_scope=m.guarantee_scope or None,
            no_transfer=m.no_transfer,
        )
        other = mortgage_lines(m, None, [])
    else:
        mode = holders[0].co_ownership or CoOwnership.SOLE
        columns.update(co_ownership=mode, price=terms.price)
        other = [f"规划用途：{rec.unit.planned_use}", f"建筑面积：{area_text(rec.unit.building_area)}"]
        if terms.price is not None:
            other.append(f"交易价格：{terms.price}元")
        if len(holders) > 1:
            other.append(
                f"共有情况：{co_ownership_text(mode, [(cp.party.name, cp.share) for cp in holders])}"
            )
    new = rec.new_right(RightType.ADVANCE_NOTICE, **columns)
    position = 0
    for role, group in ((PartyRole.RIGHT_HOLDER, holders), (PartyRole.OBLIGOR, obligors)):
        for cp in group:
            share = cp.share if role is PartyRole.RIGHT_HOLDER and mode is CoOwnership.BY_SHARES else None
            rec.add_party(new, cp.party, role, share, position)
            position += 1
    rec.flush()
    notes = _case_note(case, request)
    if lapses is not None:
        notes.append(
            f"自{date_text(terms.registrable_on)}起能够进行不动产登记，{date_text(lapses)}前未申请登记的，预告登记失效"
        )
    fields = registration_proof_fields(
        rec.unit,
        terms.kind.label,
        [cp.party.name for cp in holders],
        [cp.party.name for cp in obligors],
        other,
        notes,
    )
    rec.issue(new, CertificateKind.REGISTRATION_PROOF, holders[0].party, fields)
    return new


def record_case(
    db: Database,
    actor: Actor,
    case_number: str,
    *,
    now: datetime | None = None,
    policy: BusinessTypePolicy | None = None,
    expected_version: int | None = None,
) -> RecordResult:
    """审核通过并登簿: re-checks every rule on the locked unit, changes the register, numbers and fills the
    certificate or 证明, and writes the audit event — in one transaction."""
    actor.require(Role.REGISTRAR, operation="审核登簿")
    now = as_utc(now or utc_now())
    policy = policy or load_policy()
    # Compiled statements only, on a driver connection's transaction (BEGIN IMMEDIATE on SQLite): no ORM
    # Session, whose bookkeeping cost more than the recording's dozen statements.
    with db.driver_work() as work:
        d = work.driver
        number = case_number.strip()
        locked = sql_of.lock_case_for_recording(d, number)
        if locked is None:
            raise NotFound(f"没有业务号为 {number} 的业务", rule="业务查询", record=number)
        case, unit = locked.case, locked.unit
        check_version(d, case, expected_version)
        if case.payment_required and case.status in (CaseStatus.AWAITING_PAYMENT, CaseStatus.IN_REVIEW):
            # Before the status check: "the deed tax is unpaid" tells the registrar more than "待缴费".
            refuse_unpaid(d, case)
        check_transition(case.case_number, case.status, CaseStatus.RECORDED)
        business = business_of(policy, case)
        if locked.missing_materials:
            missing = sql_of.missing_material_names(d, case.id)
            raise RuleViolation(
                f"业务 {case.case_number} 尚缺申请材料：{'、'.join(missing)}，补齐后才能登簿",
                rule=RULE_MATERIALS,
                record=case.case_number,
            )
        request = request_from_case(
            case.business_type, unit.unit_number, party_inputs(case.parties), case.form
        )
        _checked, plan = check_request(
            business, unit_snapshot(d, unit, policy), request, this_case=case.case_number
        )
        rec = _Recording(d, case, unit, now, [], [], [])
        new: _NewRight | None = None
        if business.key == TRANSFER:
            new = _record_transfer(rec, request, plan)
        elif business.key == MORTGAGE_FIRST:
            new = _record_mortgage(rec, request, plan)
        elif business.key == MORTGAGE_CANCEL:
            _record_cancellation(rec, request, plan)
        elif business.key == ADVANCE_NOTICE:
            new = _record_notice(rec, request, plan)
        rec.flush()
        status = CaseStatus.RECORDED
        if business.certificate_kind is None:
            # Nothing to print or hand over: the case is finished with the register entry.
            check_transition(case.case_number, status, CaseStatus.ISSUED)
            status = CaseStatus.ISSUED
        touched = sql_of.mark_recorded(
            d,
            case.id,
            seen_version=case.version,
            status=status,
            recorded_at=now,
            recorded_by=actor.user_id,
            completed_at=now,
        )
        if touched != 1:
            raise conflict_error(d, case.case_number)
        sql_of.bump_unit(d, unit.id)
        audit.append(
            d,
            actor,
            "case.recorded",
            case_id=case.id,
            unit_id=unit.id,
            record=case.case_number,
            before={"status": CaseStatus.IN_REVIEW.value},
            after={
                "status": status.value,
                "new_right_id": new.id if new else None,
                "ended_right_ids": rec.ended,
                "cancelled_certificates": rec.cancelled,
                "issued_certificates": rec.issued,
                "rank": plan.rank,
            },
            at=now,
        )
        result = RecordResult(
            case_number=case.case_number,
            status=status,
            unit_number=unit.unit_number,
            new_right_id=new.id if new else None,
            ended_right_ids=tuple(rec.ended),
            cancelled_certificates=tuple(rec.cancelled),
            issued_certificates=tuple(rec.issued),
            rank=plan.rank if business.key == MORTGAGE_FIRST else None,
        )
        work.commit()
    return result
