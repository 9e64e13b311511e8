"""Issue #3 figures: rendering one certificate against a bare reportlab page with the same text, font and QR;
recording a case (register update + number + audit) against the bare inserts of the same rows, on SQLite."""

from __future__ import annotations

import io
import random
from datetime import date, datetime, timezone

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from registry_desk.demo.benchmarks.runner import Figure
from registry_desk.documents.certificate_pdf import (
    RightCertificateView,
    render_right_certificate,
    right_certificate_page,
)
from registry_desk.documents.fonts import register_cjk_font
from registry_desk.documents.qr import qr_png
from registry_desk.domain.cases import IntakeRequest, NoticeTerms, PartyInput
from registry_desk.domain.codes import AdvanceNoticeKind, IdType, PartyRole, Role
from registry_desk.domain.identifiers import resident_id_check_char
from registry_desk.registration import intake, recording
from registry_desk.kernel.context import Actor
from registry_desk.storage import migrate
from registry_desk.storage.database import Database
from registry_desk.storage.demo import figures as read

# A realistic, long-ish certificate (REFERENCE §4's example values).
VIEW = RightCertificateView(
    number="宁(2026)中卫市不动产权第0001234号",
    right_holders="马晓玥、杨堃",
    co_ownership="共同共有",
    location="中卫市沙坡头区应理南街188号黄河湾小区3号楼2单元1502室",
    unit_number="640502001002GB00017F00030502",
    right_type="国有建设用地使用权/房屋所有权",
    right_nature="出让/商品房",
    use="城镇住宅用地/住宅",
    area="共用宗地面积2520.38㎡/房屋建筑面积255.87㎡",
    term="国有建设用地使用权 2012年05月01日起2082年04月30日止",
    other_status="房屋结构:混合结构 专有建筑面积:237.66㎡，分摊建筑面积:18.21㎡ 房屋总层数:11层，所在层数:第15层",
    notes="业务号2026030200012；原证号宁(2019)中卫市不动产权第0004321号",
    issued_on=date(2026, 3, 2),
    qr_payload="ZWBDC1.k1." + "A" * 300,
)


def render_figure(repeat: int) -> Figure:
    font = register_cjk_font()
    page = right_certificate_page(VIEW)
    lines = page.text_lines()

    def bare(_i: int) -> bytes:
        # The same texts in the same font and the same QR image, placed line by line: no table, wrapping
        # or glyph check. What the project's layout adds is the ratio.
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=A4, initialFontName=font)
        canvas.setFont(font, 11)
        y = 800.0
        for text in lines:
            canvas.drawString(60, y, text[:60])
            y -= 16
        canvas.drawImage(ImageReader(io.BytesIO(qr_png(VIEW.qr_payload))), 420, 60, 110, 110)
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    return Figure(
        "render one certificate PDF",
        "#3",
        2.0,
        candidate=lambda i: render_right_certificate(VIEW),
        baseline=bare,
        repeat=max(20, repeat // 4),
        note="candidate: the 不动产权证书 renderer (glyph check, ruled table, wrapping, QR); "
        "baseline: the same text lines, font and QR drawn plainly",
    )


REGISTRAR = Actor(None, "bench-registrar", "登簿员", Role.REGISTRAR)
CLERK = Actor(None, "bench-clerk", "受理员", Role.CLERK)
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # a Monday morning in Beijing, a confirmed year


def _buyer_id(i: int) -> str:
    body = f"640502199{i % 10}0{1 + i % 9}{10 + i % 18:02d}{i % 1000:03d}"[:17]
    return body + resident_id_check_char(body)


def _prepare_cases(db: Database, count: int) -> list[str]:
    """Accepted advance-notice cases (其它不动产买卖预告: free, so no payment step) waiting for the registrar."""
    with db.unit_of_work(write=False) as uow:
        rows = read.ownerships_to_sell(uow.session, count * 2)
        owners: dict[int, list[tuple[str, str, IdType]]] = {}
        for rid, name, number, id_type in read.holders_of_rights(uow.session, [r for _u, r in rows]):
            owners.setdefault(rid, []).append((name, number, id_type))
    numbers: list[str] = []
    for i, (unit_number, rid) in enumerate(rows):
        if len(numbers) >= count:
            break
        sellers = owners.get(rid, [])
        parties = [PartyInput(PartyRole.RIGHT_HOLDER, f"预告买受人{i}", IdType.RESIDENT_ID, _buyer_id(i))]
        parties += [PartyInput(PartyRole.OBLIGOR, n, t, num) for n, num, t in sellers]
        request = IntakeRequest(
            business_type="advance_notice",
            unit_number=unit_number,
            parties=tuple(parties),
            materials={
                "application": "paper",
                "identity": "paper",
                "sale_contract": "paper",
                "title_certificate": "paper",
            },
            notice=NoticeTerms(kind=AdvanceNoticeKind.OTHER_PURCHASE),
        )
        try:
            numbers.append(intake.accept_case(db, CLERK, request, now=NOW).case_number)
        except Exception:  # noqa: BLE001 - a synthetic unit that does not fit is simply skipped
            continue
    return numbers


def record_figure(work_dir, repeat: int) -> Figure:  # type: ignore[no-untyped-def]
    from registry_desk.demo import synthetic

    path = work_dir / "recording-bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        (work_dir / f"recording-bench.sqlite3{suffix}").unlink(missing_ok=True)
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db.engine)
    n = max(30, repeat // 4)
    synthetic.generate(db, (n + 10) * 5, seed=7)
    # The candidate records the first half; the baseline's plain UPDATE touches the second half's rows.
    prepared = _prepare_cases(db, 2 * (n + 10))
    half = len(prepared) // 2
    numbers, spare = prepared[:half], prepared[half:]
    with db.unit_of_work(write=False) as uow:
        spare_rows = read.case_and_unit_ids(uow.session, spare)
    raw = read.bare_recording_connection(db)
    fields = '{"证明权利或事项": "其它不动产买卖预告登记"}'
    rng = random.Random(3)
    stamp = NOW.replace(tzinfo=None).isoformat(sep=" ")

    def bare(i: int) -> None:
        # The same rows as plain statements (storage/demo/figures.py), numbers from a range no real
        # allocation uses, so both sides can run on the same database.
        case_id, unit_id = spare_rows[i]
        number = f"BENCH-{i}-{rng.random()}"
        audit_seq = 10**9 + i + rng.randrange(10**6) * 1000
        read.record_bare(
            raw,
            case_id=case_id,
            unit_id=unit_id,
            party=1 + i,
            number=number,
            seq=10_000 + i,
            audit_seq=audit_seq,
            stamp=stamp,
            fields=fields,
        )

    def candidate(i: int) -> None:
        recording.record_case(db, REGISTRAR, numbers[i], now=NOW)

    return Figure(
        "record a case (register, number, audit) on SQLite",
        "#3",
        5.0,
        candidate=candidate,
        baseline=bare,
        repeat=n,
        warmup=max(0, min(5, len(numbers) - n)),
        note="candidate: record_case of an accepted 其它不动产买卖预告 (rules re-checked under the unit lock, "
        "new right and parties, 证明 number, audit); baseline: the same rows as plain INSERT/UPDATE statements",
    )


def figures(ctx) -> list[Figure]:  # type: ignore[no-untyped-def]
    return [render_figure(ctx.repeat), record_figure(ctx.work_dir, ctx.repeat)]
