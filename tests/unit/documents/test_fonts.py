"""The shipped CJK font: registered once, and text it cannot print is refused, never printed blank."""

from __future__ import annotations

import threading

import pytest
from reportlab.pdfbase import pdfmetrics

from registry_desk.documents.fonts import check_printable, font_path, missing_glyphs, register_cjk_font
from registry_desk.domain.errors import ValidationError

# Name characters outside GB2312 that the counter meets (镕 as in 朱镕基), and the square-metre sign.
RARE_BUT_PRINTABLE = "镕堃喆昇玥珺㎡"
# U+20000, the first character of CJK Extension B: not in WenQuanYi Micro Hei (GBK coverage only).
EXT_B = "\U00020000"


def test_font_file_is_the_shipped_collection_for_qt_to_load() -> None:
    path = font_path()
    assert path.name == "wqy-microhei.ttc"
    assert path.is_file()


def test_registering_twice_and_from_many_threads_gives_one_font() -> None:
    names: list[str] = []
    threads = [threading.Thread(target=lambda: names.append(register_cjk_font())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(names) == {register_cjk_font()}
    font = pdfmetrics.getFont(register_cjk_font())
    assert font.face.filename == str(font_path())


def test_rare_name_characters_and_square_metre_are_in_the_font() -> None:
    assert missing_glyphs(f"王{RARE_BUT_PRINTABLE}（共有）：，。") == set()


def test_extension_b_character_is_reported_missing() -> None:
    assert missing_glyphs(f"张{EXT_B}三") == {EXT_B}


def test_line_breaks_are_layout_not_missing_glyphs_but_a_tab_is() -> None:
    assert missing_glyphs("第一行\n第二行\r\n") == set()
    assert missing_glyphs("甲\t乙") == {"\t"}


def test_printable_fields_pass() -> None:
    check_printable({"权利人": "李玥、王珺", "面积": "房屋建筑面积255.87㎡"})


def test_refusal_names_the_field_and_the_character() -> None:
    with pytest.raises(ValidationError) as caught:
        check_printable({"坐落": "中卫市沙坡头区", "权利人": f"张{EXT_B}"})
    message = str(caught.value)
    assert "字段“权利人”含字库缺少的字符" in message
    assert EXT_B in message and "U+20000" in message
    assert "不能打印" in message and "规范字" in message
    assert "坐落" not in caught.value.message
    assert caught.value.record == "权利人"


def test_refusal_lists_every_failing_field() -> None:
    with pytest.raises(ValidationError) as caught:
        check_printable({"权利人": f"张{EXT_B}", "义务人": "李四", "附记": "\U0002a700备注"})
    assert "字段“权利人”" in caught.value.message
    assert "字段“附记”" in caught.value.message
    assert "义务人" not in caught.value.message
