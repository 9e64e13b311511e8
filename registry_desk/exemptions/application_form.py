"""The 不动产登记申请书 of a case: filled from the case (免填写), signed by the applicants on the counter's pad,
sealed by the centre and kept with the case as its application material.

`application_form_pdf` renders and seals the form with whatever signatures are given (a preview before
signing shows empty 签章 cells). `sign_application_form` requires a signature from every natural-person
applicant, then keeps the sealed PDF as the case's attachment and marks the material 申请书 as received
electronically — in one transaction with its audit event. Organisations (the bank) sign with their own
electronic seal on their documents (免盖章), so their cell may stay without a drawn signature.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from registry_desk.config import Settings
from registry_desk.documents.application_form_pdf import (
    REGISTRATION_TYPE_CHOICES,
    TITLE,
    ApplicantBlock,
    ApplicationFormView,
    SignatureSlot,
    render_application_form,
)
from registry_desk.documents.verification import make_payload
from registry_desk.domain.cases import (
    MATERIAL_MISSING,
    MATERIAL_SEALED,
    BusinessType,
    IntakeRequest,
    MortgageTerms,
    PartyInput,
    request_from_case,
)
from registry_desk.domain.codes import (
    CaseStatus,
    IdType,
    MortgageMode,
    PartyRole,
    RegistrationType,
    RightType,
    Role,
)
from registry_desk.domain.errors import NotFound, RuleViolation, ValidationError
from registry_desk.kernel import audit
from registry_desk.registration import issuing
from registry_desk.kernel.business_types import load_policy
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.exemptions import materials as material_rows
from registry_desk.storage.session import Session, mark_changed
from registry_desk.storage.tables import Case, CaseMaterial, CaseParty

MATERIAL_CODE = "application"  # the 申请书 in resources/policy/business_types.json, in every business type
ATTACHMENT_KIND = "application_form"
AUDIT_ACTION = "case.application_signed"
PAYLOAD_KIND = TITLE
RULE_SIGN = "不动产登记申请书须由申请人签名（自然人本人或其代理人签名，单位以电子签章确认）"
ORGANISATION_PLACEHOLDER = "以本单位电子签章确认"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# Debtors who are not applicants sign the loan contract, not the form; agents sign in their party's cell.
_SIGNING_ROLES = (PartyRole.RIGHT_HOLDER, PartyRole.OBLIGOR)


@dataclass(frozen=True)
class Signer:
    """An applicant who signs the form: the key the signatures dict may use, and how the cell names them."""

    position: int  # index among the case's applicants, as listed by `signers`
    name: str
    id_number: str
    role_label: str  # the form's wording, e.g. 申请人（抵押人）
    is_organisation: bool
    agent_name: str = ""

    @property
    def needs_drawn_signature(self) -> bool:
        return not self.is_organisation


@dataclass(frozen=True)
class SignedApplicationForm:
    """What signing kept: the attachment, its digest, who signed and how the material now stands."""

    case_number: str
    attachment_id: int
    sha256: str
    signed_by: tuple[str, ...]
    material_status: str
    material_note: str
    pdf: bytes


def _load_case(session: Session, case_number: str) -> Case:
    number = case_number.strip()
    case = material_rows.case_for_application_form(session, number)
    if case is None:
        raise NotFound(f"没有业务号为 {number} 的业务", rule="申请书按业务生成", record=number)
    return case


def _business(case: Case) -> BusinessType:
    return load_policy().get(case.business_type)


def _role_name(business: BusinessType, role: PartyRole) -> str:
    """The business's name for a role without its gloss: 抵押人（义务人） → 抵押人 (the form says 义务人 itself)."""
    return business.role_label(role).split("（")[0]


def _agent_names(session: Session, case: Case) -> dict[int, str]:
    ids = [cp.agent_party_id for cp in case.parties if cp.agent_party_id is not None]
    if not ids:
        return {}
    names = material_rows.party_names(session, ids)
    return {cp.id: names.get(cp.agent_party_id, "") for cp in case.parties if cp.agent_party_id is not None}


