"""Electronic receipts after settlement: sealed PDFs attached to the case, produced idempotently, and listed.

The receipt records (numbers, amounts) are written by settlement; `produce_receipt_documents` renders any
record that has no PDF yet, seals it when a Sealer is given, stores it as an `Attachment` of the case and
links it — run it as often as wished (after settlement, at start-up, from the cashier view).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from registry_desk.documents.layout import format_date
from registry_desk.documents.payment_receipts_pdf import (
    FeeBillView,
    ReceiptLine,
    TaxCertificateView,
    render_fee_bill,
    render_tax_certificate,
    seal_pdf,
)
from registry_desk.documents.seal import Sealer
from registry_desk.domain.money import Money
from registry_desk.payments.channel import CHINA_TZ, as_utc
from registry_desk.domain.authorities import Authorities, RegistrationAgency
from registry_desk.kernel.authorities import policy_authorities
from registry_desk.kernel.context import utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.ledger import receipts as stored
from registry_desk.storage.ledger.tables import PaymentReceipt
from registry_desk.storage.tables import Attachment

# Who the receipts name and who seals them (resources/policy/authorities.json, REFERENCE §4a and §9):
# * the 电子完税凭证 names the tax bureau of the unit's agency as 征收单位 and carries that bureau's seal;
# * the 登记费电子票据 names the registration agency as 收款单位 and 执收单位 (the 非税收入 is collected by
#   the body that registers, 财税〔2016〕79号) and carries its seal beside the fiscal bureau's
#   财政票据监制章 (《财政票据管理办法》第九条: 财政票据由省级财政部门监制).
# The 不动产登记中心 is the agency's counter, not a collecting unit: no receipt names it.
RECEIPT_SEAL_TEXT = "票据专用章"  # the 执收单位's seal on a fee bill
TAX_SEAL_TEXT = (
    "征税专用章"  # the tax bureau's seal on a 完税凭证 [unverified: the usual wording of the seal]
)

# How long a receipt may be without its PDF before `check` reports it: settlement writes the record and the
# window that settled renders the PDF right after, in its own transaction (a case's few receipts take
# seconds, a poll that settled a hundred orders a few minutes), so a younger receipt is most likely being
# rendered, an older one was left behind by a killed process and waits for the next poll.
PDF_GRACE = timedelta(minutes=10)

KIND_LABELS = {"tax": "电子完税凭证", "fee": "登记费电子票据", "fee_red": "登记费电子票据（冲红）"}
ATTACHMENT_KINDS = {"tax": "tax_receipt", "fee": "fee_bill", "fee_red": "fee_bill_red"}


@dataclass(frozen=True)
class ReceiptTools:
    """What sealing needs. With `pki` each receipt is sealed by the authority it names (`seals_for`);
    `sealer`, `seal_png` and `payload_signer` alone seal every receipt with one given seal (tests of a
    single seal; `verify` refuses such a receipt when the seal is not the named authority's)."""

    sealer: Sealer | None = None
    seal_png: bytes | None = None
    payload_signer: Any = None  # documents.pki.PayloadSigner
    pki: Any = None  # documents.pki.DemoPki
    authorities: Authorities | None = None
    # Built sealers and drawn seals by (key, seal text, co-sealed): a sealer costs milliseconds to build.
    built: dict[tuple[str, str, bool], ReceiptSeal] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class ReceiptSeal:
    """One authority's seal on a receipt: the name it prints, its USCC, the drawn seal and the sealer."""

    name: str
    uscc: str
    seal_png: bytes | None
    sealer: Sealer | None
    signer: Any = None


def tools_from_keys(keys_dir: Path) -> ReceiptTools:
    """The authorities' seals when the demo PKI exists in `keys_dir` (adding the seals it lacks: a PKI
    made before the tax and fiscal bureaus had seals), otherwise unsealed receipts."""
    import json

    from registry_desk.documents.pki import MANIFEST, create_demo_pki
    from registry_desk.resources_path import seed

    if not (Path(keys_dir) / MANIFEST).exists():
        return ReceiptTools()
    authorities = policy_authorities()
    organisations = json.loads(seed("organisations.json").read_text("utf-8"))
    pki = create_demo_pki(Path(keys_dir), organisations, authorities=authorities)
    return ReceiptTools(pki=pki, authorities=authorities)


def _seal_of(tools: ReceiptTools, key: str, name: str, uscc: str, text: str, *, co_sealed: bool = False):
    from registry_desk.documents.seal import PadesSealer
    from registry_desk.documents.seal_image import seal_image_png

    if tools.pki is None:
        return ReceiptSeal(name, uscc, tools.seal_png, tools.sealer, tools.payload_signer)
    found = tools.built.get((key, text, co_sealed))
    if found is None:
        identity = tools.pki.identity(key)
        found = ReceiptSeal(
            identity.name,
            identity.uscc,
            seal_image_png(identity.name, text),
            PadesSealer.for_identity(identity, co_sealed=co_sealed),
            identity,
        )
        tools.built[(key, text, co_sealed)] = found
    return found


def seals_for(tools: ReceiptTools, kind: str, agency: RegistrationAgency) -> tuple[ReceiptSeal, ...]:
    """The seals a receipt of `kind` carries, the issuer's first: the tax bureau's on a 完税凭证; the
    agency's (执收单位) and the fiscal bureau's 监制章 on a fee bill."""
    authorities = tools.authorities or policy_authorities()
    if kind == "tax":
        bureau = authorities.tax_bureau_for(agency)
        return (_seal_of(tools, bureau.key, bureau.name, bureau.uscc, TAX_SEAL_TEXT),)
    fiscal = authorities.fiscal_bureau
    issuer = _seal_of(tools, agency.seal_key, agency.name, agency.uscc, RECEIPT_SEAL_TEXT, co_sealed=True)
    if tools.pki is None:
        # One given seal (or none): the 监制章 is printed as a name only.
        return (issuer, ReceiptSeal(fiscal.name, fiscal.uscc, None, None))
    return (issuer, _seal_of(tools, fiscal.key, fiscal.name, fiscal.uscc, fiscal.seal_text))


@dataclass(frozen=True)
class ReceiptView:
    id: int
    kind: str
    kind_label: str
    number: str
    bill_code: str | None
    check_code: str | None
    payer_name: str
    amount: Money
    issued_at: datetime
    status: str
    attachment_id: int | None
    order_no: str


def list_receipts(session, case_id: int) -> list[ReceiptView]:
    rows = stored.receipts_of_case(session, case_id)
    return [
        ReceiptView(
            r.id,
            r.kind,
            KIND_LABELS[r.kind],
            r.number,
            r.bill_code,
            r.check_code,
            r.payer_name,
            r.amount,
            as_utc(r.issued_at),
            r.status,
            r.attachment_id,
            order_no,
        )
        for r, order_no in rows
    ]


def _lines(receipt: PaymentReceipt) -> tuple[ReceiptLine, ...]:
    return tuple(
        ReceiptLine(
            str(line["code"]),
            str(line["name"]),
            str(line["quantity"]),
            str(line["standard"]),
            _rate_text(str(line.get("rate", ""))),
            str(line["amount"]),
        )
        for line in receipt.lines
    )


def _rate_text(rate: str) -> str:
    try:
        from decimal import Decimal

        value = Decimal(rate) * 100
    except ArithmeticError:
        return rate
    return f"{value.normalize():f}%"


def _payload_fields(receipt: PaymentReceipt, case_number: str, issuer_uscc: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": KIND_LABELS[receipt.kind],
        "number": receipt.number,
        "amount": str(receipt.amount),
        "issued_on": as_utc(receipt.issued_at).astimezone(CHINA_TZ).date(),
        "case_number": case_number,
        "issuer": issuer_uscc,  # the 征收单位 or 执收单位 the receipt names and whose seal it carries
    }
    if receipt.bill_code:
        fields["bill_code"] = receipt.bill_code
        fields["check_code"] = receipt.check_code
    return fields


def _qr_text(receipt: PaymentReceipt, case_number: str, issuer: ReceiptSeal) -> str:
    fields = _payload_fields(receipt, case_number, issuer.uscc)
    if issuer.signer is not None:
        from registry_desk.documents.verification import make_payload

        return make_payload(fields, issuer.signer)
    # Without the issuer's key the QR still carries the numbers a bank or auditor looks up.
    return "|".join(
        str(fields[k]) for k in ("kind", "bill_code", "number", "check_code", "amount") if fields.get(k)
    )


def render_receipt(session, receipt: PaymentReceipt, tools: ReceiptTools) -> bytes:
    """The receipt's PDF, naming and sealed by the authorities of the case's unit (`seals_for`)."""
    order, case = stored.receipt_parents(session, receipt)
    issued_on = format_date(as_utc(receipt.issued_at).astimezone(CHINA_TZ).date())
    agency = (tools.authorities or policy_authorities()).agency_for_county(case.unit.unit_number[:6])
    seals = seals_for(tools, "tax" if receipt.kind == "tax" else "fee", agency)
    issuer = seals[0]
    qr = _qr_text(receipt, case.case_number, issuer)
    if receipt.kind == "tax":
        note = "已退税（税款已退还）" if receipt.status == "reversed" else ""
        pdf = render_tax_certificate(
            TaxCertificateView(
                receipt.number,
                issued_on,
                receipt.payer_name,
                receipt.payer_id,
                issuer.name,
                _lines(receipt),
                str(receipt.amount),
                case.case_number,
                order.order_no,
                note,
            ),
            qr_payload=qr,
            seal_png=issuer.seal_png,
        )
        reason = "电子完税凭证"
    else:
        red_of = None
        if receipt.red_of_id is not None:
            original = stored.receipt_by_id(session, receipt.red_of_id)
            assert original is not None
            red_of = f"代码 {original.bill_code} 号码 {original.number}"
        payment_code = stored.fee_payment_code(session, order.id) or ""
        pdf = render_fee_bill(
            FeeBillView(
                receipt.bill_code or "",
                receipt.number,
                receipt.check_code or "",
                issued_on,
                receipt.payer_name,
                receipt.payer_id,
                _lines(receipt),
                str(receipt.amount),
                issuer.name,
                issuer.name,
                case.case_number,
                order.order_no,
                payment_code,
                red_of,
                supervisor=seals[1].name,
            ),
            qr_payload=qr,
            seal_png=issuer.seal_png,
            supervisor_seal_png=seals[1].seal_png,
        )
        reason = KIND_LABELS[receipt.kind]
    # The issuer seals first (with the payload in its signed revision), the 监制 fiscal bureau after it.
    for index, seal in enumerate(seals):
        if seal.sealer is not None:
            pdf = seal_pdf(
                pdf, seal.sealer, reason=reason, payload=qr if index == 0 and issuer.signer else None
            )
    return pdf


def produce_receipt_documents(
    db: Database, case_id: int, tools: ReceiptTools | None = None, now: datetime | None = None
) -> int:
    """Renders, seals and attaches every receipt of the case that has no PDF yet; returns how many."""
    tools = tools or ReceiptTools()
    with db.unit_of_work(write=False) as uow:
        pending = stored.receipts_without_document(uow.session, case_id)
    made = 0
    for receipt_id in pending:
        with db.unit_of_work() as uow:
            s = uow.session
            receipt = stored.lock_receipt(s, receipt_id)
            if receipt.attachment_id is not None:  # another window made it meanwhile
                continue
            pdf = render_receipt(s, receipt, tools)
            filename = f"{KIND_LABELS[receipt.kind]}_{receipt.bill_code or ''}{receipt.number}.pdf"
            attachment = Attachment(
                case_id=receipt.case_id,
                kind=ATTACHMENT_KINDS[receipt.kind],
                filename=filename,
                sha256=hashlib.sha256(pdf).hexdigest(),
                content=pdf,
                created_at=now or utc_now(),
            )
            s.add(attachment)
            s.flush()
            receipt.attachment_id = attachment.id
            uow.commit()
            made += 1
    return made


def produce_missing_receipt_documents(
    db: Database, tools: ReceiptTools | None = None, now: datetime | None = None, *, limit: int | None = None
) -> int:
    """Renders every receipt of any case still without its PDF (a process killed between settling and
    rendering leaves them so), oldest first, case by case; at most `limit` cases when given, so that one
    timer step of a window stays short and the rest follow at the next. Returns how many were made.
    Safe beside the window that is rendering the same receipt: each is made under its row lock, once."""
    with db.unit_of_work(write=False) as uow:
        case_ids = stored.cases_with_receipts_without_document(uow.session)
    if limit is not None:
        case_ids = case_ids[:limit]
    return sum(produce_receipt_documents(db, case_id, tools, now) for case_id in case_ids)
