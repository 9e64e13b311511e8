"""The 不动产登记资料查询结果 the kiosk prints for a holder: their own units with the current rights and
restrictions, laid out on A4 pages in the shipped CJK font, the seal drawn at the end (the PAdES seal is
applied by the caller, `kiosk/query.py`)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm

from registry_desk.documents.fonts import check_printable
from registry_desk.documents.layout import draw_lines, draw_seal, new_canvas, wrap_text


@dataclass(frozen=True)
class QueryResultUnit:
    """One unit of the holder's, as the register reads now (plain text, ready to print)."""

    unit_number: str
    location: str
    facts: tuple[tuple[str, str], ...]
    owners: tuple[str, ...]
    ownership_details: tuple[tuple[str, str], ...]
    certificates: tuple[str, ...]
    restrictions: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


def render_query_result(
    name: str,
    id_masked: str,
    units: list[QueryResultUnit],
    at: datetime,
    reference: str,
    office: str,
    seal_png: bytes,
) -> bytes:
    """Lays the query result out on A4 pages (reportlab, the shipped CJK font, the seal drawn at the end)."""
    texts: dict[str, str] = {"查询人": name}
    for u in units:
        texts[f"坐落 {u.unit_number}"] = u.location
        texts[f"权利人 {u.unit_number}"] = "、".join(u.owners)
        for label, rows in u.restrictions:
            texts[f"{label} {u.unit_number}"] = " ".join(f"{k}{v}" for k, v in rows)
    check_printable(texts)

    buffer = io.BytesIO()
    canvas, font = new_canvas(buffer, title="不动产登记资料查询结果", subject=reference)
    width, height = A4
    left, right, bottom = 20 * mm, width - 20 * mm, 22 * mm
    y = height - 22 * mm

    def lines(text: str, size: float = 10.5, indent: float = 0.0) -> None:
        nonlocal y
        wrapped = wrap_text(text, font, size, right - left - indent)
        need = len(wrapped) * size * 1.45
        if y - need < bottom:
            canvas.showPage()
            y = height - 22 * mm
        draw_lines(canvas, wrapped, left + indent, y, font, size)
        y -= need

    lines("不动产登记资料查询结果", 18)
    y -= 4
    lines(f"查询人：{name}　证件号码：{id_masked}")
    lines(f"查询时间：{at:%Y年%m月%d日 %H:%M}　查询编号：{reference}　查询方式：自助终端")
    y -= 6
    for index, u in enumerate(units, start=1):
        lines(f"{index}. 坐落：{u.location}", 12)
        lines(f"不动产单元号：{u.unit_number}", indent=12)
        for k, v in u.facts:
            lines(f"{k}：{v}", indent=12)
        lines(f"权利人：{'、'.join(u.owners)}", indent=12)
        for k, v in u.ownership_details:
            lines(f"{k}：{v}", indent=12)
        if u.certificates:
            lines(f"不动产权证书号：{'、'.join(u.certificates)}", indent=12)
        if not u.restrictions:
            lines("限制情况：登记簿未记载抵押、预告登记、查封等限制", indent=12)
        for label, rows in u.restrictions:
            lines(f"限制情况：{label}", indent=12)
            for k, v in rows:
                lines(f"{k}：{v}", indent=24)
        y -= 6
    lines(
        "说明：本结果反映查询时不动产登记簿记载的现势权利与限制，由自助终端按权利人本人身份核验后出具，加盖电子印章。"
    )
    if y < bottom + 40 * mm:
        canvas.showPage()
        y = height - 22 * mm
    lines(f"出具机构：{office}")
    lines(f"出具日期：{at:%Y年%m月%d日}")
    draw_seal(canvas, seal_png, right - 30 * mm, y + 10 * mm, 38 * mm)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