def _signers(session: Session, case: Case) -> list[Signer]:
    business = _business(case)
    agents = _agent_names(session, case)
    out: list[Signer] = []
    for cp in sorted(case.parties, key=lambda c: c.position):
        if cp.role not in _SIGNING_ROLES:
            continue
        out.append(
            Signer(
                position=len(out),
                name=cp.party.name,
                id_number=cp.party.id_number,
                role_label=f"申请人（{_role_name(business, cp.role)}）",
                is_organisation=cp.party.id_type is IdType.USCC,
                agent_name=agents.get(cp.id, ""),
            )
        )
    return out


def signers(db: Database, actor: Actor, case_number: str) -> tuple[Signer, ...]:
    """The applicants who sign the form, in the order the window asks them to sign."""
    actor.require(Role.CLERK, Role.REGISTRAR, operation="查看申请书签名人")
    with db.unit_of_work(write=False) as uow:
        return tuple(_signers(uow.session, _load_case(uow.session, case_number)))


def _signature_for(signer: Signer, signatures: Mapping[int | str, bytes]) -> bytes | None:
    for key in (signer.position, str(signer.position), signer.id_number, signer.id_number.upper()):
        if key in signatures:
            return signatures[key]
    wanted = signer.id_number.strip().upper()
    for key, png in signatures.items():
        if isinstance(key, str) and key.strip().upper() == wanted:
            return png
    return None


def _check_png(png: bytes, signer: Signer, case_number: str) -> None:
    if not png.startswith(PNG_MAGIC):
        raise ValidationError(
            f"业务 {case_number} 的申请人{signer.name}的签名不是 PNG 图片，请重新签名",
            rule=RULE_SIGN,
            record=case_number,
        )


def _money_text(terms: MortgageTerms) -> str:
    return "" if terms.amount is None else f"{terms.amount}元"


def _mortgage_rows(request: IntakeRequest, debtors: list[str]) -> tuple[tuple[str, str], ...]:
    terms = request.mortgage or (request.notice.mortgage if request.notice is not None else None)
    rows: list[tuple[str, str]] = []
    if terms is not None:
        period = "债权确定期间" if terms.mode is MortgageMode.MAXIMUM else "债务履行期限"
        rows += [
            ("抵押方式", terms.mode.label),
            (terms.amount_label, _money_text(terms)),
            (period, f"{terms.debt_start:%Y年%m月%d日}起{terms.debt_end:%Y年%m月%d日}止"),
            ("担保范围", terms.guarantee_scope),
            ("禁止或限制转让", "是" if terms.no_transfer else "否"),
        ]
        if debtors:
            rows.append(("债务人", "、".join(debtors)))
    if request.cancellation is not None:
        rows += [
            ("注销的抵押权（登记证明号）", request.cancellation.mortgage),
            ("注销原因", request.cancellation.reason.label),
        ]
    return tuple(rows)


def _previous_certificates(session: Session, case: Case, request: IntakeRequest) -> str:
    if request.cancellation is not None:
        return request.cancellation.mortgage
    replaced = material_rows.ownership_certificates_cancelled_by_case(session, case.id)
    if replaced:
        return "、".join(replaced)
    current = material_rows.current_ownership_certificates_of_unit(session, case.unit_id)
    return "、".join(current) or "无"


def _applicant(cp: CaseParty, business: BusinessType, agent_name: str) -> ApplicantBlock:
    p = cp.party
    return ApplicantBlock(
        role="权利人" if cp.role is PartyRole.RIGHT_HOLDER else "义务人",
        role_detail=_role_name(business, cp.role),
        name=p.name,
        id_type=p.id_type.label,
        id_number=p.id_number,
        address=p.address or "",
        legal_rep=p.legal_rep_name or "",
        phone=p.phone or "",
        agent_name=agent_name,
    )


