"""免盖章: a bank's electronically sealed contract or application satisfies a case's material once verified.

`attach_sealed_document` checks the PDF's seals offline (intact, trusted, signer named in the certificate),
requires the bank's own seal on the materials only the mortgagee can seal, keeps the PDF with the case and
marks the material "sealed" — in one transaction with its audit event. The demo's bank, which renders and
seals such files, is `registry_desk.demo.demo_contracts`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from registry_desk.documents.pki import TrustStore
from registry_desk.documents.seal import SealReport, SignatureCheck, verify_pdf
from registry_desk.domain.cases import (
    ADVANCE_NOTICE,
    MATERIAL_SEALED,
    MATERIAL_STATUS_LABELS,
    MORTGAGE_CANCEL,
    MORTGAGE_FIRST,
    CaseSummary,
    IntakeRequest,
    request_from_case,
)
from registry_desk.domain.codes import CaseStatus, IdType, PartyRole, Role
from registry_desk.domain.errors import NotFound, RuleViolation
from registry_desk.kernel import audit
from registry_desk.kernel.business_types import load_policy

# The case service owns the locking order (unit row, then case); attaching follows it.
from registry_desk.domain.clock import CHINA_TZ
from registry_desk.registration.locking import locked_case
from registry_desk.registration.queries import case_party_inputs, case_summary
from registry_desk.registration.versioning import commit_case
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.exemptions import materials as material_rows
from registry_desk.storage.tables import Case

RULE_SEALED = "免盖章：企业以电子签章代替实物印章，签章须完好、可信且为申请企业本身"
ATTACHMENT_KIND = "sealed_material"
AUDIT_ACTION = "case.sealed_material"

# Materials only the mortgagee signs as a party: its seal, and no other organisation's, must be on them.
BANK_MATERIALS = frozenset(
    {"application", "mortgage_contract", "loan_contract", "extinction_proof", "power_of_attorney"}
)
_MORTGAGE_BUSINESS = (MORTGAGE_FIRST, MORTGAGE_CANCEL)

# Contracts serve one registration: the same sealed file on a second standing case of the same business type
# is refused.
ONE_CASE_MATERIALS = frozenset({"mortgage_contract", "loan_contract"})
_ENDED_WITHOUT_EFFECT = (CaseStatus.WITHDRAWN, CaseStatus.REFUSED, CaseStatus.NOT_ACCEPTED)


@dataclass(frozen=True)
class SealedMaterialResult:
    """What attaching a sealed document recorded, for the window and the receipt of materials."""

    case_number: str
    material_code: str
    material_name: str
    attachment_id: int
    sha256: str
    signer_org: str
    signer_uscc: str
    signed_at: datetime | None
    note: str
    summary: CaseSummary


def case_holding_document(
    session: Any, digest: str, *, business_type: str, except_case_id: int | None = None
) -> str | None:
    """The case of `business_type`, still standing (not withdrawn, refused or not accepted), that holds the
    sealed file with this SHA-256 as a material, if any. Another business type may use the same contract: the
    bank's 抵押权预告 and the 抵押权首次登记 that converts it rest on one 抵押合同."""
    return material_rows.standing_case_holding_attachment(
        session,
        digest,
        kind=ATTACHMENT_KIND,
        business_type=business_type,
        ended=_ENDED_WITHOUT_EFFECT,
        except_case_id=except_case_id,
    )


def _refuse(message: str, case_number: str) -> RuleViolation:
    return RuleViolation(message, rule=RULE_SEALED, record=case_number)


def _time_text(moment: datetime | None) -> str:
    return "签章时间未载明" if moment is None else f"{moment.astimezone(CHINA_TZ):%Y-%m-%d %H:%M}"


def _checked_report(pdf: bytes, trust: TrustStore, case_number: str, material_name: str) -> SealReport:
    if not pdf.startswith(b"%PDF"):
        raise _refuse(f"业务 {case_number} 的“{material_name}”不是 PDF 文件，不能作为电子签章件", case_number)
    report = verify_pdf(pdf, trust)
    if not report.signatures:
        reason = "；".join(report.problems) or "文件没有电子签章"
        raise _refuse(f"业务 {case_number} 的“{material_name}”未通过电子签章核验：{reason}", case_number)
    if not report.ok:
        raise _refuse(
            f"业务 {case_number} 的“{material_name}”未通过电子签章核验：{'；'.join(report.problems)}",
            case_number,
        )
    return report


def _bank_signature(
    report: SealReport, request: IntakeRequest, case_number: str, material_name: str
) -> SignatureCheck:
    """The mortgagee's own seal among the signatures, or the refusal naming who sealed instead."""
    banks = [p for p in request.with_role(PartyRole.RIGHT_HOLDER) if p.id_type is IdType.USCC]
    wanted = {p.id_number for p in banks}
    for check in report.signatures:
        if check.signer_uscc.upper() in wanted:
            return check
    signers = "、".join(
        f"{c.signer_org}（{c.signer_uscc or '无统一社会信用代码'}）" for c in report.signatures
    )
    expected = "、".join(f"{p.name}（{p.id_number}）" for p in banks) or "（本业务未登记抵押权人）"
    raise _refuse(
        f"业务 {case_number} 的“{material_name}”由{signers}签章，不是本业务的抵押权人{expected}的签章",
        case_number,
    )


