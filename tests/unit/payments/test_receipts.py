"""Electronic receipts: made after settlement, sealed, attached to the case, once; they print the numbers
and amounts, embed the font, and their seal and QR payload verify offline."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest
from sqlalchemy import select

from registry_desk.documents.payment_receipts_pdf import amount_in_words
from registry_desk.documents.pki import TrustStore, create_demo_pki
from registry_desk.documents.verification import check_document, document_text
from registry_desk.payments import orders, receipts, settlement
from registry_desk.payments.local_channel import LocalChannel
from registry_desk.storage.ledger.tables import PaymentReceipt
from registry_desk.resources_path import seed
from registry_desk.storage.tables import Attachment
from tests.unit.payments.factories import BUYER, NOW, SELLER, TAXPAYERS, make_case, resale_quote


@pytest.mark.parametrize(
    "amount, words",
    [
        ("80.00", "捌拾元整"),
        ("10080.00", "壹万零捌拾元整"),
        ("73080.00", "柒万叁仟零捌拾元整"),
        ("1050000.00", "壹佰零伍万元整"),
        ("1000005.00", "壹佰万零伍元整"),
        ("1750.50", "壹仟柒佰伍拾元伍角整"),
        ("0.05", "伍分"),
        ("10.05", "壹拾元零伍分"),
        ("-80.00", "负捌拾元整"),
    ],
)
def test_amounts_in_chinese_capitals(amount, words):
    assert amount_in_words(Decimal(amount)) == words


@pytest.fixture(scope="module")
def keys_dir(tmp_path_factory):
    keys = tmp_path_factory.mktemp("keys")
    create_demo_pki(keys, json.loads(seed("organisations.json").read_text("utf-8")))
    return keys


@pytest.fixture
def settled_case(sqlite_db, tmp_path):
    channel = LocalChannel(tmp_path)
    with sqlite_db.unit_of_work() as uow:
        case = make_case(uow.session, 1)
        made = [
            orders.order_view(o)
            for o in orders.create_orders(
                uow.session, case.id, resale_quote(), TAXPAYERS, NOW, channel=channel
            )
        ]
        uow.commit()
    for order in made:
        channel.pay(order.payload, NOW + timedelta(minutes=1))
    settlement.poll_open_orders(sqlite_db, channel, NOW + timedelta(minutes=2))
    return case.id


def _pdfs(db, case_id) -> dict[str, bytes]:
    with db.unit_of_work(write=False) as uow:
        rows = uow.session.execute(
            select(PaymentReceipt.kind, PaymentReceipt.number, Attachment.content)
            .join(Attachment, Attachment.id == PaymentReceipt.attachment_id)
            .where(PaymentReceipt.case_id == case_id)
        ).all()
    return {f"{kind}:{number}": content for kind, number, content in rows}


def test_sealed_receipts_are_attached_once_and_verify(sqlite_db, settled_case, keys_dir):
    tools = receipts.tools_from_keys(keys_dir)
    assert receipts.produce_receipt_documents(sqlite_db, settled_case, tools) == 3
    assert receipts.produce_receipt_documents(sqlite_db, settled_case, tools) == 0  # idempotent
    with sqlite_db.unit_of_work(write=False) as uow:
        listed = receipts.list_receipts(uow.session, settled_case)
        kinds = {
            a.kind
            for a in uow.session.execute(
                select(Attachment).where(Attachment.case_id == settled_case)
            ).scalars()
        }
    assert sorted(r.kind_label for r in listed) == sorted(["登记费电子票据", "电子完税凭证", "电子完税凭证"])
    assert all(r.attachment_id for r in listed) and kinds == {"tax_receipt", "fee_bill"}

    trust = TrustStore.load(keys_dir)
    pdfs = _pdfs(sqlite_db, settled_case)
    fee = next(r for r in listed if r.kind == "fee")
    for key, pdf in pdfs.items():
        report = check_document(pdf, trust)
        assert report.ok, (key, report.problems)
        # Each receipt is sealed by the authorities it names (REFERENCE §9): the 完税凭证 by the tax bureau
        # that collects (税收征收管理法第三十四条), the fee bill by the 执收单位 and the fiscal bureau's
        # 财政票据监制章 (财政票据管理办法第九条).
        sealers = [s.signer_org for s in report.seals.signatures]
        if key.startswith("tax:"):
            assert sealers == ["国家税务总局中卫市税务局"], key
        else:
            assert sealers == ["中卫市自然资源局", "宁夏回族自治区财政厅"], key
        assert report.seals.signatures and all(s.intact and s.trusted for s in report.seals.signatures)
        assert report.payload is not None and report.payload.ok
        page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
        for font in page["/Resources"]["/Font"].values():
            assert "/FontFile2" in font.get_object()["/FontDescriptor"].get_object()

    fee_text = document_text(pdfs[f"fee:{fee.number}"])
    for expected in (
        fee.bill_code,
        fee.number,
        fee.check_code,
        "登记费",
        "80.00",
        "捌拾元整",
        BUYER[0],
        "收款单位（章）\n中卫市自然资源局",
        "执收单位：中卫市自然资源局",
        "监制：宁夏回族自治区财政厅",
        "2026年3月12日",
    ):
        assert expected in fee_text, expected
    seller_ticket = next(r for r in listed if r.kind == "tax" and r.payer_name == SELLER[0])
    tax_text = document_text(pdfs[f"tax:{seller_ticket.number}"])
    for expected in (
        seller_ticket.number,
        SELLER[1],
        "增值税",
        "50000.00",
        "1750.00",
        "63000.00",
        "陆万叁仟元整",
        "征收单位（章）\n国家税务总局中卫市税务局",
    ):
        assert expected in tax_text, expected
    assert "自然资源局" not in tax_text and "登记中心" not in tax_text


def test_a_tampered_receipt_fails_verification(sqlite_db, settled_case, keys_dir):
    receipts.produce_receipt_documents(sqlite_db, settled_case, receipts.tools_from_keys(keys_dir))
    pdf = next(iter(_pdfs(sqlite_db, settled_case).values()))
    index = pdf.index(b"/Contents <") + 20
    tampered = pdf[:index] + (b"0" if pdf[index : index + 1] != b"0" else b"1") + pdf[index + 1 :]
    assert not check_document(tampered, TrustStore.load(keys_dir)).ok


def test_without_keys_the_receipts_are_made_unsealed_with_the_numbers_in_the_qr(sqlite_db, settled_case):
    assert receipts.produce_receipt_documents(sqlite_db, settled_case) == 3
    for pdf in _pdfs(sqlite_db, settled_case).values():
        assert b"/ByteRange" not in pdf


def test_a_county_case_receipts_name_and_carry_the_county_authorities(keys_dir):
    """条例第七条 and REFERENCE §4a: a unit in 中宁县 is the county agency's; its taxes are collected by the
    county tax bureau (authorities.json, marked [unverified] there) and its fee bill is the agency's, under the
    fiscal bureau's 监制章 (财政票据管理办法第九条)."""
    from registry_desk.kernel.authorities import policy_authorities

    tools = receipts.tools_from_keys(keys_dir)
    county = policy_authorities().agency_for_county("640521")
    (tax,) = receipts.seals_for(tools, "tax", county)
    assert (tax.name, tax.uscc) == ("国家税务总局中宁县税务局", "11640521MB0T2N0052")
    assert tax.signer is not None and tax.signer.name == tax.name
    issuer, supervisor = receipts.seals_for(tools, "fee", county)
    assert (issuer.name, supervisor.name) == ("中宁县自然资源局", "宁夏回族自治区财政厅")
    assert issuer.signer.uscc == county.uscc and supervisor.signer.key == "fiscal-nx"
