"""不动产登记资料查询结果 PDF: the holder's units with their rights and restrictions, pages added as the list
grows, the masked ID only, and a name the font cannot print refused before anything is drawn."""

from __future__ import annotations

import datetime as dt
import io

import pypdf
import pytest

from registry_desk.documents.query_result_pdf import QueryResultUnit, render_query_result
from registry_desk.documents.seal_image import seal_image_png
from registry_desk.documents.verification import document_text
from registry_desk.domain.errors import ValidationError

AT = dt.datetime(2026, 3, 5, 9, 7)
SEAL = seal_image_png("中卫市自然资源局")


def _unit(room: int, *, restricted: bool = False) -> QueryResultUnit:
    return QueryResultUnit(
        unit_number=f"640502001001GB00001F0001{room:04d}",
        location=f"中卫市沙坡头区鼓楼东街1号1幢1单元{room}室",
        facts=(("规划用途", "住宅"), ("建筑面积", "88.50㎡")),
        owners=("王建国", "李秀兰"),
        ownership_details=(("共有情况", "共同共有"),),
        certificates=(f"宁(2021)中卫市不动产权第000{room}号",),
        restrictions=(("抵押权", (("权利人", "黄河示范银行"), ("抵押顺位", "第1顺位"))),)
        if restricted
        else (),
    )


def _render(units: list[QueryResultUnit], name: str = "王建国") -> bytes:
    return render_query_result(
        name, "6405**********0011", units, AT, "ZZCX20260305090700AB12", "中卫市自然资源局", SEAL
    )


def test_the_units_rights_and_restrictions_are_printed():
    pdf = _render([_unit(101), _unit(102, restricted=True)])
    text = document_text(pdf).replace("\n", "")
    assert "不动产登记资料查询结果" in text and "查询编号：ZZCX20260305090700AB12" in text
    assert "证件号码：6405**********0011" in text
    assert "1. 坐落：中卫市沙坡头区鼓楼东街1号1幢1单元101室" in text
    assert "限制情况：登记簿未记载抵押、预告登记、查封等限制" in text  # 101 has none
    assert "限制情况：抵押权" in text and "抵押顺位：第1顺位" in text  # 102's mortgage
    assert "出具机构：中卫市自然资源局" in text
    assert pypdf.PdfReader(io.BytesIO(pdf)).metadata.title == "不动产登记资料查询结果"


def test_a_long_list_runs_onto_more_pages():
    assert len(pypdf.PdfReader(io.BytesIO(_render([_unit(101)]))).pages) == 1
    assert (
        len(pypdf.PdfReader(io.BytesIO(_render([_unit(100 + i, restricted=True) for i in range(12)]))).pages)
        > 1
    )


def test_a_name_the_font_cannot_print_is_refused():
    with pytest.raises(ValidationError):
        _render([_unit(101)], name="王\U00020000")
