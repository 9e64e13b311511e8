"""Pull and verify (免提交): fetch an applicant's e-certificate, check it thoroughly, record it on the case.

A clerk may accept an e-certificate instead of the paper certificate only when every check passes:
the record is 现势, it belongs to the applicant and to the case's unit, its PDF is the one issued
(sha256), the PDF's seal is intact and by a trusted signer, and the signed payload inside it names the
same certificate. Each refusal is a RuleViolation naming the e-certificate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from registry_desk.documents.pki import TrustStore
from registry_desk.documents.seal import read_payload, verify_pdf
from registry_desk.documents.issuers import authority_problems
from registry_desk.documents.verification import verify_document_payload
from registry_desk.domain.codes import CaseStatus, CertificateKind, CertificateStatus, Role
from registry_desk.domain.errors import NotFound, RuleViolation, ValidationError
from registry_desk.exemptions.ecert.records import EcertRecord, EcertStore
from registry_desk.kernel import audit
from registry_desk.kernel.authorities import policy_authorities
from registry_desk.kernel.business_types import load_policy
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.exemptions import ecert as ecert_rows
from registry_desk.storage.exemptions import materials as material_rows

RULE_PULL = "电子证照免提交：调取的电子证照须现势、属申请人和本单元、签章有效且未被改动"
ATTACH_ACTION = "case.material_ecert"
ATTACHED_NOTE = "电子证照 已核验"


class EcertVerificationFailed(RuleViolation):
    """An e-certificate or certificate PDF failed a check (the command line exits 1 on it, not 2)."""


@dataclass(frozen=True)
class VerifiedEcert:
    """An e-certificate that passed every check, with what the checks found."""

    record: EcertRecord
    sha256: str
    signer_org: str
    signer_uscc: str
    payload_fields: dict[str, Any] = field(default_factory=dict)

    @property
    def ecert_id(self) -> str:
        return self.record.ecert_id


def _refuse(record: EcertRecord | str, reason: str) -> EcertVerificationFailed:
    ecert_id = record.ecert_id if isinstance(record, EcertRecord) else record
    return EcertVerificationFailed(reason, rule=RULE_PULL, record=ecert_id)


def _norm_number(number: str) -> str:
    return number.strip().replace("（", "(").replace("）", ")")


def verify_ecert_pdf(record: EcertRecord, pdf: bytes, trust: TrustStore) -> VerifiedEcert:
    """The file checks: digest as issued, seal intact and trusted, payload signed and naming this record."""
    label = f"电子证照 {record.ecert_id}"
    digest = hashlib.sha256(pdf).hexdigest()
    if record.sha256 and digest != record.sha256:
        raise _refuse(record, f"{label} 的文件与签发时不一致（摘要不符）：文件被改动，不能使用")

    seals = verify_pdf(pdf, trust)
    if not seals.signatures:
        raise _refuse(record, f"{label} 签章无效：{'；'.join(seals.problems) or '文件没有电子签章'}")
    for sig in seals.signatures:
        if not sig.intact or not sig.later_changes_allowed:
            raise _refuse(record, f"{label} 签章无效：文件被改动")
        if not sig.trusted:
            who = sig.signer_org + (f"（{sig.signer_uscc}）" if sig.signer_uscc else "")
            raise _refuse(record, f"{label} 签章无效：签章人不在信任列表中：{who or '未知签章人'}")
    if seals.problems:
        raise _refuse(record, f"{label} 签章无效：{'；'.join(seals.problems)}")

    text = read_payload(pdf)
    if text is None:
        raise _refuse(record, f"{label} 不含验真码，无法核对证照内容")
    payload = verify_document_payload(text, seals, trust)
    if not payload.ok:
        raise _refuse(record, f"{label} 的验真码无效：{payload.problem}")
    problems = payload_differences(payload.fields, record)
    if problems:
        raise _refuse(record, f"{label} 的验真码与证照库记录不符：{'；'.join(problems)}")
    # Sealed by the agency competent for the unit, as the certificate names it (条例 §7).
    wrong_authority = authority_problems(payload.fields, payload.signer, seals, policy_authorities())
    if wrong_authority:
        raise _refuse(record, f"{label} 的签章机构不是发证机关：{'；'.join(wrong_authority)}")

    signer = seals.signatures[0]
    return VerifiedEcert(record, digest, signer.signer_org, signer.signer_uscc, dict(payload.fields))


def payload_differences(fields: dict[str, Any], record: EcertRecord) -> list[str]:
    """Where the signed payload in the PDF and the store's record disagree (Chinese sentences)."""
    problems = []
    if fields.get("kind") != record.kind.value:
        problems.append(f"证照种类不同（验真码：{fields.get('kind')}，记录：{record.kind.value}）")
    if _norm_number(str(fields.get("number", ""))) != _norm_number(record.number):
        problems.append(f"证号不同（验真码：{fields.get('number')}，记录：{record.number}）")
    if str(fields.get("unit_number", "")).upper() != record.unit_number.upper():
        problems.append(
            f"不动产单元号不同（验真码：{fields.get('unit_number')}，记录：{record.unit_number}）"
        )
    if fields.get("issued_on") != record.issued_on.isoformat():
        problems.append(
            f"发证日期不同（验真码：{fields.get('issued_on')}，记录：{record.issued_on.isoformat()}）"
        )
    names = {h.name for h in record.all_holders}
    holders = fields.get("holders") or []
    if not holders or not set(holders) <= names:
        problems.append(f"权利人不同（验真码：{'、'.join(holders)}，记录：{'、'.join(sorted(names))}）")
    return problems


