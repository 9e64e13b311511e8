"""Electronic receipts after settlement: sealed PDFs attached to the case, produced idempotently, and listed.

The receipt records (numbers, amounts) are written by settlement; `produce_receipt_documents` renders any
record that has no PDF yet, seals it when a Sealer is given, stores it as an `Attachment` of the case and
links it — run it as often as wished (after settlement, at start-up, from the cashier view).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
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
from registry_desk.payments.settlement import COLLECTOR, PAYEE
from registry_desk.kernel.context import utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.ledger import receipts as stored
from registry_desk.storage.ledger.tables import PaymentReceipt
from registry_desk.storage.tables import Attachment

# [unverified] the tax office named on the certificate; configurable by the caller.
DEFAULT_TAX_OFFICE = "国家税务总局中卫市税务局"
RECEIPT_SEAL_TEXT = "票据专用章"

# How long a receipt may be without its PDF before `check` reports it: settlement writes the record and the
# window that settled renders the PDF right after, in its own transaction (a case's few receipts take
# seconds, a poll that settled a hundred orders a few minutes), so a younger receipt is most likely being
# rendered, an older one was left behind by a killed process and waits for the next poll.
PDF_GRACE = timedelta(minutes=10)

KIND_LABELS = {"tax": "电子完税凭证", "fee": "登记费电子票据", "fee_red": "登记费电子票据（冲红）"}
ATTACHMENT_KINDS = {"tax": "tax_receipt", "fee": "fee_bill", "fee_red": "fee_bill_red"}


@dataclass(frozen=True)
class ReceiptTools:
    """What sealing needs: the PAdES sealer, the seal image, and the signer of the QR payload."""

    sealer: Sealer | None = None
    seal_png: bytes | None = None
    payload_signer: Any = None  # documents.pki.PayloadSigner


def tools_from_keys(keys_dir: Path) -> ReceiptTools:
    """The centre's seal when the demo PKI exists in `keys_dir`, otherwise unsealed receipts."""
    from registry_desk.documents.pki import MANIFEST, load_pki
    from registry_desk.documents.seal import PadesSealer
    from registry_desk.documents.seal_image import seal_image_png

    if not (Path(keys_dir) / MANIFEST).exists():
        return ReceiptTools()
    centre = load_pki(Path(keys_dir)).centre
    return ReceiptTools(
        PadesSealer.for_identity(centre), seal_image_png(centre.name, RECEIPT_SEAL_TEXT), centre
    )


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


def _payload_fields(receipt: PaymentReceipt, case_number: str) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "kind": KIND_LABELS[receipt.kind],
        "number": receipt.number,
        "amount": str(receipt.amount),
        "issued_on": as_utc(receipt.issued_at).astimezone(CHINA_TZ).date(),
        "case_number": case_number,
    }
    if receipt.bill_code:
        fields["bill_code"] = receipt.bill_code
        fields["check_code"] = receipt.check_code
    return fields


def _qr_text(receipt: PaymentReceipt, case_number: str, tools: ReceiptTools) -> str:
    fields = _payload_fields(receipt, case_number)
    if tools.payload_signer is not None:
        from registry_desk.documents.verification import make_payload

        return make_payload(fields, tools.payload_signer)
    # Without the centre's key the QR still carries the numbers a bank or auditor looks up.
    return "|".join(
        str(fields[k]) for k in ("kind", "bill_code", "number", "check_code", "amount") if fields.get(k)
    )


def render_receipt(
    session, receipt: PaymentReceipt, tools: ReceiptTools, tax_office: str = DEFAULT_TAX_OFFICE
) -> bytes:
    order, case = stored.receipt_parents(session, receipt)
    issued_on = format_date(as_utc(receipt.issued_at).astimezone(CHINA_TZ).date())
    qr = _qr_text(receipt, case.case_number, tools)
    if receipt.kind == "tax":
        note = "已退税（税款已退还）" if receipt.status == "reversed" else ""
        pdf = render_tax_certificate(
            TaxCertificateView(
                receipt.number,
                issued_on,
                receipt.payer_name,
                receipt.payer_id,
                tax_office,
                _lines(receipt),
                str(receipt.amount),
                case.case_number,
                order.order_no,
                note,
            ),
            qr_payload=qr,
            seal_png=tools.seal_png,
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
                PAYEE,
                COLLECTOR,
                case.case_number,
                order.order_no,
                payment_code,
                red_of,
            ),
            qr_payload=qr,
            seal_png=tools.seal_png,
        )
        reason = KIND_LABELS[receipt.kind]
    if tools.sealer is not None:
        pdf = seal_pdf(pdf, tools.sealer, reason=reason)
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
