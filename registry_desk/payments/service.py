"""税费同缴 at the counter: a case's quote and payment orders at acceptance, its payment QR blocks, the poll
that settles and issues receipts, voiding on closure, and the cashier's refunds.

Decisions (issue #5):
- Orders are issued right after the acceptance's transaction, not inside it: the channel is a foreign system
  and a case must not be lost because the bank did not answer. `ensure_orders` is idempotent and retryable —
  a case in 待缴费 without a live order gets one the next time the window shows it, and an expired one is
  voided and reissued with the same items.
- Settlement moves the case (payments.settlement → payment_status.mark_paid_in); `payment_status.confirm_payment` is only the
  cashier's audited cash override for a case that never got an order.
- Closing a case (撤回, 驳回, 不予受理) voids its unpaid orders at once and automatically (no money moves);
  money already settled is refunded only when a cashier confirms it (`refund_closed_case`), because a refund
  pays money out and must carry a person's name.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from registry_desk.config import Settings
from registry_desk.documents.receipt_pdf import PaymentBlock
from registry_desk.domain.cases import MORTGAGE_CANCEL, MORTGAGE_FIRST, TRANSFER, TransferTaxFacts
from registry_desk.domain.charges import Payer, Quote
from registry_desk.domain.codes import CaseStatus, PartyRole, Role
from registry_desk.domain.errors import DomainError, NotFound, RuleViolation
from registry_desk.domain.fees import Business
from registry_desk.domain.money import Money
from registry_desk.domain.quote_request import QuotedUnit, build_quote_request
from registry_desk.domain.taxes import District
from registry_desk.payments import orders as order_service
from registry_desk.payments.channel import CHINA_TZ, PaymentChannel, PaymentEvent, as_utc
from registry_desk.domain.payment_orders import OPEN, SETTLED, VOIDED
from registry_desk.payments.orders import OrderView, Taxpayer
from registry_desk.payments.receipts import (
    ReceiptTools,
    ReceiptView,
    list_receipts,
    produce_missing_receipt_documents,
    produce_receipt_documents,
)
from registry_desk.payments.refunds import RefundReport, refund_case
from registry_desk.payments.settlement import PollReport, poll_open_orders, record_payment
from registry_desk.kernel import audit
from registry_desk.registration import closing, intake, payment_status, queries, versioning
from registry_desk.domain import clock
from registry_desk.domain.cases import CaseSummary
from registry_desk.kernel.context import Actor, utc_now
from registry_desk.storage.database import Database
from registry_desk.storage.ledger import orders as stored
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Case

PAYMENT_SYSTEM = "system:payment-flow"

# The business keys of the case workflow → the quote's business (fees and their payers).
_BUSINESS = {
    TRANSFER: Business.TRANSFER,
    MORTGAGE_FIRST: Business.MORTGAGE,
    MORTGAGE_CANCEL: Business.MORTGAGE_CANCEL,
    "advance_notice": Business.ADVANCE_NOTICE,
}

# Counties of Zhongwei (GB/T 2260): 沙坡头区 is the city; 中宁县 and 海原县 are county seats and towns
# [unverified per unit: a unit outside the town proper pays 1% 城建税; the clerk corrects the district].
_DISTRICT_BY_COUNTY = {"640502": District.CITY, "640521": District.COUNTY, "640522": District.COUNTY}


def channel_for(settings: Settings) -> PaymentChannel:
    """The collecting bank of this installation: the embedded LocalChannel in the data dir by default."""
    from registry_desk.payments.local_channel import LocalChannel

    return LocalChannel(settings.data_dir)


# ---------------------------------------------------------------------------------------------------------
# The quote of a stored case


def default_tax_facts(county_code: str | None, contract_date: date) -> TransferTaxFacts:
    """What the intake form shows before the clerk confirms: the only home for the buyer, held five years,
    not the seller's only home (so 个税 is charged unless the clerk ticks it), the unit's district."""
    district = _DISTRICT_BY_COUNTY.get(county_code or "", District.CITY)
    return TransferTaxFacts(contract_date=contract_date, district=district.value)


def quote_for_case(case: Case) -> Quote:
    """The case's taxes and fees from what was accepted (price, tax facts, unit's use and area), through the
    same request builder as the intake form's trial quote (domain/quote_request.py)."""
    business = _BUSINESS[case.business_type]
    on = clock.local_date(case.accepted_at)
    form = case.form or {}
    facts = None
    if business is Business.TRANSFER:
        facts = (
            TransferTaxFacts.from_form(form["tax"])
            if form.get("tax")
            else default_tax_facts(case.unit.county_code, on)
        )
    price = Money.of_fen(int(form["price_fen"])) if form.get("price_fen") is not None else None
    from registry_desk.kernel.quote import compute_quote

    return compute_quote(
        build_quote_request(
            business,
            on=on,
            unit=QuotedUnit.of(case.unit),
            holders_wanting_own=sum(
                1 for cp in case.parties if cp.role is PartyRole.RIGHT_HOLDER and cp.wants_own_certificate
            ),
            price=price,
            tax_facts=facts,
            record=case.case_number,
        )
    )


