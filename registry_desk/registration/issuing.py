"""Issuing the registry's documents: a Certificate row or a case becomes a sealed, verifiable PDF.

The one place that turns the register's rows into what the registry hands out:
* `certificate_pdf` — 不动产权证书 / 不动产登记证明 from the printed-field snapshot (`Certificate.fields`),
  with the seal of the agency competent for the unit drawn on the page (条例 §7: 中卫市自然资源局 for
  沙坡头区, 中宁县自然资源局 and 海原县自然资源局 for their counties), the signed verification payload in
  the QR and in the PDF's information dictionary, and a PAdES seal by that agency over all of it;
* `acceptance_receipt_pdf` — the 受理凭证 of a case, sealed the same way by the same agency.

Every document names the body that seals it. The 不动产登记中心 is the agency's service body at the
counter, not a registration authority of its own (条例 §6–7 name the county-level 不动产登记机构): so
nothing is printed or sealed in the centre's name any more.

The demo PKI is created in the data directory the first time a document is needed, so a fresh install
works without a manual `seal init`; the keys never leave that directory.
"""

from __future__ import annotations

import hashlib
import json
import datetime as dt
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from registry_desk.domain.clock import CHINA_TZ, local_date, local_time  # noqa: F401 - also imported from here
from registry_desk.config import Settings
from registry_desk.documents.certificate_pdf import (
    RegistrationProofView,
    RightCertificateView,
    render_registration_proof,
    render_right_certificate,
)
from registry_desk.documents.layout import format_date
from registry_desk.documents.pki import CENTRE_KEY, SealIdentity, TrustStore, create_demo_pki, key_id
from registry_desk.documents.receipt_pdf import AcceptanceReceiptView, PaymentBlock, render_acceptance_receipt
from registry_desk.documents.seal import PadesSealer
from registry_desk.documents.seal_image import seal_image_png
from registry_desk.documents.verification import canonical_fields, make_payload, verify_payload
from registry_desk.domain.certificates import parse_certificate_number
from registry_desk.domain.codes import CertificateKind, CertificateStatus, IdType, Role
from registry_desk.domain.errors import NotFound, ValidationError
from registry_desk.domain.identifiers import is_valid_resident_id, mask_resident_id
from registry_desk.resources_path import seed
from registry_desk.kernel import audit
from registry_desk.kernel.authorities import policy_authorities
from registry_desk.kernel.business_types import load_policy
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.registration import pickup
from registry_desk.storage.database import Database
from registry_desk.storage.register.certificates import (
    case_for_receipt,
    certificate_by_number,
    certificate_with_unit,
    user_by_id,
)
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Case, Certificate

# The counter works on Beijing time whatever the server's zone; China has no daylight saving.

CENTRE_SEAL_TEXT = "不动产登记专用章"
RENDER_ACTION = "certificate.render"
PRINT_ROLES = (Role.CLERK, Role.REGISTRAR)
RECEIPT_ROLES = (Role.CLERK, Role.REGISTRAR, Role.CASHIER)
RECEIPT_KIND = "受理凭证"  # the payload's kind; the receipt's title 不动产登记受理凭证 shows it

# Both spellings occur in the field snapshots: half-width from the case workflow, full-width on the form.
_PROOF_HOLDER_KEYS = ("权利人(申请人)", "权利人（申请人）", "权利人")


# ---------------------------------------------------------------------------------------------------------
# The centre's seal, built once per process


@dataclass(frozen=True)
class CentreKit:
    """One registration agency's seal identity, the ready sealer and seal image, and this install's trust.

    `centre_kit` gives the city agency's (中卫市自然资源局, seal key "centre"); `for_unit` the one competent
    for a unit, `for_seal` by seal key. The name is kept from when the centre sealed in its own name."""

    identity: SealIdentity
    sealer: PadesSealer
    seal_png: bytes
    trust: TrustStore
    authority: str  # 登记机构 printed on certificates: the agency's name, as its seal reads
    office: str  # 受理机构 printed on receipts and forms: the same agency (see the module docstring)
    siblings: dict[str, CentreKit] = field(default_factory=dict, repr=False, compare=False)

    @property
    def uscc(self) -> str:
        return self.identity.uscc

    def for_seal(self, seal_key: str) -> CentreKit:
        kit = self.siblings.get(seal_key)
        if kit is None:
            raise NotFound(
                f"没有登记机构印章“{seal_key}”", rule="登记机构以本机构印章签发文件", record=seal_key
            )
        return kit

    def for_unit(self, unit_number: str) -> CentreKit:
        """The kit of the agency competent for the unit, by its county code (条例 §7)."""
        return self.for_seal(policy_authorities().agency_for_county(unit_number[:6]).seal_key)


