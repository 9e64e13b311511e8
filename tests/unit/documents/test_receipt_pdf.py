"""受理凭证 PDF: what the applicant takes home, with and without the 税费同缴 payment block."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from registry_desk.documents.receipt_pdf import (
    PAYMENT_QR_CAPTION,
    AcceptanceReceiptView,
    PaymentBlock,
    render_acceptance_receipt,
)
from registry_desk.domain.errors import ValidationError

EXT_B = "\U00020000"  # not in the shipped font

RECEIPT = AcceptanceReceiptView(
    case_number="ZW2026030500012",
    accepted_at=dt.datetime(2026, 3, 5, 9, 7),
    business_label="二手房转移登记",
    parties=(
        ("权利人", "王镕", "6405**********1234"),
        ("权利人", "李堃", "6405**********002X"),
        ("义务人", "张喆", "6405**********5678"),
    ),
    unit_number="640502001001GB00001F00030101",
    location="中卫市沙坡头区鼓楼东街18号阳光花园3号楼1单元101室",
    materials_received=(
        "不动产登记申请书",
        "申请人身份证明（复印件）",
        "不动产权证书（原件）",
        "存量房买卖合同",
    ),
    materials_missing=(),
    due_date=dt.date(2026, 3, 12),
    clerk_name="赵昇",
    window_name="3号综合受理窗口",
    qr_payload="ZW2026030500012",
)

PAYMENT = PaymentBlock(
    lines=(("契税", "3,000.00"), ("增值税及附加", "0.00"), ("个人所得税", "0.00"), ("不动产登记费", "80.00")),
    total="3,080.00",
    payment_qr_payload="00020101021226370012cn.zhongwei.tax0115ZW202603050001253031565406308000",
    expires_at=dt.datetime(2026, 3, 5, 17, 30),
)


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _text(pdf: bytes) -> str:
    return _compact("".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages))


def _scan_pages(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        images: list[Image.Image] = [
            document[i].render(scale=150 / 72).to_pil() for i in range(len(document))
        ]
    finally:
        document.close()
    return sorted(
        code.text
        for image in images
        for code in zxingcpp.read_barcodes(image)
        if code.format == zxingcpp.BarcodeFormat.QRCode
    )


@pytest.fixture(scope="module")
def plain_pdf() -> bytes:
    return render_acceptance_receipt(RECEIPT)


@pytest.fixture(scope="module")
def paying_pdf() -> bytes:
    return render_acceptance_receipt(dataclasses.replace(RECEIPT, payment=PAYMENT))


def test_receipt_prints_the_case_and_every_party(plain_pdf: bytes) -> None:
    text = _text(plain_pdf)
    assert "不动产登记受理凭证" in text and "中卫市自然资源局" in text
    for value in (
        RECEIPT.case_number,
        "2026年3月5日09:07",
        RECEIPT.business_label,
        RECEIPT.unit_number,
        RECEIPT.location,
        RECEIPT.clerk_name,
        RECEIPT.window_name,
        "2026年3月12日前",
    ):
        assert _compact(value) in text
    for role, name, masked in RECEIPT.parties:
        assert f"{role}：{name}证件号：{masked}" in text
    for material in RECEIPT.materials_received:
        assert material in text


def test_nothing_missing_is_told_as_none(plain_pdf: bytes) -> None:
    assert "需补正材料（一次性告知）1." not in _text(plain_pdf)
    assert "需补正材料（一次性告知）无" in _text(plain_pdf)


def test_missing_materials_are_all_listed_at_once() -> None:
    view = dataclasses.replace(RECEIPT, materials_missing=("婚姻关系证明", "完税凭证"))
    text = _text(render_acceptance_receipt(view))
    assert "需补正材料（一次性告知）1.婚姻关系证明2.完税凭证" in text
    assert "自补齐之日起计算" in text


def test_without_payment_only_the_case_qr_is_printed(plain_pdf: bytes) -> None:
    assert PAYMENT_QR_CAPTION not in _text(plain_pdf)
    assert "应缴税费" not in _text(plain_pdf)
    assert _scan_pages(plain_pdf) == [RECEIPT.qr_payload]


def test_payment_block_lists_each_item_the_total_and_the_second_qr(paying_pdf: bytes) -> None:
    text = _text(paying_pdf)
    assert "应缴税费" in text
    for item, amount in PAYMENT.lines:
        assert item in text and amount in text
    assert "合计3,080.00" in text
    assert "扫码缴纳税费（一次扫码，税费同缴）" in text
    assert "有效期至2026年3月5日17:30" in text
    assert _scan_pages(paying_pdf) == sorted([RECEIPT.qr_payload, PAYMENT.payment_qr_payload])
    assert len(pypdf.PdfReader(io.BytesIO(paying_pdf)).pages) == 1


def test_payment_due_but_not_payable_by_qr_prints_no_payment_code() -> None:
    view = dataclasses.replace(RECEIPT, payment=dataclasses.replace(PAYMENT, payment_qr_payload=None))
    pdf = render_acceptance_receipt(view)
    assert "合计3,080.00" in _text(pdf)
    assert PAYMENT_QR_CAPTION not in _text(pdf)
    assert _scan_pages(pdf) == [RECEIPT.qr_payload]


def test_fonts_are_embedded(paying_pdf: bytes) -> None:
    page = pypdf.PdfReader(io.BytesIO(paying_pdf)).pages[0]
    for font in page["/Resources"]["/Font"].values():
        assert "/FontFile2" in font.get_object()["/FontDescriptor"].get_object()
    assert b"Helvetica" not in paying_pdf


def test_long_material_list_continues_on_numbered_pages() -> None:
    materials = tuple(f"补充材料第{i}份（复印件）" for i in range(1, 91))
    pdf = render_acceptance_receipt(
        dataclasses.replace(RECEIPT, materials_received=materials, payment=PAYMENT)
    )
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    text = _text(pdf)
    for material in materials:
        assert material in text
    assert f"第{len(reader.pages)}页" in text
    assert "（续）" in text


def test_party_name_the_font_lacks_is_refused_naming_the_field() -> None:
    view = dataclasses.replace(RECEIPT, parties=(("权利人", f"王{EXT_B}", "6405**********1234"),))
    with pytest.raises(ValidationError, match="字段“权利人姓名（第1位申请人）”"):
        render_acceptance_receipt(view)


def test_payment_item_the_font_lacks_is_refused() -> None:
    view = dataclasses.replace(RECEIPT, payment=dataclasses.replace(PAYMENT, lines=((f"{EXT_B}税", "1.00"),)))
    with pytest.raises(ValidationError, match="税费项目"):
        render_acceptance_receipt(view)


def test_seal_is_stamped_over_the_office_block_and_still_fits_one_page() -> None:
    seal = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    seal.paste((220, 20, 20, 255), (60, 60, 140, 140))
    buffer = io.BytesIO()
    seal.save(buffer, "PNG")
    pdf = render_acceptance_receipt(dataclasses.replace(RECEIPT, payment=PAYMENT), seal_png=buffer.getvalue())
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    # The QR codes and the seal: three images on the page.
    assert len(reader.pages[0].images) == 3