def check_record_for_case(record: EcertRecord, *, holder_id_number: str, unit_number: str) -> None:
    """The record checks: 现势, held by the applicant, on the case's unit."""
    label = f"电子证照 {record.ecert_id}"
    if record.status is not CertificateStatus.CURRENT:
        when = f"（{record.cancelled_on.isoformat()}" if record.cancelled_on else "（"
        why = f"{when}{record.cancel_reason}）" if record.cancel_reason or record.cancelled_on else ""
        raise _refuse(record, f"{label} 已注销{why}，不能作为申请材料")
    if not record.held_by(holder_id_number):
        raise _refuse(record, f"电子证照持证人与申请人不一致：{label} 的持证人为{record.holder_name}")
    if record.unit_number.upper() != unit_number.strip().upper():
        raise _refuse(
            record,
            f"{label} 的不动产单元号 {record.unit_number} 与本业务的单元 {unit_number.strip()} 不一致",
        )


def _choose(store: EcertStore, *, holder_id_number: str, unit_number: str, number: str | None) -> EcertRecord:
    if number:
        found = store.find(number=number)
        if not found:
            raise NotFound(
                f"电子证照库中没有证号为 {number.strip()} 的电子证照，请核对证号或提交纸质证书",
                rule=RULE_PULL,
                record=number.strip(),
            )
        # The same number is never reissued; a current copy wins over a cancelled one if both exist.
        return min(found, key=lambda r: not r.is_current)
    on_unit = store.find(unit_number=unit_number)
    if not on_unit:
        raise NotFound(
            f"电子证照库中没有不动产单元 {unit_number.strip()} 的电子证照，请提交纸质证书",
            rule=RULE_PULL,
            record=unit_number.strip(),
        )
    mine = [r for r in on_unit if r.held_by(holder_id_number)] or on_unit
    # Prefer a current one, then the 不动产权证书 over a 证明 (the usual material), then the newest.
    mine.sort(key=lambda r: (not r.is_current, r.kind is not CertificateKind.RIGHT_CERTIFICATE))
    return mine[0]


def pull_for_case(
    store: EcertStore,
    trust: TrustStore,
    *,
    holder_id_number: str,
    unit_number: str,
    number: str | None = None,
) -> VerifiedEcert:
    """Finds the applicant's e-certificate for the case's unit (or by `number`) and checks everything."""
    if not holder_id_number.strip() or not unit_number.strip():
        raise ValidationError(
            "调取电子证照须给出申请人证件号码和不动产单元号", rule=RULE_PULL, record=number or ""
        )
    record = _choose(store, holder_id_number=holder_id_number, unit_number=unit_number, number=number)
    check_record_for_case(record, holder_id_number=holder_id_number, unit_number=unit_number)
    return verify_ecert_pdf(record, store.pdf(record.ecert_id), trust)


def attach_ecert_to_case(
    db: Database,
    actor: Actor,
    case_number: str,
    material_code: str,
    verified: VerifiedEcert,
    *,
    now: dt.datetime | None = None,
) -> None:
    """Records that `verified` satisfied a material of the case (状态“电子证照”, 备注“电子证照 已核验”)."""
    actor.require(Role.CLERK, Role.REGISTRAR, operation="以电子证照代替申请材料")
    now = now or utc_now()
    record = verified.record
    with db.unit_of_work() as uow:
        s = uow.session
        case = ecert_rows.lock_case_with_parties(s, case_number.strip())
        if case is None:
            raise NotFound(f"没有业务号为 {case_number.strip()} 的业务", rule=RULE_PULL, record=case_number)
        if not case.status.is_open or case.status in (CaseStatus.RECORDED, CaseStatus.CERTIFICATE_READY):
            raise RuleViolation(
                f"业务 {case.case_number} 当前状态为“{case.status.label}”，不能再补正材料",
                rule=RULE_PULL,
                record=case.case_number,
            )
        material = material_rows.material_of_case(s, case.id, material_code)
        if material is None:
            raise NotFound(
                f"业务 {case.case_number} 没有代码为“{material_code}”的材料",
                rule=RULE_PULL,
                record=material_code,
            )
        business = next((b for b in load_policy().types if b.key == case.business_type), None)
        spec = next((m for m in business.materials if m.code == material_code), None) if business else None
        if spec is not None and not spec.ecert_ok:
            raise RuleViolation(
                f"材料“{material.name}”不能以电子证照代替（业务 {case.case_number}）",
                rule=RULE_PULL,
                record=material_code,
            )
        if record.unit_number.upper() != case.unit.unit_number.upper():
            raise _refuse(
                record,
                f"电子证照 {record.ecert_id} 的不动产单元号 {record.unit_number} 与业务 {case.case_number} "
                f"的单元 {case.unit.unit_number} 不一致",
            )
        applicants = {cp.party.id_number.strip().upper() for cp in case.parties}
        if not any(h.id_number.strip().upper() in applicants for h in record.all_holders):
            raise _refuse(
                record,
                f"电子证照持证人与申请人不一致：电子证照 {record.ecert_id} 的持证人{record.holder_name}"
                f"不是业务 {case.case_number} 的申请人",
            )
        before = {"status": material.status, "ecert_id": material.ecert_id}
        material.status = "ecert"
        material.ecert_id = record.ecert_id
        material.note = ATTACHED_NOTE
        material.received_at = now
        audit.append(
            s,
            actor,
            ATTACH_ACTION,
            case_id=case.id,
            unit_id=case.unit_id,
            record=f"{case.case_number}:{material_code}",
            before=before,
            after={
                "status": "ecert",
                "ecert_id": record.ecert_id,
                "number": record.number,
                "sha256": verified.sha256,
                "signer": verified.signer_org,
            },
            at=now,
        )
        uow.commit()