_kits: dict[Path, CentreKit] = {}
_kits_lock = threading.Lock()


def organisations() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(seed("organisations.json").read_text("utf-8"))
    return data


def centre_kit(settings: Settings) -> CentreKit:
    """The city agency's seal for this data directory (its `siblings` hold every agency's), creating the
    demo PKI on first need: the agencies', tax bureaus', fiscal bureau's and banks' seals.

    Loading keys, building the signer and drawing the seal image cost tens of milliseconds; a counter
    prints many documents, so the result is kept per keys directory for the life of the process.
    """
    keys_dir = Path(settings.keys_dir).resolve()
    with _kits_lock:
        kit = _kits.get(keys_dir)
        if kit is None:
            authorities = policy_authorities()
            # create_demo_pki only adds what is missing and never overwrites a key.
            pki = create_demo_pki(keys_dir, organisations(), authorities=authorities)
            trust = TrustStore.load(keys_dir)
            siblings: dict[str, CentreKit] = {}
            for agency in authorities.agencies:
                identity = pki.identity(agency.seal_key)
                siblings[agency.seal_key] = CentreKit(
                    identity=identity,
                    sealer=PadesSealer.for_identity(identity),
                    seal_png=seal_image_png(identity.name, CENTRE_SEAL_TEXT),
                    trust=trust,
                    authority=identity.name,
                    office=identity.name,
                    siblings=siblings,
                )
            kit = siblings[CENTRE_KEY]
            _kits[keys_dir] = kit
        return kit


def certificate_kit(kit: CentreKit, cert: Certificate) -> CentreKit:
    """The kit of the agency that issues `cert`: the one competent for its unit."""
    fields = cert.fields or {}
    return kit.for_unit(str(fields.get("不动产单元号") or cert.unit.unit_number))


def forget_centre_kits() -> None:
    """Drops the cached seals (after the keys directory was replaced, and between tests)."""
    with _kits_lock:
        _kits.clear()


# ---------------------------------------------------------------------------------------------------------
# Certificates


def canonical_number(number: str) -> str:
    """The stored form of a certificate number; either bracket width is accepted (REFERENCE §4)."""
    return str(parse_certificate_number(number.strip()))


def holder_names(kind: CertificateKind, fields: Mapping[str, Any]) -> list[str]:
    """The right holders' names as printed on the certificate (权利人 or 权利人(申请人))."""
    keys = ("权利人",) if kind is CertificateKind.RIGHT_CERTIFICATE else _PROOF_HOLDER_KEYS
    text = next((str(fields[k]) for k in keys if fields.get(k)), "")
    return [name.strip() for name in text.replace("，", "、").split("、") if name.strip()]


def payload_fields(cert: Certificate) -> dict[str, Any]:
    """What the verification payload carries: enough to recognise the certificate, short enough for a QR.

    It names no issuer: the unit number says which agency issues (条例 §7), and `verify` checks the seal
    is that agency's (a USCC more would push a bank holder's payload past the QR's bound).

    A certificate no longer current carries its status and the day it changed (a reprint of a cancelled
    certificate is signed as such): a verifier reads the status at printing time from the seal itself."""
    fields = cert.fields or {}
    signed: dict[str, Any] = {
        "kind": cert.kind.value,
        "number": cert.number,
        "unit_number": str(fields.get("不动产单元号") or cert.unit.unit_number),
        "holders": holder_names(cert.kind, fields),
        "issued_on": local_date(cert.issued_at),
    }
    if cert.status is not CertificateStatus.CURRENT:
        signed["status"] = cert.status.value
        if cert.cancelled_at is not None:
            signed["status_on"] = local_date(cert.cancelled_at)
    return canonical_fields(signed)