def _sealing_signature(
    report: SealReport, case: Case, business_key: str, code: str, material_name: str
) -> SignatureCheck:
    """The signature the material stands on: for the bank's materials of a mortgage case (or of a mortgage's
    预告登记) the mortgagee's own, refused when absent; otherwise the first."""
    request = request_from_case(case.business_type, case.unit.unit_number, case_party_inputs(case), case.form)
    is_mortgage = business_key in _MORTGAGE_BUSINESS or (
        business_key == ADVANCE_NOTICE and request.notice is not None and request.notice.kind.is_mortgage
    )
    if is_mortgage and code in BANK_MATERIALS:
        return _bank_signature(report, request, case.case_number, material_name)
    return report.signatures[0]


def attach_sealed_document(
    db: Database,
    actor: Actor,
    case_number: str,
    material_code: str,
    pdf: bytes,
    *,
    trust: TrustStore,
    now: datetime | None = None,
) -> SealedMaterialResult:
    """Verifies a sealed PDF, keeps it with the case and marks the material "sealed" (电子签章件已核验).

    Refused (RuleViolation, nothing saved): not a PDF, no seal, a byte changed after sealing, a signer not
    chaining to a trusted root, a material that cannot be replaced by a sealed PDF, and — for the bank's
    materials of a mortgage case — a seal that is not the case's mortgagee's.
    """
    actor.require(Role.CLERK, Role.REGISTRAR, operation="核验电子签章材料")
    now = now or utc_now()
    policy = load_policy()
    code = material_code.strip()
    # Reading the case once before verifying keeps the refusals about the case itself cheap and lets the
    # message name the material; the write transaction below re-checks everything on the locked case.
    with db.unit_of_work(write=False) as uow:
        business_key = material_rows.business_type_of_case(uow.session, case_number.strip())
    if business_key is None:
        raise NotFound(f"没有业务号为 {case_number} 的业务", rule="业务查询", record=case_number)
    business = policy.get(business_key)
    spec = next((m for m in business.materials if m.code == code), None)
    material_name = spec.name if spec else code
    report = _checked_report(pdf, trust, case_number, material_name)
    digest = hashlib.sha256(pdf).hexdigest()

    with db.unit_of_work() as uow:
        s = uow.session
        case = locked_case(s, case_number)
        if not case.status.is_open or case.status in (CaseStatus.RECORDED, CaseStatus.CERTIFICATE_READY):
            raise _refuse(
                f"业务 {case.case_number} 当前状态为“{case.status.label}”，不能再提交材料", case.case_number
            )
        material = next((m for m in case.materials if m.code == code), None)
        if spec is None or material is None:
            raise NotFound(
                f"业务 {case.case_number} 没有代码为“{code}”的材料",
                rule=RULE_SEALED,
                record=f"{case.case_number}:{code}",
            )
        if not spec.sealed_ok:
            raise _refuse(
                f"材料“{spec.name}”不能以{MATERIAL_STATUS_LABELS[MATERIAL_SEALED]}代替（业务 {case.case_number}）",
                case.case_number,
            )
        if code in ONE_CASE_MATERIALS:
            holder = case_holding_document(
                s, digest, business_type=case.business_type, except_case_id=case.id
            )
            if holder is not None:
                raise _refuse(
                    f"这份“{spec.name}”文件已是业务 {holder} 的材料：同一份合同只能用于一件登记"
                    f"（业务 {case.case_number}；如业务 {holder} 已撤回或驳回，可重新使用）",
                    case.case_number,
                )
        signature = _sealing_signature(report, case, business.key, code, spec.name)
        note = f"电子签章 已核验：{signature.signer_org}（{_time_text(signature.signing_time)}）"
        attachment = material_rows.keep_attachment(
            s,
            case_id=case.id,
            kind=ATTACHMENT_KIND,
            filename=f"{case.case_number}-{code}.pdf",
            sha256=digest,
            content=pdf,
            created_at=now,
        )
        before = {"status": material.status, "attachment_id": material.attachment_id}
        material.status = MATERIAL_SEALED
        material.attachment_id = attachment.id
        material.received_at = now
        material.note = note[:256]
        audit.append(
            s,
            actor,
            AUDIT_ACTION,
            case_id=case.id,
            unit_id=case.unit_id,
            record=f"{case.case_number}:{code}",
            before=before,
            after={
                "status": MATERIAL_SEALED,
                "attachment_id": attachment.id,
                "sha256": digest,
                "signer_org": signature.signer_org,
                "signer_uscc": signature.signer_uscc,
                "signed_at": None if signature.signing_time is None else signature.signing_time.isoformat(),
                "signatures": len(report.signatures),
            },
            at=now,
        )
        summary = case_summary(s, case, business)
        result = SealedMaterialResult(
            case_number=case.case_number,
            material_code=code,
            material_name=spec.name,
            attachment_id=attachment.id,
            sha256=digest,
            signer_org=signature.signer_org,
            signer_uscc=signature.signer_uscc,
            signed_at=signature.signing_time,
            note=note,
            summary=summary,
        )
        commit_case(uow, case.case_number)
    return result
