"""Orders from a quote: one per paying side, fee under one 缴款码, taxes under the taxpayer's 税票号,
one live order per side, 30 minutes' life, and an expired unpaid order voided before a new one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from registry_desk.domain.charges import Payer
from registry_desk.domain.codes import CaseStatus
from registry_desk.domain.errors import NotFound, RuleViolation, ValidationError
from registry_desk.domain.money import Money
from registry_desk.payments import orders
from registry_desk.payments.local_channel import LocalChannel
from registry_desk.payments.numbers import mod11_10_valid
from registry_desk.storage.ledger.tables import PaymentOrder
from tests.unit.payments.factories import (
    BUYER,
    NOW,
    SELLER,
    TAXPAYERS,
    fee_only_quote,
    make_case,
    resale_quote,
)


@pytest.fixture
def channel(tmp_path) -> LocalChannel:
    return LocalChannel(tmp_path)


def _issue(db, channel, n=1, quote=None, taxpayers=TAXPAYERS, now=NOW):
    with db.unit_of_work() as uow:
        case = make_case(uow.session, n)
        made = orders.create_orders(
            uow.session, case.id, quote or resale_quote(), taxpayers, now, channel=channel
        )
        uow.commit()
        return case.id, [orders.order_view(o) for o in made]


def test_the_resale_quote_gives_a_buyer_order_and_a_seller_order(any_db, channel):
    _, (buyer, seller) = _issue(any_db, channel)
    assert (buyer.side, buyer.order_type_label, buyer.amount) == ("buyer", "税费统缴", Money.yuan("10080.00"))
    assert (seller.side, seller.order_type_label, seller.amount) == ("seller", "纳税", Money.yuan("63000.00"))
    assert buyer.expires_at - NOW == timedelta(minutes=30)

    fee, deed_tax = buyer.lines
    assert (fee.kind, fee.item, fee.amount) == ("fee", "登记费", Money.yuan("80.00"))
    assert len(fee.ref) == 20 and mod11_10_valid(fee.ref)
    assert (deed_tax.kind, deed_tax.item, deed_tax.taxpayer_id) == ("tax", "契税", BUYER[1])
    assert len(deed_tax.ref) == 18

    # The seller's five taxes (印花税 is exempt, so absent) go on one 税票号 under the seller's ID number.
    assert [line.item for line in seller.lines] == [
        "增值税",
        "城市维护建设税",
        "教育费附加",
        "地方教育附加",
        "个人所得税",
    ]
    assert {line.ref for line in seller.lines} == {seller.lines[0].ref} != {deed_tax.ref}
    assert {(line.taxpayer_name, line.taxpayer_id) for line in seller.lines} == {SELLER}
    assert sum((line.amount for line in seller.lines), Money.zero()) == seller.amount
    # The payload is the channel's and names the order, the amount and the expiry.
    assert buyer.payload.split("|")[1:3] == [buyer.order_no, "10080.00"]


def test_a_fee_only_case_gets_a_fee_order_for_the_bank(any_db, channel):
    _, (order,) = _issue(
        any_db,
        channel,
        quote=fee_only_quote(),
        taxpayers={Payer.MORTGAGEE: ("中卫黄河农村商业银行", "91640500MA76ABCD1X")},
    )
    assert (order.side, order.order_type, order.order_type_label) == ("mortgagee", 2, "收费")


def test_a_side_without_a_named_payer_is_refused(any_db, channel):
    with pytest.raises(ValidationError, match="卖方有应缴税费，但未给出缴款人"):
        _issue(any_db, channel, taxpayers={Payer.BUYER: BUYER})


def test_a_second_order_for_a_side_is_refused_while_the_first_is_live(any_db, channel):
    case_id, (buyer, _) = _issue(any_db, channel)
    with any_db.unit_of_work() as uow:
        with pytest.raises(RuleViolation, match=f"已有未过期的缴款单 {buyer.order_no}"):
            orders.create_orders(
                uow.session, case_id, resale_quote(), TAXPAYERS, NOW + timedelta(minutes=29), channel=channel
            )
        with pytest.raises(RuleViolation, match="未过期"):
            orders.reissue_order(
                uow.session, case_id, Payer.BUYER, NOW + timedelta(minutes=29), channel=channel
            )


def test_the_database_itself_refuses_two_live_orders_for_one_side(any_db, channel):
    case_id, _ = _issue(any_db, channel)
    with any_db.unit_of_work() as uow:
        uow.session.add(
            PaymentOrder(
                order_no="SF-DUP",
                case_id=case_id,
                side="buyer",
                order_type=0,
                status="open",
                live_key=f"{case_id}:buyer",
                amount=Money.yuan("1.00"),
                channel="local",
                created_at=NOW,
                expires_at=NOW,
                created_by="test",
            )
        )
        with pytest.raises(IntegrityError):
            uow.session.flush()


def test_an_expired_unpaid_order_is_voided_and_closed_before_the_reissue(any_db, channel):
    case_id, (buyer, _) = _issue(any_db, channel)
    later = NOW + timedelta(minutes=31)
    with any_db.unit_of_work() as uow:
        new = orders.order_view(orders.reissue_order(uow.session, case_id, "buyer", later, channel=channel))
        uow.commit()
    assert new.order_no != buyer.order_no and new.amount == buyer.amount
    assert [line.item for line in new.lines] == ["登记费", "契税"]
    assert new.lines[0].ref != buyer.lines[0].ref  # a new 缴款码 for the new notice
    assert new.expires_at == later + timedelta(minutes=30)
    with any_db.unit_of_work(write=False) as uow:
        views = orders.case_orders(uow.session, case_id, include_voided=True)
    old = next(v for v in views if v.order_no == buyer.order_no)
    assert old.status_label == "已作废"
    # The old QR is now refused at the bank, even though its code is genuine.
    with pytest.raises(RuleViolation, match="已关闭"):
        channel.pay(buyer.payload, NOW + timedelta(minutes=1))


def test_an_expired_order_that_the_bank_took_payment_for_is_not_voided(any_db, channel):
    case_id, (buyer, _) = _issue(any_db, channel)
    channel.pay(buyer.payload, NOW + timedelta(minutes=29, seconds=59))
    with any_db.unit_of_work() as uow, pytest.raises(RuleViolation, match="已在渠道支付"):
        orders.reissue_order(uow.session, case_id, "buyer", NOW + timedelta(minutes=31), channel=channel)


def test_reissue_needs_an_order_and_orders_need_an_open_case(any_db, channel):
    with any_db.unit_of_work() as uow:
        case = make_case(uow.session, 7)
        with pytest.raises(NotFound, match="没有可重新开具"):
            orders.reissue_order(uow.session, case.id, "buyer", NOW, channel=channel)
        closed = make_case(uow.session, 8, CaseStatus.RECORDED)
        with pytest.raises(RuleViolation, match="已登簿"):
            orders.create_orders(uow.session, closed.id, resale_quote(), TAXPAYERS, NOW, channel=channel)


def test_case_is_paid_only_when_every_counting_order_is_settled(any_db, channel):
    case_id, _ = _issue(any_db, channel)
    with any_db.unit_of_work() as uow:
        assert not orders.case_is_paid(uow.session, case_id)
        free = make_case(uow.session, 9)
        assert orders.case_is_paid(uow.session, free.id)  # nothing to pay
        for order in uow.session.execute(
            select(PaymentOrder).where(PaymentOrder.case_id == case_id)
        ).scalars():
            order.status = "settled"
        assert orders.case_is_paid(uow.session, case_id)


def test_an_order_made_at_a_fractional_second_is_payable_through_its_own_qr(any_db, channel):
    # 10:00:00.437 at the window: the QR says the order expires at 10:30:00, and so must the order.
    odd = NOW + timedelta(microseconds=437_512)
    _, (buyer, _seller) = _issue(any_db, channel, now=odd)
    assert buyer.expires_at == NOW + timedelta(minutes=30)
    assert buyer.expires_at.tzinfo is not None
    paid = channel.pay(buyer.payload, odd + timedelta(minutes=2))
    assert paid.paid_amount == buyer.amount