def status_line(cert: Certificate) -> str | None:
    """The line a certificate no longer current prints under its number (None for a current one)."""
    if cert.status is CertificateStatus.CURRENT:
        return None
    when = f"于{format_date(local_date(cert.cancelled_at))}" if cert.cancelled_at is not None else ""
    return (
        f"已{cert.status.label}／仅供查档：本{cert.kind.label}已{when}{cert.status.label}，"
        "本件为查档补打件，不作为权属证明"
    )


def _field(fields: Mapping[str, Any], *keys: str) -> str:
    return next((str(fields[k]) for k in keys if fields.get(k) not in (None, "")), "")


def certificate_view(
    cert: Certificate, qr_payload: str, issuer: str
) -> RightCertificateView | RegistrationProofView:
    """The printed view of a certificate row, from its field snapshot as issued (not today's register)."""
    f = cert.fields or {}
    if not f:
        raise ValidationError(
            f"证书 {cert.number} 没有缮证字段，无法打印", rule="证书按登簿时的字段打印", record=cert.number
        )
    common = {
        "number": cert.number,
        "location": _field(f, "坐落"),
        "unit_number": _field(f, "不动产单元号") or cert.unit.unit_number,
        "notes": _field(f, "附记"),
        "issued_on": local_date(cert.issued_at),
        "qr_payload": qr_payload,
        "issuer": issuer,
        "paper_serial": cert.paper_serial,
        "ecert_id": cert.ecert_id,
        "status_line": status_line(cert),
    }
    if cert.kind is CertificateKind.RIGHT_CERTIFICATE:
        return RightCertificateView(
            right_holders=_field(f, "权利人"),
            co_ownership=_field(f, "共有情况"),
            right_type=_field(f, "权利类型"),
            right_nature=_field(f, "权利性质"),
            use=_field(f, "用途"),
            area=_field(f, "面积"),
            term=_field(f, "使用期限"),
            other_status=_field(f, "权利其他状况"),
            **common,
        )
    return RegistrationProofView(
        matter=_field(f, "证明权利或事项"),
        right_holders=_field(f, *_PROOF_HOLDER_KEYS),
        obligors=_field(f, "义务人"),
        other=_field(f, "其他"),
        **common,
    )


def load_certificate(session: Session, number: str) -> Certificate:
    wanted = canonical_number(number)
    cert = certificate_with_unit(session, wanted)
    if cert is None:
        # Imported data may keep the full-width form; look for that too before giving up.
        alt = wanted.replace("(", "（").replace(")", "）")
        cert = certificate_by_number(session, alt)
    if cert is None:
        raise NotFound(f"没有证号为 {wanted} 的证书或证明", rule="按证号打印证书", record=wanted)
    return cert


def certificate_standing(db: Database, number: str) -> tuple[CertificateStatus, dt.date | None] | None:
    """A certificate's status in the register now, and the day it last changed (None if no such number):
    what `verify --database-url` compares a printed certificate with."""
    with db.unit_of_work(write=False) as uow:
        try:
            cert = load_certificate(uow.session, number)
        except NotFound:
            return None
        changed = local_date(cert.cancelled_at) if cert.cancelled_at is not None else None
        return cert.status, changed


def certificate_payload(fields: dict[str, Any], signer: SealIdentity) -> str:
    """Signs the payload fields; with many co-owners only the first holder goes in, so the QR stays scannable."""
    try:
        return make_payload(fields, signer)
    except ValidationError:
        holders = fields.get("holders") or []
        if len(holders) <= 1:
            raise
        # Every name in the payload must still appear on the page, so a shorter list stays checkable.
        return make_payload({**fields, "holders": holders[:1]}, signer)


