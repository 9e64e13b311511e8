"""不动产权证书 and 不动产登记证明 PDFs: what an auditor checks on the printed page."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import pypdf
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image, ImageChops, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth

from registry_desk.documents.certificate_pdf import (
    RegistrationProofView,
    RightCertificateView,
    render_registration_proof,
    render_right_certificate,
    right_certificate_page,
)
from registry_desk.documents.fonts import register_cjk_font
from registry_desk.domain.errors import ValidationError

FONT = register_cjk_font()
PAGE_WIDTH, PAGE_HEIGHT = A4
EXT_B = "\U00020000"  # not in the shipped font

CERTIFICATE = RightCertificateView(
    number="宁(2026)中卫市不动产权第0000001号",
    right_holders="王镕、李堃",
    co_ownership="共同共有",
    location="中卫市沙坡头区鼓楼东街18号阳光花园3号楼1单元101室",
    unit_number="640502001001GB00001F00030101",
    right_type="国有建设用地使用权/房屋所有权",
    right_nature="出让/商品房",
    use="城镇住宅用地/住宅",
    area="共用宗地面积2520.38㎡/房屋建筑面积255.87㎡",
    term="国有建设用地使用权 2010年05月01日起2080年04月30日止",
    other_status="房屋结构:混合结构\n专有建筑面积:237.66㎡，分摊建筑面积:18.21㎡\n房屋总层数:11层，所在层数:第1层",
    notes="共有人张喆、赵昇、钱玥、孙珺已书面同意。",
    issued_on=dt.date(2026, 3, 5),
    qr_payload="RD1|宁(2026)中卫市不动产权第0000001号|640502001001GB00001F00030101|3f9a",
    paper_serial="NX64000012345",
    ecert_id="1.2.156.3005.2.11100000MB03271699001.640500.000000001.001.X",
)

PROOF = RegistrationProofView(
    number="宁(2026)中卫市不动产证明第0000001号",
    matter="抵押权",
    right_holders="中国工商银行股份有限公司中卫分行",
    obligors="王镕、李堃",
    location=CERTIFICATE.location,
    unit_number=CERTIFICATE.unit_number,
    other="抵押方式：一般抵押\n债权数额：80.00万元\n债务履行期限：2026年3月5日起2046年3月4日止",
    notes="",
    issued_on=dt.date(2026, 3, 6),
    qr_payload="RD1|宁(2026)中卫市不动产证明第0000001号|8c21",
)

CERTIFICATE_LABELS = (
    "权利人",
    "共有情况",
    "坐落",
    "不动产单元号",
    "权利类型",
    "权利性质",
    "用途",
    "面积",
    "使用期限",
    "权利其他状况",
)


# -- PDF inspection ----------------------------------------------------------------------------------------


def _fonts(pdf: bytes) -> list[pypdf.generic.DictionaryObject]:
    fonts = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            if font["/Subtype"] == "/Type0":
                font = font["/DescendantFonts"][0].get_object()
            fonts.append(font)
    return fonts


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _page_text(pdf: bytes) -> str:
    return _compact("".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages))


def _text_runs(pdf: bytes, page_index: int = 0) -> list[tuple[float, float, float, str]]:
    """(x, y, width, text) of every drawn string, from the content stream."""
    runs: list[tuple[float, float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font_dict: object, font_size: float) -> None:
        text = text.strip()
        if not text:
            return
        x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
        y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
        size = font_size * tm[0] * cm[0]
        runs.append((x, y, stringWidth(text, FONT, size), text))

    pypdf.PdfReader(io.BytesIO(pdf)).pages[page_index].extract_text(visitor_text=visit)
    return runs


def _render(pdf: bytes, dpi: int = 150) -> list[Image.Image]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].render(scale=dpi / 72).to_pil() for i in range(len(document))]
    finally:
        document.close()


def _scan(image: Image.Image) -> list[str]:
    codes = zxingcpp.read_barcodes(image)
    return [code.text for code in codes if code.format == zxingcpp.BarcodeFormat.QRCode]


def _red_pixels(image: Image.Image) -> int:
    """Pixels of seal red: strong red with little green and blue (black text and the white page are not)."""
    red, green, blue = image.convert("RGB").split()
    strong_red = red.point(lambda v: 255 if v > 170 else 0)
    weak_green = green.point(lambda v: 255 if v < 100 else 0)
    weak_blue = blue.point(lambda v: 255 if v < 100 else 0)
    mask = ImageChops.multiply(ImageChops.multiply(strong_red, weak_green), weak_blue)
    return mask.histogram()[255]


@pytest.fixture(scope="module")
def seal_png() -> bytes:
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, 232, 232), outline=(220, 20, 20, 255), width=10)
    draw.regular_polygon((120, 120, 36), 5, fill=(220, 20, 20, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def certificate_pdf() -> bytes:
    return render_right_certificate(CERTIFICATE)


# -- 不动产权证书 -------------------------------------------------------------------------------------------


def test_certificate_is_one_a4_page(certificate_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(certificate_pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_every_font_is_embedded_and_no_helvetica_is_listed(certificate_pdf: bytes) -> None:
    fonts = _fonts(certificate_pdf)
    assert fonts
    for font in fonts:
        assert "WenQuanYiMicroHei" in font["/BaseFont"]
        assert "/FontFile2" in font["/FontDescriptor"].get_object()
    assert b"Helvetica" not in certificate_pdf


def test_every_field_value_is_printed(certificate_pdf: bytes) -> None:
    text = _page_text(certificate_pdf)
    for field in dataclasses.fields(CERTIFICATE):
        value = getattr(CERTIFICATE, field.name)
        if field.name in ("qr_payload", "issued_on", "status_line"):
            continue
        assert _compact(value) in text, field.name
    assert "2026年3月5日" in text
    assert "已注销" not in text and "仅供查档" not in text  # a current certificate carries no status line
    assert "中卫市自然资源局" in text  # the default 登记机构
    assert "扫码验真" in text


def test_field_names_run_down_the_left_column_in_the_national_order(certificate_pdf: bytes) -> None:
    left_column = {text: y for x, y, _, text in _text_runs(certificate_pdf) if x < 150}
    heights = [left_column[label] for label in CERTIFICATE_LABELS]
    assert heights == sorted(heights, reverse=True)
    notes_title_y = next(y for _, y, _, text in _text_runs(certificate_pdf) if _compact(text) == "附记")
    assert notes_title_y < heights[-1], "附记 is its own box below the table"


def test_number_heads_the_page(certificate_pdf: bytes) -> None:
    runs = _text_runs(certificate_pdf)
    number_y = next(y for _, y, _, text in runs if text == CERTIFICATE.number)
    table_top_y = max(y for x, y, _, text in runs if text in CERTIFICATE_LABELS)
    assert number_y > table_top_y


def test_printed_qr_scans_to_the_verification_payload(certificate_pdf: bytes) -> None:
    (page,) = _render(certificate_pdf)
    assert _scan(page) == [CERTIFICATE.qr_payload]


def test_rare_name_characters_print() -> None:
    view = dataclasses.replace(CERTIFICATE, right_holders="朱镕、刘堃、陈喆、李昇、王玥、赵珺")
    assert "朱镕、刘堃、陈喆、李昇、王玥、赵珺" in _page_text(render_right_certificate(view))


def test_character_missing_from_the_font_is_refused_naming_the_field() -> None:
    view = dataclasses.replace(CERTIFICATE, right_holders=f"张{EXT_B}")
    with pytest.raises(ValidationError, match="字段“权利人”含字库缺少的字符"):
        render_right_certificate(view)


def test_missing_character_in_the_notes_is_refused_too() -> None:
    with pytest.raises(ValidationError, match="字段“附记”"):
        render_right_certificate(dataclasses.replace(CERTIFICATE, notes=f"原权利人张{EXT_B}"))


def test_long_notes_wrap_inside_the_page() -> None:
    notes = (
        "本不动产权证书所载共有人已于2026年3月1日签订共有协议，约定各自份额及处分方式，详见登记档案。" * 12
    )
    pdf = render_right_certificate(dataclasses.replace(CERTIFICATE, notes=notes))
    assert _compact(notes) in _page_text(pdf)
    runs = _text_runs(pdf)
    note_lines = {round(y) for _, y, _, text in runs if len(text) > 3 and text in notes}
    assert len(note_lines) >= 8
    for x, y, width, text in runs:
        assert x >= 0 and x + width <= PAGE_WIDTH - 40, text
        assert 40 <= y <= PAGE_HEIGHT - 20, text


def test_notes_too_long_for_one_page_are_refused_not_cut() -> None:
    view = dataclasses.replace(CERTIFICATE, notes="共有协议约定详见登记档案。" * 600)
    with pytest.raises(ValidationError, match="超出一页版面") as caught:
        render_right_certificate(view)
    assert caught.value.record == CERTIFICATE.number


def test_seal_is_drawn_over_the_issuer_block_only_when_given(certificate_pdf: bytes, seal_png: bytes) -> None:
    (plain,) = _render(certificate_pdf, dpi=72)
    (sealed,) = _render(render_right_certificate(CERTIFICATE, seal_png=seal_png), dpi=72)
    assert _red_pixels(plain) == 0
    issuer_x, issuer_y = next(
        (x + w / 2, y) for x, y, w, text in _text_runs(certificate_pdf) if text == "中卫市自然资源局"
    )
    # The 42 mm seal lies within 70 pt of the issuer's name (page y grows upwards, image rows downwards).
    box = (issuer_x - 70, PAGE_HEIGHT - issuer_y - 70, issuer_x + 70, PAGE_HEIGHT - issuer_y + 70)
    assert _red_pixels(sealed.crop(tuple(round(v) for v in box))) > 200
    assert _red_pixels(sealed) == _red_pixels(sealed.crop(tuple(round(v) for v in box)))


def test_optional_serial_and_ecert_id_are_left_out_when_absent() -> None:
    view = dataclasses.replace(CERTIFICATE, paper_serial=None, ecert_id=None)
    text = _page_text(render_right_certificate(view))
    assert "印刷序列号" not in text and "电子证照标识" not in text


def test_text_lines_expose_what_is_drawn_for_a_bare_baseline() -> None:
    lines = right_certificate_page(CERTIFICATE).text_lines()
    assert lines[:2] == ["不动产权证书", CERTIFICATE.number]
    assert CERTIFICATE.other_status in lines and "扫码验真" in lines


# -- 不动产登记证明 -----------------------------------------------------------------------------------------


def test_proof_prints_the_mortgage_terms_and_its_own_number() -> None:
    pdf = render_registration_proof(PROOF)
    text = _page_text(pdf)
    assert "不动产登记证明" in text
    for value in (
        PROOF.number,
        PROOF.matter,
        PROOF.right_holders,
        PROOF.obligors,
        PROOF.location,
        PROOF.unit_number,
        PROOF.other,
        "2026年3月6日",
    ):
        assert _compact(value) in text
    assert "权利人（申请人）" in text and "义务人" in text and "证明权利或事项" in text
    assert all("/FontFile2" in font["/FontDescriptor"].get_object() for font in _fonts(pdf))
    (page,) = _render(pdf)
    assert _scan(page) == [PROOF.qr_payload]


def test_proof_refuses_an_obligor_name_the_font_lacks() -> None:
    with pytest.raises(ValidationError, match="字段“义务人”"):
        render_registration_proof(dataclasses.replace(PROOF, obligors=f"李{EXT_B}"))


def test_the_forms_own_wording_is_all_in_the_font() -> None:
    from registry_desk.documents.certificate_pdf import registration_proof_page
    from registry_desk.documents.fonts import missing_glyphs

    for page in (right_certificate_page(CERTIFICATE), registration_proof_page(PROOF)):
        assert missing_glyphs("".join(page.text_lines())) == set()


def test_a_certificate_no_longer_current_says_so_under_its_number_and_across_the_page() -> None:
    line = "已注销／仅供查档：本不动产权证书已于2026年4月1日注销，本件为查档补打件，不作为权属证明"
    pdf = render_right_certificate(dataclasses.replace(CERTIFICATE, status_line=line))
    text = _page_text(pdf)
    assert _compact(line) in text
    assert "已注销仅供查档" in text.replace("\u3000", "")  # the watermark
    # The title still comes first: a verifier reads the kind from the first line.
    assert text.startswith("不动产权证书")
