"""The three exemptions at the counter, glued for the window and the command line: a case's materials with how
each was satisfied, 免提交 (pull an e-certificate, converting the unit's old certificates on demand), 免盖章
(a bank's sealed file; the demo bank's push is `registry_desk.demo.demo_contracts`), and "record and publish"
(登簿, then the e-certificate store follows the register).

Recording and publishing cannot be one transaction (the store is another system), so publishing comes
after the register has committed and never undoes it. A case counts as published only once an
`ecert.published` audit event names it: a failure (logged as `ecert.publish_failed`) or a crash between
the two steps leaves the case pending, and `publish_pending` — run by the next recording and in the
background when the window opens — finishes it. `issue_ecerts_for_case` is idempotent, so finishing
twice does no harm.

E-certificates for the demo register: converting all ~420 current certificates up front costs minutes
(0.2-0.5 s each, mostly the PAdES seal), so nothing is seeded at first launch. Instead a pull first
converts the unit it needs (`backfill_unit`, a second or less for one unit) and marks those records
"存量证照电子化" in their metadata, so a reader can tell them from e-certificates issued on recording.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass

from registry_desk.config import Settings
from registry_desk.domain.cases import (
    MATERIAL_ECERT,
    MATERIAL_PAPER,
    MATERIAL_STATUS_LABELS,
    RecordResult,
    request_from_case,
)
from registry_desk.domain.codes import CaseStatus, IdType, PartyRole, Role
from registry_desk.domain.errors import ConflictError, DomainError, NotFound, RuleViolation, ValidationError
from registry_desk.exemptions.ecert.local_store import LocalEcertStore
from registry_desk.exemptions.ecert.publish import (
    PublishReport,
    issue_ecerts_for_case,
    record_for_certificate,
)
from registry_desk.exemptions.ecert.pull import VerifiedEcert, attach_ecert_to_case, pull_for_case
from registry_desk.exemptions.ecert.records import EcertStore, ecert_id_for_certificate
from registry_desk.kernel import audit
from registry_desk.registration import intake, queries, recording
from registry_desk.registration import issuing
from registry_desk.exemptions.application_form import ATTACHMENT_KIND as FORM_ATTACHMENT_KIND
from registry_desk.kernel.business_types import load_policy
from registry_desk.registration.queries import case_party_inputs
from registry_desk.kernel.context import SYSTEM, Actor, utc_now
from registry_desk.exemptions.sealed_materials import SealedMaterialResult, attach_sealed_document
from registry_desk.storage.database import Database
from registry_desk.storage.exemptions import ecert as ecert_rows
from registry_desk.storage.exemptions import materials as material_rows

log = logging.getLogger(__name__)

PUBLISHED_ACTION = "ecert.published"
PUBLISH_FAILED_ACTION = "ecert.publish_failed"
BACKFILL_ACTION = "ecert.backfill"
BACKFILLED_KEY = "存量证照电子化"  # in EcertRecord.extra: converted on demand, not issued on recording
IDENTITY_CODE = "identity"
RULE_PUBLISH = "登簿后电子证照库随登记簿更新（签发新证照、注销被替代的证照）"
_RECORDED = (CaseStatus.RECORDED, CaseStatus.CERTIFICATE_READY, CaseStatus.ISSUED)
_CLOSED_FOR_MATERIALS = (CaseStatus.RECORDED, CaseStatus.CERTIFICATE_READY)


def ecert_store(settings: Settings) -> LocalEcertStore:
    """The e-certificate store of this install (a folder beside the data)."""
    return LocalEcertStore(settings.ecert_dir)


# ---------------------------------------------------------------------------------------------------------
# Materials as the panel shows them


@dataclass(frozen=True)
class MaterialView:
    """One required material of a case and how it stands: 未提交, 纸质件, 电子证照 or 电子签章件 (verified)."""

    code: str
    name: str
    required: bool
    status: str
    note: str
    ecert_id: str | None
    attachment_id: int | None
    attachment_kind: str | None
    ecert_ok: bool
    sealed_ok: bool

    @property
    def status_label(self) -> str:
        return MATERIAL_STATUS_LABELS.get(self.status, self.status)

    @property
    def has_pdf(self) -> bool:
        return self.attachment_id is not None or bool(self.ecert_id)


@dataclass(frozen=True)
class CaseMaterials:
    case_number: str
    business_type: str
    status: CaseStatus
    open_for_materials: bool
    materials: tuple[MaterialView, ...]
    bank_uscc: str | None  # the mortgagee's, when the case has one

    def get(self, code: str) -> MaterialView:
        for m in self.materials:
            if m.code == code:
                return m
        raise NotFound(f"业务 {self.case_number} 没有代码为“{code}”的材料", rule="申请材料", record=code)


def case_materials(db: Database, actor: Actor, case_number: str) -> CaseMaterials:
    actor.require(*queries.READERS, operation="查看申请材料")
    business_specs = {b.key: {m.code: m for m in b.materials} for b in load_policy().types}
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        case = material_rows.case_by_number(s, case_number.strip())
        if case is None:
            raise NotFound(f"没有业务号为 {case_number.strip()} 的业务", rule="业务查询", record=case_number)
        rows = material_rows.materials_of_case(s, case.id)
        kinds = material_rows.attachment_kinds(
            s, [m.attachment_id for m in rows if m.attachment_id is not None]
        )
        specs = business_specs.get(case.business_type, {})
        views = []
        for m in rows:
            spec = specs.get(m.code)
            views.append(
                MaterialView(
                    code=m.code,
                    name=m.name,
                    required=m.required,
                    status=m.status,
                    note=m.note or "",
                    ecert_id=m.ecert_id,
                    attachment_id=m.attachment_id,
                    attachment_kind=kinds.get(m.attachment_id) if m.attachment_id is not None else None,
                    ecert_ok=bool(spec and spec.ecert_ok),
                    sealed_ok=bool(spec and spec.sealed_ok),
                )
            )
        bank = next(
            (
                cp.party.id_number
                for cp in case.parties
                if cp.role is PartyRole.RIGHT_HOLDER and cp.party.id_type is IdType.USCC
            ),
            None,
        )
        return CaseMaterials(
            case_number=case.case_number,
            business_type=case.business_type,
            status=case.status,
            open_for_materials=case.status.is_open and case.status not in _CLOSED_FOR_MATERIALS,
            materials=tuple(views),
            bank_uscc=bank,
        )


def material_pdf(
    db: Database, actor: Actor, case_number: str, code: str, *, store: EcertStore | None = None
) -> bytes | None:
    """The PDF that satisfied a material (a sealed file kept with the case, or the pulled e-certificate)."""
    view = case_materials(db, actor, case_number).get(code)
    if view.attachment_id is not None:
        with db.unit_of_work(write=False) as uow:
            return material_rows.attachment_content(uow.session, view.attachment_id)
    if view.ecert_id and store is not None:
        try:
            return store.pdf(view.ecert_id)
        except (NotFound, ValidationError):
            return None
    return None


# ---------------------------------------------------------------------------------------------------------
# 免提交: pulling e-certificates


def _backfill_certificate(db: Database, settings: Settings, store: EcertStore, number: str) -> str | None:
    """One certificate issued before the store existed goes into it, marked as converted; returns its id."""
    kit = issuing.centre_kit(settings)
    with db.unit_of_work() as uow:
        s = uow.session
        cert = issuing.load_certificate(s, number)
        ecert_id = cert.ecert_id or ecert_id_for_certificate(cert.number)
        assigned = cert.ecert_id is None
        cert.ecert_id = ecert_id
        payload_made = issuing.ensure_payload(cert, kit)
        record = record_for_certificate(s, cert, issuer_name=issuing.certificate_kit(kit, cert).authority)
        assert cert.qr_payload is not None
        pdf = issuing.render_certificate(cert, cert.qr_payload, kit)
        if assigned or payload_made:
            audit.append(
                s,
                SYSTEM,
                BACKFILL_ACTION,
                case_id=cert.case_id,
                unit_id=cert.unit_id,
                record=cert.number,
                after={"ecert_id": ecert_id, "payload_made": payload_made},
            )
        uow.commit()
    converted_on = issuing.local_date(utc_now()).isoformat()
    record = dataclasses.replace(record, extra={**record.extra, BACKFILLED_KEY: converted_on})
    try:
        store.issue(record, pdf)
    except ConflictError:
        return None  # another window converted it a moment earlier
    return record.ecert_id


def backfill_unit(db: Database, settings: Settings, store: EcertStore, unit_number: str) -> PublishReport:
    """Makes sure the store holds the unit's current certificates before a pull.

    A certificate from before the case workflow (no case: the register as migrated) is converted and
    marked `存量证照电子化`; one whose case was recorded but never published finishes that publishing.
    Idempotent, and quick when there is nothing to do (one query and one look-up per certificate).
    """
    report = PublishReport()
    wanted = unit_number.strip().upper()
    with db.unit_of_work(write=False) as uow:
        rows = ecert_rows.current_certificate_numbers_on_unit(uow.session, wanted)
    finish: set[str] = set()
    for number, ecert_id, case_number in rows:
        expected = ecert_id or ecert_id_for_certificate(number)
        try:
            store.get(expected)
            report.already_done.append(expected)
            continue
        except NotFound:
            pass
        if case_number is not None:
            finish.add(case_number)  # recorded by a case that was never (completely) published: finish it
            continue
        made = _backfill_certificate(db, settings, store, number)
        (report.issued if made else report.already_done).append(made or expected)
    for case_number in sorted(finish):
        done, _error = publish_case(db, settings, store, case_number)
        if done is not None:
            report.issued.extend(done.issued)
    return report


def _holder_candidates(db: Database, case_number: str, code: str) -> tuple[str, list[str], str | None]:
    """The unit, the applicants' ID numbers in the order most likely to hold the certificate, and the
    certificate number to pull when the case names one (the mortgage being cancelled)."""
    with db.unit_of_work(write=False) as uow:
        case = material_rows.case_by_number(uow.session, case_number.strip())
        if case is None:
            raise NotFound(f"没有业务号为 {case_number.strip()} 的业务", rule="业务查询", record=case_number)
        parties = case_party_inputs(case)
        request = request_from_case(case.business_type, case.unit.unit_number, parties, case.form)
        # The 不动产权证书 is held by the owner (义务人 of a mortgage or sale); a 证明 by the 权利人 (the bank).
        first = PartyRole.RIGHT_HOLDER if code == "proof_certificate" else PartyRole.OBLIGOR
        ordered = sorted(parties, key=lambda p: p.role is not first)
        number = request.cancellation.mortgage if request.cancellation is not None else None
        return case.unit.unit_number, [p.id_number for p in ordered], number


def pull_ecert(
    db: Database,
    actor: Actor,
    settings: Settings,
    store: EcertStore,
    case_number: str,
    code: str,
) -> VerifiedEcert | None:
    """调取电子证照 for one material: converts the unit's old certificates if needed, pulls the applicant's
    e-certificate, checks it (see ecert.pull) and records it on the case. A refusal is raised with its reason.

    The identity material has no e-licence library here: the ID card read at intake stands for it, so it
    is recorded as checked electronically (returns None)."""
    actor.require(Role.CLERK, Role.REGISTRAR, operation="调取电子证照")
    if code == IDENTITY_CODE:
        intake.receive_material(db, actor, case_number, code, MATERIAL_ECERT)
        return None
    unit_number, holders, number = _holder_candidates(db, case_number, code)
    backfill_unit(db, settings, store, unit_number)
    trust = issuing.centre_kit(settings).trust
    last_refusal: DomainError | None = None
    for holder in holders:
        found = store.find(holder_id_number=holder, unit_number=unit_number)
        if not found and number is None:
            continue
        try:
            verified = pull_for_case(
                store, trust, holder_id_number=holder, unit_number=unit_number, number=number
            )
        except RuleViolation as refusal:
            if "持证人" in str(refusal) and holder != holders[-1]:
                last_refusal = refusal
                continue  # another applicant may be the holder
            raise
        attach_ecert_to_case(db, actor, case_number, code, verified)
        return verified
    if last_refusal is not None:
        raise last_refusal
    raise NotFound(
        f"电子证照库中没有本业务申请人在不动产单元 {unit_number} 的电子证照，请提交纸质证书",
        rule="电子证照免提交",
        record=unit_number,
    )


# ---------------------------------------------------------------------------------------------------------
# 免盖章: sealed files


def import_sealed_file(
    db: Database, actor: Actor, settings: Settings, case_number: str, code: str, pdf: bytes
) -> SealedMaterialResult:
    """导入电子签章文件: verifies the sealed PDF offline against this install's trust store and keeps it."""
    trust = issuing.centre_kit(settings).trust
    return attach_sealed_document(db, actor, case_number, code, pdf, trust=trust)