def _stored_payload_still_good(cert: Certificate, wanted: dict[str, Any], kit: CentreKit) -> bool:
    if not cert.qr_payload:
        return False
    checked = verify_payload(cert.qr_payload, kit.trust)
    shortened = {**wanted, "holders": wanted.get("holders", [])[:1]}
    # A payload signed by a key this install no longer trusts (keys re-created), by another seal than
    # the issuing agency's (the centre's own, before agencies sealed in their names) or carrying other
    # fields (a corrected snapshot) would fail verification on paper: make a new one instead.
    by_issuer = checked.signer is not None and key_id(checked.signer) == key_id(kit.identity.certificate)
    return checked.ok and by_issuer and checked.fields in (wanted, shortened)


def ensure_payload(cert: Certificate, kit: CentreKit) -> bool:
    """Gives the row its verification payload unless it already has a good one; True if one was made.

    Signed by the agency competent for the unit, whatever agency's kit is given."""
    kit = certificate_kit(kit, cert)
    wanted = payload_fields(cert)
    if _stored_payload_still_good(cert, wanted, kit):
        return False
    cert.qr_payload = certificate_payload(wanted, kit.identity)
    return True


def render_certificate(cert: Certificate, qr_payload: str, kit: CentreKit) -> bytes:
    """Renders and seals one certificate row (no database access), by the agency competent for its unit."""
    kit = certificate_kit(kit, cert)
    view = certificate_view(cert, qr_payload, kit.authority)
    if isinstance(view, RightCertificateView):
        drawn = render_right_certificate(view, seal_png=kit.seal_png)
    else:
        drawn = render_registration_proof(view, seal_png=kit.seal_png)
    return kit.sealer.seal(drawn, reason=f"{cert.kind.label} {cert.number}", payload=qr_payload)


def certificate_pdf(db: Database, actor: Actor, number: str, *, settings: Settings) -> bytes:
    """The sealed PDF of an issued certificate or 证明 (first print or reprint; either bracket width).

    The verification payload is made on first print and kept in `Certificate.qr_payload`, so every
    reprint carries the same QR. Every print is an audit event with the digest of the file produced.
    """
    actor.require(*PRINT_ROLES, operation="打印不动产权证书或登记证明")
    kit = centre_kit(settings)
    with db.unit_of_work() as uow:
        s = uow.session
        cert = load_certificate(s, number)
        previous = cert.qr_payload
        made = ensure_payload(cert, kit)
        before = {"qr_payload": previous} if made and previous else None
        assert cert.qr_payload is not None
        # Rendered inside the transaction: the audit event is saved only if the document was made.
        pdf = render_certificate(cert, cert.qr_payload, kit)
        audit.append(
            s,
            actor,
            RENDER_ACTION,
            case_id=cert.case_id,
            unit_id=cert.unit_id,
            record=cert.number,
            before=before,
            after={
                "payload_made": made,
                "status": cert.status.value,
                "ecert_id": cert.ecert_id,
                "sha256": hashlib.sha256(pdf).hexdigest(),
            },
        )
        uow.commit()
    return pdf


# ---------------------------------------------------------------------------------------------------------
# Acceptance receipts


def mask_id_number(id_type: IdType, number: str) -> str:
    """A person's document number with the middle hidden; an organisation's USCC is public and stays whole."""
    if id_type is IdType.USCC:
        return number
    if id_type is IdType.RESIDENT_ID and is_valid_resident_id(number):
        return mask_resident_id(number)
    keep = 2 if len(number) <= 8 else 3
    return number[:keep] + "*" * max(1, len(number) - 2 * keep) + number[-keep:]


_MATERIAL_NOTES = {"ecert": "（电子证照 已核验）", "sealed": "（电子签章 已核验）"}