def form_view(
    session: Session,
    case: Case,
    signatures: Mapping[int | str, bytes],
    *,
    office: str,
    signed_on: dt.date | None,
) -> ApplicationFormView:
    """The form's text from the case as stored (the same data the register will take), plus signatures."""
    business = _business(case)
    agents = _agent_names(session, case)
    parties: tuple[PartyInput, ...] = tuple(
        PartyInput(
            role=cp.role,
            name=cp.party.name,
            id_type=cp.party.id_type,
            id_number=cp.party.id_number,
            share=cp.share,
            wants_own_certificate=cp.wants_own_certificate,
        )
        for cp in case.parties
        if cp.role is not PartyRole.AGENT
    )
    request = request_from_case(case.business_type, case.unit.unit_number, parties, case.form)
    ordered = sorted(case.parties, key=lambda c: c.position)
    applicants = tuple(
        _applicant(cp, business, agents.get(cp.id, "")) for cp in ordered if cp.role in _SIGNING_ROLES
    )
    debtors = [cp.party.name for cp in ordered if cp.role is PartyRole.DEBTOR]
    slots = []
    for signer in _signers(session, case):
        png = _signature_for(signer, signatures)
        who = signer.role_label if not signer.agent_name else f"代理人（代{signer.name}）"
        name = signer.agent_name or signer.name
        slots.append(
            SignatureSlot(
                role=who,
                name=name,
                png=png,
                signed_on=signed_on if png else None,
                placeholder=ORGANISATION_PLACEHOLDER if signer.is_organisation else "（未签名）",
            )
        )
    clerk = material_rows.user_by_id(session, case.accepted_by) if case.accepted_by is not None else None
    unit = case.unit
    registration = RegistrationType(case.registration_type)
    registration_label = "其他" if registration is RegistrationType.OTHER else registration.label
    assert registration_label in REGISTRATION_TYPE_CHOICES
    evidence = [m.name for m in sorted(case.materials, key=lambda m: m.position) if m.code != MATERIAL_CODE]
    reason = f"{business.label}。证明材料：{'、'.join(evidence)}"
    if request.note:
        reason += f"。{request.note}"
    holders = [cp for cp in case.parties if cp.role is PartyRole.RIGHT_HOLDER]
    separate = any(cp.wants_own_certificate for cp in holders) and len(holders) > 1
    nature = f"（{unit.house_nature}）" if unit.house_nature else ""
    area = f"建筑面积{unit.building_area}㎡"
    if unit.exclusive_area is not None:
        area += f"，专有建筑面积{unit.exclusive_area}㎡"
    return ApplicationFormView(
        case_number=case.case_number,
        received_by=clerk.display_name if clerk else "",
        received_on=issuing.local_date(case.accepted_at),
        right_type=RightType(case.right_type).label,
        registration_type=registration_label,
        applicants=applicants,
        location=unit.location,
        unit_number=unit.unit_number,
        property_type=f"房屋{nature}",
        area=area,
        use=unit.planned_use,
        previous_certificate=_previous_certificates(session, case, request),
        reason=reason,
        mortgage=_mortgage_rows(request, debtors),
        certificate_format="单一版",
        separate_holding=separate,
        notes="申请人签名由受理窗口签名板采集；本申请书经登记机构电子签章后存档，与纸质申请书具有同等效力。",
        signatures=tuple(slots),
        office=office,
        business_label=business.label,
    )


def _render_sealed(
    session: Session,
    case: Case,
    signatures: Mapping[int | str, bytes],
    settings: Settings,
    signed_on: dt.date,
) -> bytes:
    kit = issuing.centre_kit(settings).for_unit(case.unit.unit_number)  # the agency it is filed with
    view = form_view(session, case, signatures, office=kit.office, signed_on=signed_on)
    payload = make_payload(
        {
            "kind": PAYLOAD_KIND,
            "case_number": case.case_number,
            "unit_number": case.unit.unit_number,
            "accepted_on": view.received_on,
            "issuer": kit.uscc,
        },
        kit.identity,
    )
    drawn = render_application_form(view, seal_png=kit.seal_png)
    return kit.sealer.seal(drawn, reason=f"{TITLE} {case.case_number}", payload=payload)


def application_form_pdf(
    db: Database,
    actor: Actor,
    case_number: str,
    signatures: Mapping[int | str, bytes],
    *,
    settings: Settings,
    now: dt.datetime | None = None,
) -> bytes:
    """The form filled from the case, with the given signatures (keyed by signer position or ID number),
    sealed by the centre with a verification payload. Nothing is saved."""
    actor.require(Role.CLERK, Role.REGISTRAR, operation="生成不动产登记申请书")
    signed_on = issuing.local_date(now or utc_now())
    with db.unit_of_work(write=False) as uow:
        case = _load_case(uow.session, case_number)
        return _render_sealed(uow.session, case, signatures, settings, signed_on)