# Which case parties pay for each side of the quote (the first of them is the 缴款人/纳税人).
_SIDE_ROLES = {
    Payer.BUYER: PartyRole.RIGHT_HOLDER,
    Payer.SELLER: PartyRole.OBLIGOR,
    Payer.MORTGAGEE: PartyRole.RIGHT_HOLDER,
    Payer.MORTGAGOR: PartyRole.OBLIGOR,
}


def taxpayers_for_case(case: Case, quote: Quote) -> dict[Payer, Taxpayer]:
    """Each paying side's taxpayer from the case parties: the first 权利人 pays the buyer's (and the bank's)
    lines, the first 义务人 the seller's; an applicant-paid line falls to the first party."""
    found: dict[Payer, Taxpayer] = {}
    parties = sorted(case.parties, key=lambda cp: cp.position)
    for line in quote.payable_lines():
        side = line.payer
        if side in found:
            continue
        role = _SIDE_ROLES.get(side)
        chosen = next((cp for cp in parties if cp.role is role), None) if role else None
        chosen = chosen or (parties[0] if parties else None)
        if chosen is None:
            raise RuleViolation(
                f"业务 {case.case_number} 没有可作为{side.label}缴款人的当事人",
                rule="每个缴费方须有缴款人",
                record=case.case_number,
            )
        found[side] = Taxpayer(chosen.party.name, chosen.party.id_number.strip().upper())
    return found


def _load_case(session: Session, case_number: str) -> Case:
    number = case_number.strip()
    case = stored.case_with_parties(session, number)
    if case is None:
        raise NotFound(f"没有业务号为 {number} 的业务", rule="税费同缴按业务号查询", record=number)
    return case


# ---------------------------------------------------------------------------------------------------------
# Orders at acceptance


def ensure_orders(
    db: Database,
    channel: PaymentChannel,
    actor: Actor,
    case_number: str,
    *,
    now: datetime | None = None,
) -> list[OrderView]:
    """Gives every paying side of a case in 待缴费 a live order: issues missing ones, reissues expired unpaid
    ones; sides with a live, settled or disputed order are left alone. Safe to call again at any time
    (the window does on every showing); returns the case's current orders. The orders it issues name
    `actor` (whoever showed the case: clerk, cashier, the kiosk for its citizen) as their issuer.

    A charged case whose quote comes to nothing (every line exempt) has nothing to pay and goes to 审核.
    """
    now = as_utc(now or utc_now())
    created_by = actor.username
    with db.unit_of_work() as uow:
        s = uow.session
        case = _load_case(s, case_number)
        if case.status is not CaseStatus.AWAITING_PAYMENT:
            return order_service.case_orders(s, case.id)
        quote = quote_for_case(case)
        payable = quote.payable_lines()
        if not payable:
            locked = stored.lock_case(s, case.id)
            assert locked is not None
            payment_status.mark_paid_in(
                s,
                _system_actor(),
                locked,
                now=now,
                detail={"method": "none", "note": "应缴税费为零（免征或免收），无需缴款"},
            )
            uow.commit()
            return []
        taxpayers = taxpayers_for_case(case, quote)
        current = {o.side: o for o in stored.live_orders_of_case(s, case.id)}
        changed = False
        for side in dict.fromkeys(line.payer for line in payable):
            order = current.get(str(side))
            if order is None:
                side_quote = Quote(tuple(line for line in quote.lines if line.payer is side))
                order_service.create_orders(
                    s,
                    case.id,
                    side_quote,
                    {side: taxpayers[side]},
                    now,
                    channel=channel,
                    created_by=created_by,
                )
                changed = True
            elif order.status == OPEN and now >= as_utc(order.expires_at):
                order_service.reissue_order(s, case.id, side, now, channel=channel, created_by=created_by)
                changed = True
        views = order_service.case_orders(s, case.id)
        if changed:
            uow.commit()
        return views


