"""Filling the e-certificate store from the register: on recording, unit by unit, and by importing a PDF.

The register and the store are separate systems, so nothing here can be one transaction across both.
Instead every step is idempotent: the 电子证照标识 is derived from the certificate number and saved on
the certificate first, and the store is asked what it already holds before anything is written, so
running `issue_ecerts_for_case` again after a crash finishes the job and never issues twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from registry_desk.config import Settings
from registry_desk.documents.pki import TrustStore
from registry_desk.documents.seal import read_payload, verify_pdf
from registry_desk.documents.verification import verify_document_payload
from registry_desk.domain.codes import CertificateStatus, PartyRole
from registry_desk.domain.errors import ConflictError, NotFound, ValidationError
from registry_desk.exemptions.ecert.pull import EcertVerificationFailed, verify_ecert_pdf
from registry_desk.exemptions.ecert.records import (
    EcertHolder,
    EcertRecord,
    EcertStore,
    ecert_id_for_certificate,
)
from registry_desk.kernel import audit
from registry_desk.registration import issuing
from registry_desk.kernel.context import SYSTEM, Actor
from registry_desk.storage.database import Database
from registry_desk.storage.exemptions import ecert as ecert_rows
from registry_desk.storage.exemptions import materials as material_rows
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Certificate, Party

ISSUE_ACTION = "ecert.issue"
SEED_ACTION = "ecert.seed_demo"
IMPORT_ACTION = "ecert.import"
RULE_IMPORT = "导入电子证照：文件须由本中心签章、未被改动，且与登记簿中的证书一致"


@dataclass
class PublishReport:
    """What one run changed in the store (ids), and what it found already done."""

    issued: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    already_done: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.issued or self.cancelled)


def record_for_certificate(session: Session, cert: Certificate, *, issuer_name: str) -> EcertRecord:
    """The store's record for a certificate row: 持证人 first, the right's other holders after it."""
    right = ecert_rows.right_by_id(session, cert.right_id)
    holder_links = (
        ecert_rows.right_party_links(session, cert.right_id, PartyRole.RIGHT_HOLDER)
        if right is not None
        else []
    )
    parties = [link.party for link in holder_links]
    holder = (
        ecert_rows.party_by_id(session, cert.holder_party_id) if cert.holder_party_id is not None else None
    )
    if holder is None:
        if not parties:
            raise ValidationError(
                f"证书 {cert.number} 没有持证人，不能签发电子证照",
                rule="电子证照须载明持证人",
                record=cert.number,
            )
        holder = parties[0]

    def as_holder(p: Party) -> EcertHolder:
        return EcertHolder(p.name, p.id_type.value, p.id_number)

    fields = cert.fields or {}
    extra = {k: str(fields[k]) for k in ("坐落", "权利类型", "证明权利或事项") if fields.get(k)}
    return EcertRecord(
        ecert_id=cert.ecert_id or ecert_id_for_certificate(cert.number),
        number=cert.number,
        holder=as_holder(holder),
        co_holders=tuple(as_holder(p) for p in parties if p.id != holder.id),
        unit_number=str(fields.get("不动产单元号") or cert.unit.unit_number),
        issued_on=issuing.local_date(cert.issued_at),
        status=CertificateStatus.CURRENT,
        issuer_name=issuer_name,
        extra=extra,
    )


def _in_store(store: EcertStore, ecert_id: str) -> EcertRecord | None:
    try:
        return store.get(ecert_id)
    except NotFound:
        return None


def _issue_rendered(
    db: Database, settings: Settings, store: EcertStore, numbers: list[str], report: PublishReport
) -> None:
    """Renders each certificate (payload already saved) and puts it in the store unless it is there."""
    kit = issuing.centre_kit(settings)
    for number in numbers:
        with db.unit_of_work(write=False) as uow:
            s = uow.session
            cert = issuing.load_certificate(s, number)
            ecert_id = cert.ecert_id or ecert_id_for_certificate(cert.number)
            if _in_store(store, ecert_id) is not None:
                report.already_done.append(ecert_id)
                continue
            record = record_for_certificate(s, cert, issuer_name=issuing.certificate_kit(kit, cert).authority)
            assert cert.qr_payload is not None
            pdf = issuing.render_certificate(cert, cert.qr_payload, kit)
        try:
            store.issue(record, pdf)
        except ConflictError:
            # Another window finished the same retry a moment earlier: the e-certificate exists.
            report.already_done.append(record.ecert_id)
            continue
        report.issued.append(record.ecert_id)


def _prepare(
    db: Database,
    settings: Settings,
    actor: Actor,
    certificates: Callable[[Session], Sequence[Certificate]],
    action: str,
    record: str,
    case_id: int | None,
) -> list[str]:
    """One write transaction: ecert ids and payloads on every certificate `certificates` reads, one audit
    event."""
    kit = issuing.centre_kit(settings)
    with db.unit_of_work() as uow:
        s = uow.session
        certs = certificates(s)
        assigned, payloads = [], []
        for cert in certs:
            if cert.ecert_id is None:
                cert.ecert_id = ecert_id_for_certificate(cert.number)
                assigned.append(cert.number)
            if issuing.ensure_payload(cert, kit):
                payloads.append(cert.number)
        numbers = [c.number for c in certs]
        if assigned or payloads:
            audit.append(
                s,
                actor,
                action,
                case_id=case_id,
                record=record,
                after={
                    "ecert_ids_assigned": assigned,
                    "payloads_made": payloads,
                    "certificates": len(numbers),
                },
            )
        uow.commit()
    return numbers


def issue_ecerts_for_case(
    db: Database, settings: Settings, store: EcertStore, case_number: str, *, actor: Actor = SYSTEM
) -> PublishReport:
    """After 登簿: the case's new certificates go into the store, the ones it cancelled become 注销 there.

    Safe to call again at any time (after a crash, or twice by mistake): what is done is skipped.
    """
    started = time.perf_counter()
    report = PublishReport()
    with db.unit_of_work(write=False) as uow:
        case = material_rows.case_by_number(uow.session, case_number.strip())
        if case is None:
            raise NotFound(
                f"没有业务号为 {case_number.strip()} 的业务", rule="登簿后签发电子证照", record=case_number
            )
        case_id = case.id
        number = case.case_number
        cancelled = ecert_rows.certificates_cancelled_by_case(uow.session, case_id)
        # The id is derived from the number, so an e-certificate issued before the row knew its id
        # (an import, an older install) is found and cancelled too.
        to_cancel = [
            (
                c.ecert_id or ecert_id_for_certificate(c.number),
                issuing.local_date(c.cancelled_at or c.issued_at),
            )
            for c in cancelled
        ]

    def new_certs(session: Session) -> list[Certificate]:
        return ecert_rows.current_certificates_of_case(session, case_id)

    numbers = _prepare(db, settings, actor, new_certs, ISSUE_ACTION, number, case_id)
    _issue_rendered(db, settings, store, numbers, report)

    for ecert_id, on in to_cancel:
        existing = _in_store(store, ecert_id)
        if existing is None:
            continue  # issued before the store existed: nothing to cancel there
        if not existing.is_current:
            report.already_done.append(ecert_id)
            continue
        store.cancel(ecert_id, f"业务 {number} 登簿后原证书注销", on)
        report.cancelled.append(ecert_id)
    report.seconds = time.perf_counter() - started
    return report


def publish_certificates(
    db: Database,
    settings: Settings,
    store: EcertStore,
    certificates: Callable[[Session], Sequence[Certificate]],
    *,
    action: str,
    record: str,
) -> PublishReport:
    """E-certificates for the certificates `certificates` reads that the store lacks: their ids and payloads
    saved first (one audit event `action` naming `record`), then each rendered and issued (see the report's
    timing). Idempotent: already-issued ones are skipped, so a second call is quick."""
    started = time.perf_counter()
    report = PublishReport()
    numbers = _prepare(db, settings, SYSTEM, certificates, action, record, None)
    _issue_rendered(db, settings, store, numbers, report)
    report.seconds = time.perf_counter() - started
    return report


def backfill_unit_ecerts(
    db: Database, settings: Settings, store: EcertStore, unit_number: str
) -> PublishReport:
    """存量证照电子化 for one unit: e-certificates for its current certificates that the store lacks.

    Certificates issued before the store existed have no e-certificate; converting a whole register up
    front takes minutes, so the counter can convert one unit just before pulling from it (idempotent).
    """
    wanted = unit_number.strip().upper()

    def unit_certs(session: Session) -> list[Certificate]:
        return ecert_rows.current_certificates_on_unit(session, wanted)

    return publish_certificates(db, settings, store, unit_certs, action=SEED_ACTION, record=wanted)


def import_ecert_pdf(
    db: Database, settings: Settings, store: EcertStore, pdf: bytes, *, actor: Actor = SYSTEM
) -> EcertRecord:
    """Takes a certificate PDF into the store after checking it: seal intact and trusted, payload signed,
    and the payload naming a current certificate of the register. A tampered or foreign file is refused."""
    trust = TrustStore.load(settings.keys_dir)
    seals = verify_pdf(pdf, trust)
    if seals.problems or not seals.signatures:
        raise EcertVerificationFailed(
            f"文件签章无效，拒绝导入：{'；'.join(seals.problems) or '文件没有电子签章'}",
            rule=RULE_IMPORT,
            record="",
        )
    text = read_payload(pdf)
    if text is None:
        raise EcertVerificationFailed(
            "文件不含验真码，不是本中心签发的证书，拒绝导入", rule=RULE_IMPORT, record=""
        )
    payload = verify_document_payload(text, seals, trust)
    if not payload.ok:
        raise EcertVerificationFailed(
            f"文件的验真码无效，拒绝导入：{payload.problem}", rule=RULE_IMPORT, record=""
        )
    number = str(payload.fields.get("number", ""))
    kit = issuing.centre_kit(settings)
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        try:
            cert = issuing.load_certificate(s, number)
        except (NotFound, ValidationError) as exc:
            raise EcertVerificationFailed(
                f"文件中的证号 {number} 在登记簿中不存在，拒绝导入", rule=RULE_IMPORT, record=number
            ) from exc
        if cert.status is not CertificateStatus.CURRENT:
            raise EcertVerificationFailed(
                f"证书 {cert.number} 已注销，不能导入为现势电子证照", rule=RULE_IMPORT, record=cert.number
            )
        record = record_for_certificate(s, cert, issuer_name=issuing.certificate_kit(kit, cert).authority)
    existing = _in_store(store, record.ecert_id)
    # The payload must name exactly this certificate as the register has it.
    verify_ecert_pdf(record, pdf, trust)
    if existing is not None:
        raise ConflictError(
            f"电子证照 {record.ecert_id}（证号 {record.number}）已在电子证照库中，无需导入",
            rule="电子证照标识唯一，已签发的电子证照不得覆盖",
            record=record.ecert_id,
        )
    stored = store.issue(record, pdf)
    with db.unit_of_work() as uow:
        row = issuing.load_certificate(uow.session, stored.number)
        if row.ecert_id is None:
            row.ecert_id = stored.ecert_id
        audit.append(
            uow.session,
            actor,
            IMPORT_ACTION,
            unit_id=row.unit_id,
            record=stored.number,
            after={"ecert_id": stored.ecert_id, "sha256": stored.sha256},
        )
        uow.commit()
    return stored
