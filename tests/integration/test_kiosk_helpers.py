"""A transfer case for the kiosk tests, taken through the services to any state the kiosk meets: orders
open for both sides, paid, recorded and 缮证; plus paper in stock. No tests of its own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from registry_desk.config import Settings
from registry_desk.domain.charges import Payer
from registry_desk.domain.codes import Role
from registry_desk.payments import orders
from registry_desk.payments.local_channel import LocalChannel
from registry_desk.kiosk.identify import Identified, identify
from registry_desk.registration import certificates, intake, issuing, pickup, recording
from registry_desk.kiosk import paper_stock
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.tables import Case
from tests.integration.test_case_helpers import CLERK, MONDAY, REGISTRAR, WANG, ZHAO, build_register, transfer
from tests.unit.payments.factories import resale_quote

KIOSK = Actor(user_id=None, username="kiosk01", display_name="自助终端1", role=Role.KIOSK)
ADMIN = Actor(user_id=None, username="admin01", display_name="管理员", role=Role.ADMIN)
BUYER, SELLER = ZHAO, WANG  # 赵敏 buys 王建国's flat
FIRST_SERIAL, LAST_SERIAL = "NX2026000001", "NX2026000500"


@dataclass(frozen=True)
class KioskCase:
    case_number: str
    case_id: int
    unit_number: str
    channel: LocalChannel
    settings: Settings
    codes: dict[str, str] = field(default_factory=dict)  # ID number → the 取件码 on that person's receipt


def receipt_codes(db: Database, case_number: str, settings: Settings) -> dict[str, str]:
    """Each applicant's own 受理凭证 as the clerk prints it at acceptance; the codes read off the paper
    (ID number → code; organisations get none)."""
    codes = {}
    for party_id, _, _, id_number in issuing.receipt_applicants(db, CLERK, case_number):
        pdf = issuing.acceptance_receipt_pdf(db, CLERK, case_number, settings=settings, party_id=party_id)
        code = pickup.code_printed_on(pdf)
        if code is not None:
            codes[id_number] = code
    return codes


def print_receipts(db: Database, kc: KioskCase) -> dict[str, str]:
    """Prints the applicants' copies again (each a fresh code) and keeps the new codes on `kc`."""
    codes = receipt_codes(db, kc.case_number, kc.settings)
    kc.codes.clear()
    kc.codes.update(codes)
    return codes


def kiosk_identify(
    db: Database, kc: KioskCase, person: tuple[str, str], *, actor: Actor | None = None, **options: Any
) -> Identified:
    """`person` (name, ID number) identifies at the kiosk with the code on their own receipt."""
    return identify(
        db, actor or KIOSK, kc.case_number, person[1], kc.codes[person[1]], settings=kc.settings, **options
    )


def open_case(db: Database, data_dir: Path, *, now: datetime | None = None) -> KioskCase:
    """A transfer accepted on a fixed Monday (fixed due date) whose two orders are issued `now` (real time
    by default, so a payment QR scanned in the test is not yet expired)."""
    reg = build_register(db)
    summary = intake.accept_case(db, CLERK, transfer(reg.plain, [SELLER], [BUYER]), now=MONDAY)
    channel = LocalChannel(data_dir)
    with db.unit_of_work() as uow:
        case = uow.session.query(Case).filter_by(case_number=summary.case_number).one()
        orders.create_orders(
            uow.session,
            case.id,
            resale_quote(),
            {Payer.BUYER: BUYER, Payer.SELLER: SELLER},
            # Whole seconds: the local channel's QR carries the expiry to the second, and refuses an order
            # registered with microseconds as "not matching" (reported to the payments owner).
            (now or utc_now()).replace(microsecond=0),
            channel=channel,
        )
        case_id = case.id
        uow.commit()
    kc = KioskCase(summary.case_number, case_id, reg.plain, channel, Settings(data_dir, db.url))
    print_receipts(db, kc)
    return kc


def pay_side(db: Database, kc: KioskCase, side: str, *, now: datetime | None = None) -> None:
    """The given side pays its QR at the bank (outside the kiosk) and the settlement books it."""
    now = now or utc_now()
    with db.unit_of_work(write=False) as uow:
        views = [o for o in orders.case_orders(uow.session, kc.case_id) if o.side == side]
    for view in views:
        kc.channel.pay(view.payload, now)
    from registry_desk.payments.settlement import poll_open_orders

    poll_open_orders(db, kc.channel, now)


def make_ready(db: Database, kc: KioskCase) -> None:
    """Review, 登簿 and 缮证 (no serial: the kiosk will print it)."""
    later = datetime.now(MONDAY.tzinfo) + timedelta(minutes=1)
    recording.record_case(db, REGISTRAR, kc.case_number, now=later)
    certificates.mark_certificate_ready(db, REGISTRAR, kc.case_number, now=later)


def ready_case(db: Database, data_dir: Path) -> KioskCase:
    kc = open_case(db, data_dir)
    pay_side(db, kc, "buyer")
    pay_side(db, kc, "seller")
    make_ready(db, kc)
    return kc


def load_paper(db: Database, first: str = FIRST_SERIAL, last: str = LAST_SERIAL) -> None:
    paper_stock.load_range(db, ADMIN, first, last)