def _system_actor() -> Actor:
    return Actor(None, PAYMENT_SYSTEM, "税费同缴", Role.CASHIER)


@dataclass(frozen=True)
class Acceptance:
    """What accepting at the window produced: the case, its orders, and why orders are missing if they are
    (the case stands accepted either way; the panel retries)."""

    summary: CaseSummary
    orders: tuple[OrderView, ...] = ()
    payment_error: str | None = None
    material_error: str | None = None  # the bank's sealed contract read at intake could not be attached


def accept_and_bill(
    db: Database,
    actor: Actor,
    request: Any,
    channel: PaymentChannel,
    *,
    now: datetime | None = None,
    prefilled: Any = None,
) -> Acceptance:
    """受理 then, right after, the payment orders of a charged case (free cases go straight to 审核).

    `prefilled` (a prefill_form.Prefill, as `as_accepted(request)` made it) adds the audit event naming where
    each prefilled field came from and what the clerk changed, saved in the acceptance's own transaction.
    The orders follow in a transaction of their own: should that fail, the case stands accepted and the
    window says why the orders are missing (the payment panel makes them later).
    """
    from registry_desk.registration import prefill as prefill_service

    now = now or utc_now()
    also_audit = prefill_service.prefill_audit(prefilled) if prefilled is not None else None
    summary = intake.accept_case(db, actor, request, now=now, also_audit=also_audit)
    if summary.status is not CaseStatus.AWAITING_PAYMENT:
        return Acceptance(summary)
    try:
        made = ensure_orders(db, channel, actor, summary.case_number, now=now)
    except DomainError as error:
        return Acceptance(summary, (), str(error))
    except OSError as error:  # the channel's store could not be reached: the case stays, orders follow
        return Acceptance(summary, (), f"收款渠道暂不可用（{error}），缴款单将在下次打开业务时开具")
    return Acceptance(queries.get_case(db, actor, summary.case_number), tuple(made), None)


def attach_bank_contract(
    db: Database, actor: Actor, settings: Settings, accepted: Acceptance, pdf: bytes
) -> Acceptance:
    """After 受理 of a first mortgage prefilled from the bank's sealed contract: the same PDF becomes the
    case's 抵押合同 as an electronically sealed material (verified again, against the case's mortgagee).
    Should that fail, the case stands accepted with the material missing, and the window says why."""
    from registry_desk.exemptions import service as exemptions

    number = accepted.summary.case_number
    try:
        exemptions.import_sealed_file(db, actor, settings, number, "mortgage_contract", pdf)
    except DomainError as error:
        return replace(accepted, material_error=str(error))
    return replace(accepted, summary=queries.get_case(db, actor, number))


# ---------------------------------------------------------------------------------------------------------
# What the window and the receipt show


@dataclass(frozen=True)
class SidePayment:
    """One paying side's order as the payment panel shows it."""

    order: OrderView
    taxpayer: str

    @property
    def title(self) -> str:
        return f"{self.order.side_label}：{self.taxpayer}"


@dataclass(frozen=True)
class CasePayment:
    case_number: str
    case_id: int
    status: CaseStatus
    payment_required: bool
    sides: tuple[SidePayment, ...]
    receipts: tuple[ReceiptView, ...]
    refundable: bool = False  # closed case with settled money: the cashier may refund

    @property
    def paid(self) -> bool:
        return bool(self.sides) and all(s.order.status == SETTLED for s in self.sides)

    @property
    def total(self) -> Money:
        return sum((s.order.amount for s in self.sides), Money.zero())