def receipt_view(
    session: Session, case: Case, office: str, payment: PaymentBlock | None = None
) -> AcceptanceReceiptView:
    """The 受理凭证 of a case as its rows stand now (materials supplied later show as received)."""
    business_label = load_policy().label(case.business_type)
    policy_business = next((b for b in load_policy().types if b.key == case.business_type), None)
    parties = []
    for cp in case.parties:
        role = policy_business.role_label(cp.role) if policy_business else cp.role.label
        parties.append((role, cp.party.name, mask_id_number(cp.party.id_type, cp.party.id_number)))
    received = tuple(
        m.name + _MATERIAL_NOTES.get(m.status, "") for m in case.materials if m.status != "missing"
    )
    missing = tuple(m.name for m in case.materials if m.status == "missing" and m.required)
    clerk = user_by_id(session, case.accepted_by) if case.accepted_by is not None else None
    return AcceptanceReceiptView(
        case_number=case.case_number,
        accepted_at=local_time(case.accepted_at),
        business_label=business_label,
        parties=tuple(parties),
        unit_number=case.unit.unit_number,
        location=case.unit.location,
        materials_received=received,
        materials_missing=missing,
        due_date=case.due_date,
        clerk_name=clerk.display_name if clerk else "",
        window_name=(f"{clerk.window}号窗口" if clerk and clerk.window else ""),
        qr_payload=case.case_number,
        payment=payment,
        office=office,
    )


def acceptance_receipt_pdf(
    db: Database,
    actor: Actor,
    case_number: str,
    *,
    settings: Settings,
    payment: PaymentBlock | None = None,
    party_id: int | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """The sealed 受理凭证 of a case; `payment` adds the 税费同缴 block when the payment side has one.

    With `party_id` it is that applicant's own copy: a person's copy prints a fresh 取件码 (pickup.py), which
    replaces any earlier one, in the same transaction as the seal (a receipt that fails to seal leaves the
    earlier code valid). Without it, the copy carries no code (the file copy, `print receipt`).

    The QR holds the case number (for the progress query); the signed payload (kind, case number,
    unit, acceptance date) sits in the PDF's information dictionary so `registry-desk verify` checks it.
    """
    actor.require(*RECEIPT_ROLES, operation="打印受理凭证")
    kit = centre_kit(settings)
    wanted = case_number.strip()
    with db.unit_of_work(write=party_id is not None) as uow:
        s = uow.session
        case = case_for_receipt(s, wanted)
        if case is None:
            raise NotFound(f"没有业务号为 {wanted} 的业务", rule="按业务号打印受理凭证", record=wanted)
        kit = kit.for_unit(case.unit.unit_number)
        view = receipt_view(s, case, kit.office, payment)
        if party_id is not None:
            applicant = next((cp.party for cp in case.parties if cp.party_id == party_id), None)
            if applicant is None:
                raise NotFound(
                    f"业务 {wanted} 没有该申请人", rule="按申请人打印受理凭证", record=str(party_id)
                )
            if pickup.gets_code(applicant):
                key = pickup.pickup_key(settings.keys_dir)
                code = pickup.issue_code(s, actor, case, applicant, key, now or utc_now())
                view = replace(view, pickup_holder=applicant.name, pickup_code=code)
        payload = make_payload(
            {
                "kind": RECEIPT_KIND,
                "case_number": view.case_number,
                "unit_number": view.unit_number,
                "accepted_on": view.accepted_at.date(),
                "issuer": kit.uscc,
            },
            kit.identity,
        )
        drawn = render_acceptance_receipt(view, seal_png=kit.seal_png)
        sealed = kit.sealer.seal(drawn, reason=f"不动产登记受理凭证 {view.case_number}", payload=payload)
        if party_id is not None:
            uow.commit()
    return sealed


def receipt_applicants(db: Database, actor: Actor, case_number: str) -> list[tuple[int, str, str, str]]:
    """(party id, role label, name, ID number) of each applicant of the case, in the case's order: whose
    own copy of the 受理凭证 is printed (payments.service.acceptance_receipts)."""
    actor.require(*RECEIPT_ROLES, operation="打印受理凭证")
    wanted = case_number.strip()
    with db.unit_of_work(write=False) as uow:
        case = case_for_receipt(uow.session, wanted)
        if case is None:
            raise NotFound(f"没有业务号为 {wanted} 的业务", rule="按业务号打印受理凭证", record=wanted)
        business = next((b for b in load_policy().types if b.key == case.business_type), None)
        return [
            (
                cp.party_id,
                business.role_label(cp.role) if business else cp.role.label,
                cp.party.name,
                cp.party.id_number,
            )
            for cp in case.parties
        ]