def receive_paper(db: Database, actor: Actor, case_number: str, code: str) -> None:
    """纸质已收."""
    intake.receive_material(db, actor, case_number, code, MATERIAL_PAPER)


# ---------------------------------------------------------------------------------------------------------
# Record, then publish


@dataclass(frozen=True)
class RecordedAndPublished:
    """登簿's result and what the e-certificate store did; `publish_error` set means publishing is pending."""

    record: RecordResult
    publish: PublishReport | None
    publish_error: str | None = None

    @property
    def published(self) -> bool:
        return self.publish is not None


def publish_case(
    db: Database, settings: Settings, store: EcertStore, case_number: str, *, actor: Actor = SYSTEM
) -> tuple[PublishReport | None, str | None]:
    """Runs `issue_ecerts_for_case` and notes the outcome in the audit trail; never raises on a store
    failure (the register already holds the truth), returning the reason instead."""
    try:
        report = issue_ecerts_for_case(db, settings, store, case_number, actor=actor)
    except Exception as error:
        reason = str(error) or type(error).__name__
        log.warning("业务 %s 登簿后电子证照未能签发：%s", case_number, reason, exc_info=True)
        try:
            _note(db, actor, case_number, PUBLISH_FAILED_ACTION, {"error": reason[:500]})
        except Exception:
            log.exception("业务 %s 电子证照签发失败未能记入审计日志", case_number)
        return None, reason
    _note(
        db,
        actor,
        case_number,
        PUBLISHED_ACTION,
        {"issued": report.issued, "cancelled": report.cancelled, "already_done": report.already_done},
    )
    return report, None


