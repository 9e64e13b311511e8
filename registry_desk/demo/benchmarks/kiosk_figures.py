"""Issue #6 figure: the kiosk's print — from "打印" pressed to the PDF written with --print-to (checks, serial
taken, sealed render, file, hand-over) — against rendering and sealing the same certificate alone.

The kiosk's outputs live in the ui (ui/kiosk/printing.py, beside the Qt printer), above this layer: the bench
command (commands/bench.py) hands the --print-to output in as `output`, so the figure measures the path a
real kiosk takes without importing the ui.
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from registry_desk.demo.benchmarks.runner import Figure
from registry_desk.config import Settings
from registry_desk.domain.cases import IntakeRequest, PartyInput
from registry_desk.domain.codes import IdType, PartyRole, Role
from registry_desk.domain.identifiers import resident_id_check_char
from registry_desk.domain.money import Money
from registry_desk.registration import certificates, intake, payment_status, recording
from registry_desk.demo import demo_data
from registry_desk.registration import issuing, pickup
from registry_desk.kiosk import paper_stock
from registry_desk.kiosk.identify import Identified, identify
from registry_desk.kiosk.printing import Deliver, print_certificate
from registry_desk.kernel.context import Actor
from registry_desk.storage import migrate
from registry_desk.storage.database import Database
from registry_desk.storage.kiosk import lookups

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
        owners: dict[str, list[int]] = {}
        for number, party_id in lookups.ownership_parties_of_unencumbered_units(s):
            owners.setdefault(number, []).append(party_id)
        picked = []
        for number, ids in owners.items():
            if len(ids) != 1:
                continue
            party = lookups.party_by_id(s, ids[0])
            if party is not None and party.id_type is IdType.RESIDENT_ID:
                picked.append((number, party.name, party.id_number))
            if len(picked) == n:
                break
    return picked


def prepare(work_dir: Path, n: int) -> tuple[Database, Settings, list[tuple[Identified, str]]]:
    """A demo register with `n` transfers at 缮证, each buyer identified at the kiosk, and paper loaded."""
    folder = work_dir / "kiosk"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    db = Database(f"sqlite:///{folder / 'kiosk.sqlite3'}")
    migrate.upgrade(db.engine)
    demo_data.load_demo(db)
    settings = Settings(folder, db.url)
    when = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    ready: list[tuple[Identified, str]] = []
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
        buyer_party = next(
            pid
            for pid, _, _, id_number in issuing.receipt_applicants(db, CLERK, case.case_number)
            if id_number == buyer_id
        )
        receipt = issuing.acceptance_receipt_pdf(
            db, CLERK, case.case_number, settings=settings, party_id=buyer_party, now=when
        )
        code = pickup.code_printed_on(receipt)
        assert code is not None
        who = identify(db, KIOSK, case.case_number, buyer_id, code, settings=settings)
        ready.append((who, result.issued_certificates[0]))
    paper_stock.load_range(db, ADMIN, "BM0000000001", f"BM{len(ready) + 10:010d}")
    return db, settings, ready


def figures(ctx, *, output: Callable[[Path], Deliver]) -> list[Figure]:  # type: ignore[no-untyped-def]
    """`output(folder)` is the kiosk's --print-to output (ui/kiosk/printing.py's DirectoryOutput)."""
    n = max(5, min(ctx.repeat, 60))
    warmup = 2
    db, settings, ready = prepare(Path(ctx.work_dir), n + warmup)
    if len(ready) < n + warmup:
        raise RuntimeError(f"演示登记簿只有 {len(ready)} 个可用于基准的单元，少于 {n + warmup}")
    out = output(Path(ctx.work_dir) / "kiosk" / "printed")
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
        outcome = print_certificate(db, KIOSK, who, number, out, settings=settings)
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
