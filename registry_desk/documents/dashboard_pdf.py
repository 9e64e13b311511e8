"""The statistics dashboard as an A4 PDF: tables plus reportlab charts (cases per day, compliance, collections)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import TYPE_CHECKING, Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from registry_desk.documents.fonts import check_printable, register_cjk_font

if TYPE_CHECKING:  # the PDF reads the service's plain data; no import at run time
    from registry_desk.operations.dashboard import Dashboard

# One colour per business type, in the policy's order; also used by the window's charts.
SERIES_COLOURS = ("#1f5f99", "#d9822b", "#3c8d40", "#9c3d54", "#6b5b95", "#7f7f7f")
ACCOUNT_COLOURS = {"treasury": "#b03a2e", "fiscal": "#1f5f99"}
CHART_WIDTH = 170 * mm


def _percent(value: Any) -> str:
    from decimal import ROUND_HALF_UP, Decimal

    if value is None:
        return "—"
    return f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def _styles(font: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=font, fontSize=9, leading=13, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=1),
        "h2": ParagraphStyle("h2", parent=base, fontSize=11.5, leading=17, spaceBefore=8, spaceAfter=3),
        "body": base,
        "small": ParagraphStyle(
            "small", parent=base, fontSize=8, leading=11, textColor=colors.HexColor("#555555")
        ),
    }


def _table(rows: list[list[str]], widths: list[float], font: str) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa7b5")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return table


def _day_labels(dashboard: Dashboard) -> list[str]:
    days = dashboard.days
    step = max(1, len(days) // 15)  # at most ~15 labels under the axis, or they overlap
    return [f"{d:%m-%d}" if i % step == 0 else "" for i, d in enumerate(days)]


def cases_chart(dashboard: Dashboard, font: str) -> Drawing:
    """Stacked bars of cases accepted per day and type, with the completed total as a line over them."""
    drawing = Drawing(CHART_WIDTH, 70 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 10 * mm, 14 * mm, CHART_WIDTH - 62 * mm, 50 * mm
    series = [t for t in dashboard.types if t.business_type in dashboard.accepted_per_day]
    data = [list(dashboard.accepted_per_day[t.business_type]) for t in series] or [[0] * len(dashboard.days)]
    chart.data = data
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = _day_labels(dashboard)
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = 1
    top = max(
        [sum(col) for col in zip(*data, strict=True)] + list(dashboard.total_per_day("completed")) + [1]
    )
    chart.valueAxis.valueMax = top + 1
    chart.valueAxis.valueStep = max(1, (top + 1) // 5)
    for i in range(len(data)):
        chart.bars[i].fillColor = colors.HexColor(SERIES_COLOURS[i % len(SERIES_COLOURS)])
        chart.bars[i].strokeColor = None
    drawing.add(chart)

    line = HorizontalLineChart()
    line.x, line.y, line.width, line.height = chart.x, chart.y, chart.width, chart.height
    line.data = [list(dashboard.total_per_day("completed"))]
    line.valueAxis.valueMin = 0
    line.valueAxis.valueMax = chart.valueAxis.valueMax
    line.valueAxis.valueStep = chart.valueAxis.valueStep
    line.valueAxis.visible = False
    line.categoryAxis.visible = False
    line.joinedLines = 1
    line.lines[0].strokeColor = colors.black
    line.lines[0].strokeWidth = 1.2
    drawing.add(line)

    legend = Legend()
    legend.x, legend.y = CHART_WIDTH - 48 * mm, 62 * mm
    legend.columnMaximum = 12  # one column beside the chart
    legend.fontName = font
    legend.fontSize = 7
    legend.alignment = "right"
    legend.colorNamePairs = [
        (colors.HexColor(SERIES_COLOURS[i % len(SERIES_COLOURS)]), f"受理·{t.label}")
        for i, t in enumerate(series)
    ] + [(colors.black, "登簿办结（合计）")]
    drawing.add(legend)
    return drawing


def compliance_chart(dashboard: Dashboard, font: str) -> Drawing:
    """Horizontal bars: share of completed cases finished within the promised working days, per type."""
    types = [t for t in dashboard.types if t.completed]
    drawing = Drawing(CHART_WIDTH, max(25 * mm, (12 + 8 * len(types)) * mm))
    if not types:
        drawing.add(String(0, 10 * mm, "区间内无登簿办结的业务", fontName=font, fontSize=9))
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = 45 * mm, 8 * mm
    chart.width, chart.height = CHART_WIDTH - 70 * mm, 8 * mm * len(types)
    # Per mille as integers: chart coordinates need no float, and the labels print the exact share.
    chart.data = [[int(t.compliance * 1000) for t in types]]
    chart.categoryAxis.categoryNames = [t.label for t in types]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7.5
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 1000, 200
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = lambda v: f"{int(v) // 10}%"
    chart.bars[0].fillColor = colors.HexColor("#3c8d40")
    shares = iter([_percent(t.compliance) for t in types])
    chart.barLabelFormat = lambda _v: next(shares, "")
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def collections_chart(dashboard: Dashboard, font: str) -> Drawing:
    """Bars of the net amount credited to the 国库 and the 财政专户 in the range (from the settlement lines)."""
    drawing = Drawing(CHART_WIDTH, 32 * mm)
    accounts = [("treasury", "国库"), ("fiscal", "财政专户")]
    totals = [dashboard.account_total(a) for a, _ in accounts]
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30 * mm, 6 * mm, CHART_WIDTH - 70 * mm, 22 * mm
    # Whole yuan as chart coordinates (bars need no fen); the labels print the exact amounts from Money.
    chart.data = [[t.fen // 100 for t in totals]]
    chart.categoryAxis.categoryNames = [label for _, label in accounts]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor(ACCOUNT_COLOURS["fiscal"])
    for i, (account, _) in enumerate(accounts):
        chart.bars[(0, i)].fillColor = colors.HexColor(ACCOUNT_COLOURS[account])
    labels = iter([f"{t} 元" for t in totals])  # bars are labelled in order, with the exact amounts
    chart.barLabelFormat = lambda _v: next(labels, "")
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def kiosk_chart(dashboard: Dashboard, font: str) -> Drawing:
    drawing = Drawing(CHART_WIDTH, 40 * mm)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 12 * mm, CHART_WIDTH - 20 * mm, 24 * mm
    chart.data = [list(dashboard.kiosk_printed_per_day)]
    chart.categoryAxis.categoryNames = _day_labels(dashboard)
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max([*dashboard.kiosk_printed_per_day, 1]) + 1
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.lines[0].strokeColor = colors.HexColor("#6b5b95")
    chart.lines[0].strokeWidth = 1.4
    drawing.add(chart)
    return drawing


def render_dashboard_pdf(
    dashboard: Dashboard, *, office: str = "中卫市自然资源局", generated_at: datetime | None = None
) -> bytes:
    """The dashboard as PDF bytes. Refuses (ValidationError) text the font cannot print, naming the field."""
    font = register_cjk_font()
    st = _styles(font)
    check_printable({f"逾期业务 {o.case_number} 坐落": o.location for o in dashboard.overdue})
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"统计看板 {dashboard.start:%Y-%m-%d} 至 {dashboard.end:%Y-%m-%d}",
        author=office,
        subject="不动产登记一窗受理统计",
        initialFontName=font,
    )
    story: list[Any] = [
        Paragraph(f"{office} 统计看板", st["title"]),
        Paragraph(
            f"统计区间：{dashboard.start:%Y年%m月%d日} 至 {dashboard.end:%Y年%m月%d日}（北京时间，逾期按 "
            f"{dashboard.as_of:%Y年%m月%d日} 判断）"
            + (f"；生成时间 {generated_at:%Y-%m-%d %H:%M}" if generated_at else ""),
            st["small"],
        ),
        Spacer(1, 3 * mm),
        Paragraph(
            f"受理 {dashboard.accepted_total} 件，登簿办结 {dashboard.completed_total} 件，"
            f"按时办结率 {_percent(dashboard.compliance)}；入国库 {dashboard.account_total('treasury')} 元，"
            f"入财政专户 {dashboard.account_total('fiscal')} 元；自助打印证书 {dashboard.kiosk_printed} 本。",
            st["body"],
        ),
        Paragraph("一、每日受理与办结", st["h2"]),
        cases_chart(dashboard, font),
    ]
    rows = [["业务类型", "受理", "登簿办结", "按时办结", "按时办结率", "出证件数", "受理至出证平均（小时）"]]
    for t in dashboard.types:
        rows.append(
            [
                t.label,
                str(t.accepted),
                str(t.completed),
                str(t.on_time),
                _percent(t.compliance),
                str(t.certificates),
                "—" if t.average_hours_to_certificate is None else str(t.average_hours_to_certificate),
            ]
        )
    rows.append(
        [
            "合计",
            str(dashboard.accepted_total),
            str(dashboard.completed_total),
            str(dashboard.on_time_total),
            _percent(dashboard.compliance),
            "",
            "",
        ]
    )
    story += [
        Paragraph("二、办结时限执行情况", st["h2"]),
        compliance_chart(dashboard, font),
        _table(rows, [40 * mm, 15 * mm, 18 * mm, 18 * mm, 20 * mm, 18 * mm, 35 * mm], font),
    ]

    story.append(Paragraph(f"逾期业务（{len(dashboard.overdue)} 件）", st["h2"]))
    if dashboard.overdue:
        rows = [["业务号", "业务类型", "坐落", "受理日", "办结期限", "状态", "逾期天数"]]
        for o in dashboard.overdue:
            state = (
                o.status.label if o.finished_on is None else f"{o.status.label}（{o.finished_on:%m-%d}办结）"
            )
            late = (dashboard.as_of - o.due_date).days if o.finished_on is None else o.days_late
            rows.append(
                [
                    o.case_number,
                    Paragraph(o.label, st["small"]),
                    Paragraph(o.location, st["small"]),
                    f"{o.accepted_on:%Y-%m-%d}",
                    f"{o.due_date:%Y-%m-%d}",
                    state,
                    str(late),
                ]
            )
        story.append(_table(rows, [25 * mm, 30 * mm, 42 * mm, 18 * mm, 18 * mm, 26 * mm, 15 * mm], font))
    else:
        story.append(Paragraph("无逾期业务。", st["body"]))

    story += [Paragraph("三、税费入库（按结算分录统计）", st["h2"]), collections_chart(dashboard, font)]
    rows = [["入库账户", "项目", "入库笔数", "入库金额（元）", "退库金额（元）", "净额（元）"]]
    for c in dashboard.collections:
        rows.append([c.account_label, c.item, str(c.count), str(c.settled), str(c.refunded), str(c.net)])
    for account, label in (("treasury", "国库"), ("fiscal", "财政专户")):
        rows.append([f"{label}合计", "", "", "", "", str(dashboard.account_total(account))])
    story.append(_table(rows, [26 * mm, 34 * mm, 18 * mm, 30 * mm, 30 * mm, 30 * mm], font))

    story += [
        Paragraph(
            f"四、自助终端打印（成功 {dashboard.kiosk_printed} 本，失败 {dashboard.kiosk_failed} 次）",
            st["h2"],
        ),
        kiosk_chart(dashboard, font),
    ]
    doc.build(story)
    return buffer.getvalue()