def _note(db: Database, actor: Actor, case_number: str, action: str, after: dict) -> None:
    with db.unit_of_work() as uow:
        case = material_rows.the_case(uow.session, case_number.strip())
        audit.append(
            uow.session,
            actor,
            action,
            case_id=case.id,
            unit_id=case.unit_id,
            record=case.case_number,
            after=after,
        )
        uow.commit()


def pending_cases(db: Database, *, limit: int | None = None) -> list[str]:
    """Recorded cases whose e-certificates were not (or not completely) published, oldest first.

    A case is done once an `ecert.published` event follows its `case.recorded` event; everything else
    — a failure, a crash between the two steps, a recording made by an older version — is pending.
    """
    with db.unit_of_work(write=False) as uow:
        return ecert_rows.cases_awaiting_event(
            uow.session,
            after_action="case.recorded",
            awaited_action=PUBLISHED_ACTION,
            statuses=_RECORDED,
            limit=limit,
        )


def publish_pending(
    db: Database, settings: Settings, store: EcertStore, *, limit: int | None = None
) -> dict[str, str | None]:
    """Finishes publishing for pending cases; returns each case number with its error (None when done)."""
    outcome: dict[str, str | None] = {}
    for number in pending_cases(db, limit=limit):
        _report, error = publish_case(db, settings, store, number)
        outcome[number] = error
    return outcome


def record_and_publish(
    db: Database,
    actor: Actor,
    case_number: str,
    *,
    settings: Settings,
    store: EcertStore | None = None,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> RecordedAndPublished:
    """审核登簿, then the e-certificate store follows: new e-certificates issued, replaced ones 注销.
    With `expected_version`, a case someone else changed since the window showed it is refused.

    A refusal to record raises as before and nothing is published. A failure to publish does not undo the
    recording: it is logged and audited, the case stays pending, and `publish_pending` finishes it."""
    result = recording.record_case(db, actor, case_number, now=now, expected_version=expected_version)
    store = store if store is not None else ecert_store(settings)
    report, error = publish_case(db, settings, store, result.case_number, actor=actor)
    return RecordedAndPublished(result, report, error)


__all__ = [
    "BACKFILLED_KEY",
    "FORM_ATTACHMENT_KIND",
    "CaseMaterials",
    "MaterialView",
    "RecordedAndPublished",
    "backfill_unit",
    "case_materials",
    "ecert_store",
    "import_sealed_file",
    "material_pdf",
    "pending_cases",
    "publish_case",
    "publish_pending",
    "pull_ecert",
    "receive_paper",
    "record_and_publish",
]