def case_payment(db: Database, case_number: str) -> CasePayment:
    """The case's live orders per side, with receipts (what the payment panel draws)."""
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        case = _load_case(s, case_number)
        views = order_service.case_orders(s, case.id)
        sides = tuple(SidePayment(v, v.lines[0].taxpayer_name if v.lines else "") for v in views)
        refundable = case.status in (
            CaseStatus.WITHDRAWN,
            CaseStatus.REFUSED,
            CaseStatus.NOT_ACCEPTED,
        ) and any(v.status == SETTLED for v in views)
        return CasePayment(
            case.case_number,
            case.id,
            case.status,
            case.payment_required,
            sides,
            tuple(list_receipts(s, case.id)),
            refundable,
        )


def payment_block(side: SidePayment) -> PaymentBlock:
    """The 应缴税费 block of the 受理凭证 for one side: itemised lines, total and (while unpaid) the QR."""
    order = side.order
    lines = tuple((f"{line.item}（{line.taxpayer_name}）", str(line.amount)) for line in order.lines)
    open_order = order.status == OPEN
    total = str(order.amount) if open_order else f"{order.amount}（{order.status_label}）"
    return PaymentBlock(
        lines=lines,
        total=total,
        payment_qr_payload=order.payload if open_order else None,
        expires_at=order.expires_at.astimezone(CHINA_TZ) if open_order else None,
    )


def acceptance_receipts(
    db: Database,
    actor: Actor,
    case_number: str,
    *,
    settings: Settings,
    channel: PaymentChannel | None = None,
    party_ids: Collection[int] | None = None,
) -> list[tuple[str, bytes]]:
    """The sealed 受理凭证, one copy per applicant: each carries that applicant's own 取件码 (a fresh one:
    printing again voids the earlier code) and the lines and QR of the side they pay for (买方联, 卖方联 …;
    the name is added where a side has several applicants). With `channel`, missing or expired orders are
    issued first. `party_ids` limits a reprint to the applicants standing at the window: every copy printed
    voids its applicant's earlier code, so nobody should be handed another applicant's copy."""
    from registry_desk.registration import issuing

    # Checked before any order is issued: the kiosk prints certificates, never a case's receipts.
    actor.require(Role.CLERK, Role.REGISTRAR, Role.CASHIER, operation="打印受理凭证")
    if channel is not None:
        ensure_orders(db, channel, actor, case_number)
    payment = case_payment(db, case_number)
    applicants = issuing.receipt_applicants(db, actor, case_number)

    def side_of(id_number: str) -> SidePayment | None:
        wanted = id_number.upper()
        return next(
            (
                side
                for side in payment.sides
                if any(line.taxpayer_id.upper() == wanted for line in side.order.lines)
            ),
            None,
        )

    sides = [side_of(id_number) for _, _, _, id_number in applicants]
    copies = []
    for (party_id, role, name, _), side in zip(applicants, sides, strict=True):
        if party_ids is not None and party_id not in party_ids:
            continue
        if side is None:
            shared = len(applicants) > 1
            label = f"{role}（{name}）" if shared else ""
        else:
            shared = sum(1 for other in sides if other is side) > 1
            label = f"{side.order.side_label}联" + (f"（{name}）" if shared else "")
        pdf = issuing.acceptance_receipt_pdf(
            db,
            actor,
            case_number,
            settings=settings,
            payment=payment_block(side) if side is not None else None,
            party_id=party_id,
        )
        copies.append((label, pdf))
    return copies


# ---------------------------------------------------------------------------------------------------------
# Learning of payments


@dataclass
class PollResult:
    report: PollReport
    case_ids: set[int] = field(default_factory=set)
    receipts_made: int = 0


# How many cases' left-behind receipts one timer step of a window renders besides those it settled itself:
# enough to clear what a killed process left within a few ticks, few enough that a tick stays short.
BACKLOG_PER_POLL = 20


