"""Issue #6 figure: the kiosk's print — from "打印" pressed to the PDF written with --print-to (checks, serial
taken, sealed render, file, hand-over) — against rendering and sealing the same certificate alone."""

from __future__ import annotations

import itertools
import shutil
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from registry_desk.demo.benchmarks.runner import Figure
from registry_desk.config import Settings
from registry_desk.domain.cases import IntakeRequest, PartyInput
from registry_desk.domain.codes import IdType, PartyRole, RightStatus, RightType, Role
from registry_desk.domain.identifiers import resident_id_check_char
from registry_desk.domain.money import Money
from registry_desk.registration import certificates, intake, payment_status, recording
from registry_desk.demo import demo_data
from registry_desk.registration import issuing
from registry_desk.kiosk import service as kiosk
from registry_desk.kiosk import paper_stock
from registry_desk.kernel.context import Actor
from registry_desk.storage import migrate
from registry_desk.storage.database import Database
from registry_desk.storage.tables import Right, RightParty, Unit

KIOSK = Actor(None, "bench-kiosk", "基准自助终端", Role.KIOSK)
CLERK = Actor(None, "bench-clerk", "基准受理员", Role.CLERK)
CASHIER = Actor(None, "bench-cashier", "基准收费员", Role.CASHIER)
REGISTRAR = Actor(None, "bench-registrar", "基准登簿员", Role.REGISTRAR)
ADMIN = Actor(None, "bench-admin", "基准管理员", Role.ADMIN)
TRANSFER_MATERIALS = ("application", "identity", "title_certificate", "sale_contract", "tax_receipt")


def _clean_units(db: Database, n: int) -> list[tuple[str, str, str, str]]:
    """(unit number, owner name, owner ID) of demo units held by one person with nothing else on them."""
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        busy = (
            select(Right.unit_id)
            .where(Right.status == RightStatus.CURRENT)
            .group_by(Right.unit_id)
            .having(func.count() > 1)
        )
        rows = s.execute(
            select(Unit.unit_number, RightParty.party_id)
            .join(Right, Right.unit_id == Unit.id)
            .join(RightParty, RightParty.right_id == Right.id)
            .where(
                Right.status == RightStatus.CURRENT,
                Right.right_type == RightType.OWNERSHIP,
                Unit.id.not_in(busy),
            )
            .order_by(Unit.id)
        ).all()
        owners: dict[str, list[int]] = {}
        for number, party_id in rows:
            owners.setdefault(number, []).append(party_id)
        from registry_desk.storage.tables import Party

        picked = []
        for number, ids in owners.items():
            if len(ids) != 1:
                continue
            party = s.get(Party, ids[0])
            if party is not None and party.id_type is IdType.RESIDENT_ID:
                picked.append((number, party.name, party.id_number))
            if len(picked) == n:
                break
    return picked


def prepare(work_dir: Path, n: int) -> tuple[Database, Settings, list[tuple[kiosk.Identified, str]]]:
    """A demo register with `n` transfers at 缮证, each buyer identified at the kiosk, and paper loaded."""
    folder = work_dir / "kiosk"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db = Database(f"sqlite:///{folder / 'kiosk.sqlite3'}")
    migrate.upgrade(db.engine)
    demo_data.load_demo(db)
    settings = Settings(folder, db.url)
    when = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    ready: list[tuple[kiosk.Identified, str]] = []
    for index, (unit, seller, seller_id) in enumerate(_clean_units(db, n)):
        body = f"64050219900101{index:03d}"[:17]
        buyer_id = body + resident_id_check_char(body)
        request = IntakeRequest(
            business_type="transfer",
            unit_number=unit,
            parties=(
                PartyInput(PartyRole.OBLIGOR, seller, IdType.RESIDENT_ID, seller_id),
                PartyInput(PartyRole.RIGHT_HOLDER, f"买受人{index:03d}", IdType.RESIDENT_ID, buyer_id),
            ),
            materials={code: "paper" for code in TRANSFER_MATERIALS},
            price=Money.yuan(Decimal(500000)),
        )
        case = intake.accept_case(db, CLERK, request, now=when)
        payment_status.confirm_payment(db, CASHIER, case.case_number, now=when)
        result = recording.record_case(db, REGISTRAR, case.case_number, now=when + timedelta(hours=1))
        certificates.mark_certificate_ready(db, REGISTRAR, case.case_number, now=when + timedelta(hours=1))
        who = kiosk.identify(db, KIOSK, case.case_number, buyer_id)
        ready.append((who, result.issued_certificates[0]))
    paper_stock.load_range(db, ADMIN, "BM0000000001", f"BM{len(ready) + 10:010d}")
    return db, settings, ready


def figures(ctx) -> list[Figure]:  # type: ignore[no-untyped-def]
    n = max(5, min(ctx.repeat, 60))
    warmup = 2
    db, settings, ready = prepare(Path(ctx.work_dir), n + warmup)
    if len(ready) < n + warmup:
        raise RuntimeError(f"演示登记簿只有 {len(ready)} 个可用于基准的单元，少于 {n + warmup}")
    from registry_desk.ui.kiosk.printing import DirectoryOutput

    out = DirectoryOutput(Path(ctx.work_dir) / "kiosk" / "printed")
    kit = issuing.centre_kit(settings)
    with db.unit_of_work(write=False) as uow:
        rows = [issuing.load_certificate(uow.session, number) for _who, number in ready]
        for row in rows:
            issuing.ensure_payload(row, kit)
            _ = row.unit  # loaded before the session ends
        uow.session.expunge_all()
    next_print = itertools.count()

    def candidate(_i: int) -> object:
        who, number = ready[next(next_print)]  # one print per certificate: each press prints the next case
        outcome = kiosk.print_certificate(db, KIOSK, who, number, out, settings=settings)
        assert outcome.ok, outcome.message
        return outcome

    def baseline(i: int) -> bytes:
        cert = rows[i % len(rows)]
        assert cert.qr_payload is not None
        return issuing.render_certificate(cert, cert.qr_payload, kit)

    return [
        Figure(
            "kiosk print: pressed to the PDF written (--print-to)",
            "#6",
            2.0,
            candidate=candidate,
            baseline=baseline,
            repeat=n,
            warmup=warmup,
            note=f"{n} different certificates at 缮证 on the demo register (one print each); baseline renders and "
            "seals a certificate alone",
        )
    ]
