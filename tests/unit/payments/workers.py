"""Helpers for the multi-process payment tests: a stub channel for issuing, the delivery workers run in
child processes (importable by name, as spawn and forkserver children need), and the scenario builder."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from registry_desk.domain.money import Money
from registry_desk.payments import orders
from registry_desk.payments.channel import (
    STATUS_PAID,
    ChannelOrder,
    ChannelStatus,
    PaymentEvent,
    notification_body,
)
from registry_desk.storage.database import Database
from tests.unit.payments.factories import NOW, TAXPAYERS, make_case, resale_quote


class IssuingChannel:
    """Issues orders without a bank round trip (the workers verify notifications with the real key)."""

    name = "local"

    def register_order(self, order: ChannelOrder) -> str:
        return f"STUB|{order.order_no}"

    def close(self, order_no: str) -> None:
        pass


@dataclass(frozen=True)
class Scenario:
    deliveries: list[tuple]
    paid: dict[str, int]  # order no → fen actually paid
    due: dict[str, int]  # order no → fen due
    forged: int
    cases: int


def build_scenario(db: Database, signer, cases: int, deliveries: int, seed: int = 20260312) -> Scenario:
    """`cases` resale cases (two orders each); most orders paid, a few one fen short, a few unpaid; then
    `deliveries` reports: genuine notifications and query results, repeated, shuffled, and forged ones."""
    rng = random.Random(seed)
    due: dict[str, int] = {}
    with db.unit_of_work() as uow:
        for n in range(1, cases + 1):
            case = make_case(uow.session, n)
            for order in orders.create_orders(
                uow.session, case.id, resale_quote(), TAXPAYERS, NOW, channel=IssuingChannel()
            ):
                due[order.order_no] = order.amount.fen
        uow.commit()
    paid: dict[str, int] = {}
    genuine: list[tuple] = []
    for i, (order_no, fen) in enumerate(sorted(due.items())):
        if i % 50 == 7:
            continue  # never paid
        amount = fen - 1 if i % 50 == 13 else fen  # a bank that booked one fen short
        paid[order_no] = amount
        at = NOW + timedelta(minutes=1, seconds=i % 600)
        txn = f"LC20260312{i:012d}"
        status = ChannelStatus(order_no, STATUS_PAID, txn, Money.of_fen(amount), at)
        body = notification_body("local", status)
        genuine.append(("notify", body, signer.sign_notification(body)))
        genuine.append(("poll", txn, order_no, amount, at.isoformat()))
    out: list[tuple] = list(genuine)
    forged = 0
    unpaid = [o for o in due if o not in paid]
    while len(out) < deliveries:
        roll = rng.random()
        if roll < 0.1:
            _, body, signature = rng.choice([d for d in genuine[::2]])
            forged_body = (
                body.replace(b'"status":2', b'"status":2 ')
                if rng.random() < 0.3
                else body.replace(b'"amount":"', b'"amount":"1')
            )
            out.append(("notify", forged_body, signature))
            forged += 1
        elif roll < 0.15 and unpaid:
            order_no = rng.choice(unpaid)
            status = ChannelStatus(
                order_no,
                STATUS_PAID,
                f"FAKE{rng.randrange(10**9)}",
                Money.of_fen(due[order_no]),
                NOW + timedelta(minutes=2),
            )
            out.append(("notify", notification_body("local", status), "0" * 64))
            forged += 1
        else:
            out.append(rng.choice(genuine))  # a replay
    rng.shuffle(out)
    return Scenario(out, paid, due, forged, cases)


def deliver(url: str, data_dir: str, deliveries: list[tuple], now_iso: str) -> dict[str, int]:
    """Runs in a child process: hands every delivery to settlement; returns how each ended."""
    from registry_desk.payments.local_channel import LocalChannel
    from registry_desk.payments.settlement import ForgedNotification, handle_notification, record_payment

    db = Database(url)
    channel = LocalChannel(Path(data_dir))
    now = datetime.fromisoformat(now_iso)
    counts: dict[str, int] = {}
    try:
        for delivery in deliveries:
            if delivery[0] == "notify":
                try:
                    result = handle_notification(db, channel, delivery[1], delivery[2], now).result
                except ForgedNotification:
                    result = "forged"
            else:
                _, txn, order_no, fen, at = delivery
                event = PaymentEvent(
                    "local", txn, order_no, Money.of_fen(fen), datetime.fromisoformat(at), "poll"
                )
                result = record_payment(db, event, now).result
            counts[result] = counts.get(result, 0) + 1
    finally:
        db.dispose()
    return counts


def settle_forever(url: str, data_dir: str, deliveries: list[tuple], now_iso: str, seed: int) -> None:
    """Runs in a child the parent SIGKILLs at a random moment: delivers in a random order, over and over."""
    rng = random.Random(seed)
    work = list(deliveries)
    while True:
        rng.shuffle(work)
        deliver(url, data_dir, work, now_iso)
