"""The 不动产登记申请书 renderer: every block and value printed, the chosen boxes ticked, signatures drawn as images,
many applicants continuing on a second page, and text the font lacks refused before anything is drawn."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from PIL import Image
from pypdf import PdfReader

from registry_desk.documents.application_form_pdf import (
    ApplicantBlock,
    ApplicationFormView,
    SignatureSlot,
    render_application_form,
)
from registry_desk.domain.errors import ValidationError


def _png() -> bytes:
    image = Image.new("RGBA", (120, 40), (0, 0, 0, 0))
    image.putpixel((10, 10), (0, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _view(**changes) -> ApplicationFormView:
    view = ApplicationFormView(
        case_number="202603110001",
        received_by="受理员甲",
        received_on=dt.date(2026, 3, 11),
        right_type="抵押权",
        registration_type="首次登记",
        applicants=(
            ApplicantBlock(
                "权利人",
                "抵押权人",
                "黄河示范银行股份有限公司中卫分行",
                "统一社会信用代码",
                "91640500MA7HH00105",
                legal_rep="马立新",
            ),
            ApplicantBlock(
                "义务人", "抵押人", "刘凤琴", "居民身份证", "640502199001011234", phone="13900000000"
            ),
        ),
        location="中卫市沙坡头区鼓楼东街18号1幢1单元101室",
        unit_number="640502001001GB00001F00030101",
        property_type="房屋（商品房）",
        area="建筑面积98.76㎡",
        use="住宅",
        previous_certificate="宁(2026)中卫市不动产权第0000001号",
        reason="抵押权首次登记。证明材料：抵押合同、借款合同",
        mortgage=(("被担保主债权数额", "500000.00元"),),
        signatures=(
            SignatureSlot("申请人（抵押人）", "刘凤琴", _png(), dt.date(2026, 3, 11)),
            SignatureSlot(
                "申请人（抵押权人）", "黄河示范银行股份有限公司中卫分行", None, None, "以本单位电子签章确认"
            ),
        ),
        office="中卫市自然资源局",
        business_label="抵押权首次登记",
    )
    return dataclasses.replace(view, **changes)


def _text(pdf: bytes) -> str:
    # Block names are written downwards, a character or two a line: compare without line breaks.
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return text.replace(" ", "").replace("\n", "")


def test_every_block_and_value_is_printed():
    pdf = render_application_form(_view())
    text = _text(pdf)
    for expected in (
        "不动产登记申请书",
        "收件",
        "申请登记事项",
        "申请人情况",
        "不动产情况",
        "抵押情况",
        "登记原因及证明",
        "申请证书版式",
        "备注",
        "签章",
        "202603110001",
        "受理员甲",
        "2026年3月11日",
        "黄河示范银行股份有限公司中卫分行",
        "91640500MA7HH00105",
        "马立新",
        "640502199001011234",
        "640502001001GB00001F00030101",
        "宁(2026)中卫市不动产权第0000001号",
        "500000.00元",
        "以本单位电子签章确认",
        "权利人（抵押权人）第1位",
        "义务人（抵押人）第1位",
    ):
        assert expected in text, expected
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_the_signature_is_an_image_and_a_missing_one_prints_its_placeholder():
    signed = PdfReader(io.BytesIO(render_application_form(_view()))).pages[0]
    assert len(signed.images) == 1
    unsigned = _view(signatures=(SignatureSlot("申请人（抵押人）", "刘凤琴", None, None),))
    page = PdfReader(io.BytesIO(render_application_form(unsigned))).pages[0]
    assert len(page.images) == 0 and "（未签名）" in page.extract_text().replace(" ", "")


def test_ticks_follow_the_chosen_types():
    # The tick is drawn, not a glyph: the page with 抵押权 chosen differs from one with 预告登记 chosen.
    a = render_application_form(_view())
    b = render_application_form(_view(right_type="预告登记", registration_type="预告登记"))
    assert PdfReader(io.BytesIO(a)).pages[0].get_contents().get_data() != (
        PdfReader(io.BytesIO(b)).pages[0].get_contents().get_data()
    )


def test_many_applicants_continue_on_a_second_page():
    people = tuple(
        ApplicantBlock("义务人", "抵押人", f"申请人{i}", "居民身份证", f"64050219900101{i:04d}")
        for i in range(8)
    )
    pdf = render_application_form(_view(applicants=people))
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    assert "不动产登记申请书（续）" in _text(pdf)


def test_a_character_the_font_lacks_is_refused_naming_the_field():
    with pytest.raises(ValidationError, match="坐落"):
        render_application_form(_view(location="中卫市\U00020000路1号"))
