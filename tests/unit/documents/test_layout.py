"""Line wrapping and date formats shared by the printed documents."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import stringWidth

from registry_desk.documents.fonts import register_cjk_font
from registry_desk.documents.layout import format_date, format_datetime, wrap_text

FONT = register_cjk_font()
SIZE = 10.0


def test_short_text_stays_on_one_line() -> None:
    assert wrap_text("中卫市沙坡头区", FONT, SIZE, 200) == ["中卫市沙坡头区"]


def test_cjk_wraps_per_character_within_the_width() -> None:
    text = "国有建设用地使用权/房屋所有权" * 3
    lines = wrap_text(text, FONT, SIZE, 100)
    assert len(lines) > 3
    assert "".join(lines) == text
    assert all(stringWidth(line, FONT, SIZE) <= 100 for line in lines)
    # Full lines use the width: no line but the last is shorter than the width less one character.
    assert all(stringWidth(line, FONT, SIZE) > 100 - 2 * SIZE for line in lines[:-1])


def test_explicit_line_breaks_are_kept_and_blank_text_takes_one_line() -> None:
    assert wrap_text("房屋结构:混合结构\n\n所在层数:第1层", FONT, SIZE, 300) == [
        "房屋结构:混合结构",
        "",
        "所在层数:第1层",
    ]
    assert wrap_text("", FONT, SIZE, 300) == [""]


def test_numbers_with_decimals_are_not_split_when_they_fit() -> None:
    lines = wrap_text("分摊建筑面积:18.21㎡，专有建筑面积:237.66㎡", FONT, SIZE, 95)
    assert any("237.66" in line for line in lines)
    assert any("18.21" in line for line in lines)


def test_closing_punctuation_and_unit_never_start_a_line() -> None:
    text = "王镕，李堃，张喆，赵昇，钱玥，孙珺，面积255.87㎡。" * 4
    # From 60 pt up a line holds more than the unbreakable "255.87", so the rule can always be kept.
    for width in range(60, 160, 7):
        lines = wrap_text(text, FONT, SIZE, width)
        assert "".join(lines) == text
        assert not any(line and line[0] in "，。㎡" for line in lines), (width, lines)


def test_latin_run_longer_than_the_cell_is_broken() -> None:
    serial = "1.2.156.3005.2.11100000MB03271699001.640500.000000001.001.X"
    lines = wrap_text(serial, FONT, SIZE, 80)
    assert "".join(lines) == serial
    assert all(stringWidth(line, FONT, SIZE) <= 80 for line in lines)


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet="中卫市不动产权第号（）。，、：㎡ab12.-镕堃 ", max_size=120),
    width=st.integers(min_value=30, max_value=400),
)
def test_wrapping_loses_nothing_and_never_overflows(text: str, width: int) -> None:
    lines = wrap_text(text, FONT, SIZE, width)
    assert "".join(lines) == text
    assert all(stringWidth(line, FONT, SIZE) <= width for line in lines)


def test_dates_print_the_way_certificates_write_them() -> None:
    assert format_date(dt.date(2026, 3, 5)) == "2026年3月5日"
    assert format_datetime(dt.datetime(2026, 12, 31, 9, 7)) == "2026年12月31日 09:07"