def poll_and_issue(
    db: Database,
    channel: PaymentChannel,
    tools: ReceiptTools | None = None,
    *,
    now: datetime | None = None,
    backlog: int | None = BACKLOG_PER_POLL,
) -> PollResult:
    """What every window's timer runs: ask the channel about open orders, settle what is paid (the case moves
    to 审核 when its last order settles), render the receipts of the settled cases, then those of up to
    `backlog` other cases whose receipts have no PDF (None: all of them), oldest first — a process killed
    between settling and rendering leaves them, and nobody need open the case for them to be made."""
    report = poll_open_orders(db, channel, now)
    settled = [o.order_no for o in report.outcomes if o.result == "settled"]
    result = PollResult(report)
    if settled:
        with db.unit_of_work(write=False) as uow:
            result.case_ids = stored.case_ids_of_orders(uow.session, settled)
        for case_id in sorted(result.case_ids):
            result.receipts_made += produce_receipt_documents(db, case_id, tools, now)
    if backlog is None or backlog > 0:
        result.receipts_made += produce_missing_receipt_documents(db, tools, now, limit=backlog)
    return result


def produce_receipts(db: Database, case_id: int, tools: ReceiptTools | None = None) -> int:
    """Renders the case's receipts that have no PDF yet (idempotent)."""
    return produce_receipt_documents(db, case_id, tools)


def simulate_scan(channel: PaymentChannel, payload: str, *, now: datetime | None = None) -> Any:
    """演示：模拟群众扫码支付 — pays the QR through the local channel exactly as `registry-desk channel pay`."""
    pay: Callable[..., Any] | None = getattr(channel, "pay", None)
    if pay is None:
        raise RuleViolation(
            "当前收款渠道不支持模拟支付（仅演示环境的本地渠道可以）",
            rule="模拟扫码支付",
            record=getattr(channel, "name", ""),
        )
    return pay(payload, as_utc(now or utc_now()))


def reissue(
    db: Database,
    channel: PaymentChannel,
    actor: Actor,
    case_number: str,
    side: str,
    *,
    now: datetime | None = None,
) -> OrderView:
    """重新开具 an expired order of one side (the panel's button)."""
    actor.require(Role.CLERK, Role.CASHIER, operation="重新开具缴款单")
    now = as_utc(now or utc_now())
    with db.unit_of_work() as uow:
        case = _load_case(uow.session, case_number)
        order = order_service.reissue_order(
            uow.session, case.id, side, now, channel=channel, created_by=actor.username
        )
        view = order_service.order_view(order)
        uow.commit()
    return view


# ---------------------------------------------------------------------------------------------------------
# Closing and refunds


def void_open_orders(
    db: Database,
    channel: PaymentChannel,
    actor: Actor,
    case_number: str,
    reason: str,
    *,
    now: datetime | None = None,
) -> list[str]:
    """Voids the unpaid orders of a closed case and closes them at the channel; an order the channel reports
    paid meanwhile is settled instead (so its money can be refunded). Returns the voided order numbers.
    The voiding is audited under `actor` (the clerk who closed the case, the cashier who took cash)."""
    actor.require(Role.CLERK, Role.REGISTRAR, Role.CASHIER, operation="作废缴款单")
    now = as_utc(now or utc_now())
    with db.unit_of_work(write=False) as uow:
        case = _load_case(uow.session, case_number)
        case_id = case.id
        open_orders = stored.open_order_numbers_of_case(uow.session, case_id)
    voided = []
    for order_no in open_orders:
        status = channel.query(order_no)
        if status.is_paid:
            assert status.txn_id and status.paid_amount is not None and status.paid_at is not None
            record_payment(
                db,
                PaymentEvent(
                    channel.name, status.txn_id, order_no, status.paid_amount, status.paid_at, "poll"
                ),
                now,
            )
            continue
        channel.close(order_no)
        with db.unit_of_work() as uow:
            s = uow.session
            order = stored.lock_order(s, order_no)
            if order.status != OPEN:
                continue
            order.status = VOIDED
            order.live_key = None
            order.voided_at = now
            order.void_reason = reason[:128]
            # Kept off the case's own history (it names the case in `after`): the clerk's history lists
            # the case's steps, and a voided QR is the payment side's bookkeeping, not a step of the case.
            audit.append(
                s,
                actor,
                "payment.voided",
                record=order_no,
                after={"case_number": case_number, "order_no": order_no, "reason": reason},
                at=now,
            )
            uow.commit()
        voided.append(order_no)
    return voided