def sign_application_form(
    db: Database,
    actor: Actor,
    case_number: str,
    signatures: Mapping[int | str, bytes],
    *,
    settings: Settings,
    now: dt.datetime | None = None,
) -> SignedApplicationForm:
    """Keeps the signed, sealed form with the case and marks its 申请书 material received.

    Refused (nothing saved): a natural-person applicant without a signature, a signature that is not a PNG,
    a case that is closed or already recorded. Where the business's policy does not accept an electronic
    申请书 (个人存量房转移登记 lists it as paper only), the signed form is kept but the material stays as it
    was, and the note says the paper original is still needed.
    """
    actor.require(Role.CLERK, Role.REGISTRAR, operation="申请人签署不动产登记申请书")
    now = now or utc_now()
    signed_on = issuing.local_date(now)
    with db.unit_of_work() as uow:
        s = uow.session
        case = _load_case(s, case_number)
        number = case.case_number
        if not case.status.is_open or case.status in (CaseStatus.RECORDED, CaseStatus.CERTIFICATE_READY):
            raise RuleViolation(
                f"业务 {number} 当前状态为“{case.status.label}”，不能再签署申请书",
                rule=RULE_SIGN,
                record=number,
            )
        people = _signers(s, case)
        missing = [
            p.name for p in people if p.needs_drawn_signature and _signature_for(p, signatures) is None
        ]
        if missing:
            raise ValidationError(
                f"业务 {number} 的申请人{'、'.join(missing)}尚未签名，请在签名板上签名后再确认",
                rule=RULE_SIGN,
                record=number,
            )
        for person in people:
            png = _signature_for(person, signatures)
            if png is not None:
                _check_png(png, person, number)
        pdf = _render_sealed(s, case, signatures, settings, signed_on)
        digest = hashlib.sha256(pdf).hexdigest()
        attachment = material_rows.keep_attachment(
            s,
            case_id=case.id,
            kind=ATTACHMENT_KIND,
            filename=f"{number}-申请书.pdf",
            sha256=digest,
            content=pdf,
            created_at=now,
        )
        spec = next((m for m in _business(case).materials if m.code == MATERIAL_CODE), None)
        material: CaseMaterial | None = next((m for m in case.materials if m.code == MATERIAL_CODE), None)
        if material is None or spec is None:
            raise NotFound(
                f"业务 {number} 没有材料“不动产登记申请书”",
                rule=RULE_SIGN,
                record=f"{number}:{MATERIAL_CODE}",
            )
        signed_by = tuple(p.name for p in people if _signature_for(p, signatures) is not None)
        before = {"status": material.status, "attachment_id": material.attachment_id}
        previous_kind = (
            material_rows.attachment_kind(s, material.attachment_id)
            if material.attachment_id is not None
            else None
        )
        replaceable = material.status == MATERIAL_MISSING or previous_kind == ATTACHMENT_KIND
        if spec.sealed_ok and replaceable:
            material.status = MATERIAL_SEALED
            material.attachment_id = attachment.id
            material.received_at = now
            material.note = f"申请人签名 已采集：{'、'.join(signed_by)}；登记机构电子签章"[:256]
        elif not spec.sealed_ok:
            material.note = "申请书已在签名板签署（电子件存档）；本业务仍须收取纸质申请书原件"
        mark_changed(case, "form")  # the case's version moves on with its materials
        audit.append(
            s,
            actor,
            AUDIT_ACTION,
            case_id=case.id,
            unit_id=case.unit_id,
            record=f"{number}:{MATERIAL_CODE}",
            before=before,
            after={
                "status": material.status,
                "attachment_id": attachment.id,
                "sha256": digest,
                "signed_by": list(signed_by),
                "signature_sha256": {
                    p.name: hashlib.sha256(png).hexdigest()
                    for p in people
                    if (png := _signature_for(p, signatures)) is not None
                },
            },
            at=now,
        )
        result = SignedApplicationForm(
            case_number=number,
            attachment_id=attachment.id,
            sha256=digest,
            signed_by=signed_by,
            material_status=material.status,
            material_note=material.note or "",
            pdf=pdf,
        )
        uow.commit()
    return result


__all__ = [
    "ATTACHMENT_KIND",
    "MATERIAL_CODE",
    "SignedApplicationForm",
    "Signer",
    "application_form_pdf",
    "form_view",
    "sign_application_form",
    "signers",
]