def close_case(
    db: Database,
    actor: Actor,
    channel: PaymentChannel | None,
    case_number: str,
    target: CaseStatus,
    reason: str,
    *,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> CaseSummary:
    """撤回 / 驳回 / 不予受理 through the case workflow, then void the case's unpaid orders."""
    # The workflow checks the exact role for each closing; this keeps the kiosk and the cashier from
    # reaching the channel (voiding orders) on their way to being refused.
    actor.require(Role.CLERK, Role.REGISTRAR, operation="撤回、驳回或不予受理业务")
    services = {
        CaseStatus.WITHDRAWN: closing.withdraw_case,
        CaseStatus.REFUSED: closing.refuse_case,
        CaseStatus.NOT_ACCEPTED: closing.not_accept_case,
    }
    summary = services[target](db, actor, case_number, reason, now=now, expected_version=expected_version)
    if channel is not None:
        void_open_orders(db, channel, actor, case_number, f"业务已{target.label}，缴款单作废", now=now)
    return summary


def cash_payment(
    db: Database,
    channel: PaymentChannel,
    actor: Actor,
    case_number: str,
    *,
    now: datetime | None = None,
    expected_version: int | None = None,
) -> CaseSummary:
    """现金缴款: the cashier took the money by hand. Voids the case's open orders at the channel first (an order
    the channel reports paid meanwhile is settled instead, and the case may move by itself), then records
    the audited cash override for what is left."""
    actor.require(Role.CASHIER, operation="现金缴款确认")
    if expected_version is not None and versioning.case_version(db, actor, case_number) != expected_version:
        # Someone changed the case since the cashier looked: refuse before any order is voided.
        return payment_status.confirm_payment(
            db, actor, case_number, now=now, expected_version=expected_version
        )
    void_open_orders(db, channel, actor, case_number, "现金缴款，缴款单作废", now=now)
    summary = queries.get_case(db, actor, case_number)
    if summary.status is not CaseStatus.AWAITING_PAYMENT:
        return summary
    # Voiding did not touch the case row, so the version the cashier saw still stands.
    return payment_status.confirm_payment(db, actor, case_number, now=now, expected_version=expected_version)


def refund_closed_case(
    db: Database,
    channel: PaymentChannel,
    actor: Actor,
    case_number: str,
    reason: str,
    *,
    tools: ReceiptTools | None = None,
    now: datetime | None = None,
) -> RefundReport:
    """The cashier's 税费退付 of a withdrawn or refused case: refund through the channel, reversing entries,
    the red-letter fee bill (rendered and attached here), tax certificates marked reversed."""
    report = refund_case(db, channel, actor, case_number, reason, now)
    with db.unit_of_work(write=False) as uow:
        case_id = _load_case(uow.session, case_number).id
    produce_receipt_documents(db, case_id, tools, now)
    return report


def receipt_tools(settings: Settings) -> ReceiptTools:
    """The centre's seal for receipts (the demo PKI is made on first need, as for every other document)."""
    from registry_desk.payments.receipts import tools_from_keys
    from registry_desk.registration.issuing import centre_kit

    centre_kit(settings)
    return tools_from_keys(settings.keys_dir)


def receipts_dir(settings: Settings) -> Path:
    return settings.output_dir / "receipts"


# ---------------------------------------------------------------------------------------------------------
# For the windows: QR images and the cashier's day


def qr_png(payload: str, box_size: int = 5) -> bytes:
    """The payment QR as PNG bytes for the window (the same encoder as the printed receipt)."""
    from registry_desk.documents.qr import qr_png as encode

    return encode(payload, box_size=box_size)


def receipt_pdf(db: Database, actor: Actor, receipt_id: int) -> tuple[str, bytes]:
    """(file name, PDF) of a produced receipt, for preview and printing."""
    from registry_desk.storage.ledger.receipts import attachment_by_id, receipt_by_id

    actor.require(Role.CASHIER, Role.CLERK, Role.REGISTRAR, operation="查看电子票据")
    with db.unit_of_work(write=False) as uow:
        receipt = receipt_by_id(uow.session, receipt_id)
        if receipt is None or receipt.attachment_id is None:
            raise NotFound(
                f"电子票据 {receipt_id} 尚未生成", rule="电子票据入账后生成", record=str(receipt_id)
            )
        attachment = attachment_by_id(uow.session, receipt.attachment_id)
        assert attachment is not None
        return attachment.filename, attachment.content


@dataclass(frozen=True)
class OrderRow:
    order_no: str
    case_number: str
    side_label: str
    payer: str
    amount: Money
    status: str
    status_label: str
    created_at: datetime
    settled_at: datetime | None


@dataclass(frozen=True)
class RefundRow:
    refund_no: str
    case_number: str
    order_no: str
    amount: Money
    reason: str
    refunded_at: datetime
    requested_by: str


@dataclass(frozen=True)
class CashierDay:
    """One counter day as the cashier view shows it; every total comes from the settlement postings."""

    day: date
    orders: tuple[OrderRow, ...]
    totals: dict[str, Money]  # account (treasury / fiscal) → net credited (settled − refunded) that day
    by_hour: dict[int, dict[str, Money]]  # China-time hour → account → credited by settlements
    refunds: tuple[RefundRow, ...]
    review: tuple[dict[str, Any], ...]
    to_refund: tuple[str, ...]  # closed cases still holding settled money

    def count(self, status: str) -> int:
        return sum(1 for o in self.orders if o.status == status)


def cashier_day(db: Database, actor: Actor, day: date) -> CashierDay:
    """Today's orders by status, totals per account, collections by hour, refunds, review items."""
    from registry_desk.domain.payment_orders import STATUS_LABELS
    from registry_desk.payments.channel import day_bounds
    from registry_desk.payments.orders import SIDE_LABELS as SIDES
    from registry_desk.payments.settlement import review_items
    from registry_desk.storage.ledger import reports

    actor.require(Role.CASHIER, operation="查看收费日报")
    start, end = day_bounds(day)
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        rows = reports.orders_of_day(s, start, end)
        payers = reports.first_payers(s, [o.id for o, _ in rows])
        orders_today = tuple(
            OrderRow(
                o.order_no,
                number,
                SIDES.get(o.side, o.side),
                payers.get(o.id, ""),
                o.amount,
                o.status,
                STATUS_LABELS.get(o.status, o.status),
                as_utc(o.created_at),
                as_utc(o.settled_at) if o.settled_at else None,
            )
            for o, number in rows
        )
        totals: dict[str, Money] = {"treasury": Money.zero(), "fiscal": Money.zero()}
        by_hour: dict[int, dict[str, Money]] = {}
        for account, kind, debit, credit, posted in reports.account_postings_of_day(
            s, start, end, ["treasury", "fiscal"]
        ):
            net = credit - debit
            totals[account] = totals.get(account, Money.zero()) + net
            if kind == "settlement":
                hour = as_utc(posted).astimezone(CHINA_TZ).hour
                bucket = by_hour.setdefault(hour, {})
                bucket[account] = bucket.get(account, Money.zero()) + net
        refunds = tuple(
            RefundRow(
                r.refund_no, number, order_no, r.amount, r.reason, as_utc(r.refunded_at), r.requested_by
            )
            for r, number, order_no in reports.refunds_of_day(s, start, end)
        )
        to_refund = tuple(
            reports.cases_with_orders_of_status(
                s, SETTLED, [CaseStatus.WITHDRAWN, CaseStatus.REFUSED, CaseStatus.NOT_ACCEPTED]
            )
        )
        review = tuple(review_items(s))
    return CashierDay(day, orders_today, totals, by_hour, refunds, review, to_refund)


def fetch_statement(channel: PaymentChannel, day: date, folder: Path) -> Path:
    """Writes the channel's statement of `day` as CSV into `folder` (the local channel can; a bank's file
    is chosen by the cashier instead)."""
    write = getattr(channel, "write_statement", None)
    if write is None:
        raise RuleViolation(
            "当前收款渠道不能直接获取对账单，请选择银行提供的对账单文件",
            rule="对账单来源",
            record=getattr(channel, "name", ""),
        )
    path = Path(folder) / f"对账单-{channel.name}-{day.isoformat()}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write(day, path)
    return path
