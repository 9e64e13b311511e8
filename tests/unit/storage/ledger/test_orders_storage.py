"""storage/ledger/orders.py: the order reads and locks the features ask for, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from registry_desk.domain.money import Money
from registry_desk.domain.payment_orders import OPEN, REVIEW, SETTLED, VOIDED
from registry_desk.payments import orders
from registry_desk.payments.local_channel import LocalChannel
from registry_desk.storage.driver_sql import driver
from registry_desk.storage.ledger import orders as stored
from tests.unit.payments.factories import NOW, TAXPAYERS, make_case, resale_quote


@pytest.fixture
def issued(any_db, tmp_path):
    """One case with its buyer's and seller's orders issued (both open)."""
    channel = LocalChannel(tmp_path)
    with any_db.unit_of_work() as uow:
        case = make_case(uow.session, 1)
        other = make_case(uow.session, 2)
        buyer, seller = orders.create_orders(
            uow.session, case.id, resale_quote(), TAXPAYERS, NOW, channel=channel
        )
        uow.commit()
        return case.id, other.id, buyer.order_no, seller.order_no


def _set_status(db, order_no: str, status: str) -> None:
    with db.unit_of_work() as uow:
        order = stored.lock_order(uow.session, order_no)
        order.status = status
        if status == VOIDED:
            order.live_key = None
        uow.commit()


def test_disputed_order_of_case_names_the_order_under_review_and_nothing_else(any_db, issued):
    case_id, other_id, buyer_no, _seller_no = issued
    with any_db.unit_of_work(write=False) as uow:
        assert stored.disputed_order_of_case(uow.session, case_id) is None
    _set_status(any_db, buyer_no, REVIEW)
    with any_db.unit_of_work(write=False) as uow:
        assert stored.disputed_order_of_case(uow.session, case_id) == (buyer_no, REVIEW)
        assert stored.disputed_order_of_case(uow.session, other_id) is None


def test_lock_open_orders_of_case_returns_the_open_ones_only(any_db, issued):
    case_id, other_id, buyer_no, seller_no = issued
    with any_db.unit_of_work() as uow:
        assert sorted(o.order_no for o in stored.lock_open_orders_of_case(uow.session, case_id)) == sorted(
            [buyer_no, seller_no]
        )
        assert stored.lock_open_orders_of_case(uow.session, other_id) == []
    _set_status(any_db, seller_no, SETTLED)
    with any_db.unit_of_work() as uow:
        locked = stored.lock_open_orders_of_case(uow.session, case_id)
        assert [o.order_no for o in locked] == [buyer_no] and locked[0].status == OPEN


def test_the_case_s_orders_as_each_reader_counts_them(any_db, issued):
    case_id, _other_id, buyer_no, seller_no = issued
    _set_status(any_db, buyer_no, SETTLED)
    with any_db.unit_of_work(write=False) as uow:
        s = uow.session
        counting = stored.counting_orders_of_case(s, case_id)
        assert [(no, status) for no, status, _ in counting] == [(buyer_no, SETTLED), (seller_no, OPEN)]
        assert all(isinstance(amount, Money) for _, _, amount in counting)
        assert sorted(stored.counted_order_amounts(driver(s), case_id)) == sorted(
            (status, amount) for _, status, amount in counting
        )
        assert stored.open_order_numbers_of_case(s, case_id) == [seller_no]
        assert {o.order_no for o in stored.live_orders_of_case(s, case_id)} == {buyer_no, seller_no}
        assert stored.case_ids_of_orders(s, [buyer_no, seller_no, "SF-NONE"]) == {case_id}
        assert stored.case_id_of_order(s, seller_no) == case_id
        assert stored.pollable_order_numbers(s, "local", NOW) == [seller_no]
        assert stored.pollable_order_numbers(s, "local", NOW + timedelta(hours=1)) == []
    _set_status(any_db, seller_no, VOIDED)
    with any_db.unit_of_work(write=False) as uow:
        assert [no for no, _, _ in stored.counting_orders_of_case(uow.session, case_id)] == [buyer_no]
        assert [o.order_no for o in stored.orders_of_case(uow.session, case_id)] == [buyer_no]
        assert [o.order_no for o in stored.orders_of_case(uow.session, case_id, include_voided=True)] == [
            buyer_no,
            seller_no,
        ]
        assert {o.order_no for o in stored.live_orders_of_case(uow.session, case_id)} == {buyer_no}


def test_settlement_s_compiled_reads_see_the_order_and_its_lines(any_db, issued):
    case_id, _other_id, buyer_no, _seller_no = issued
    with any_db.unit_of_work() as uow:
        sql = driver(uow.session)
        assert stored.case_id_of_order_number(sql, buyer_no) == case_id
        assert stored.case_id_of_order_number(sql, "SF-NONE") is None
        head = stored.lock_order_head(sql, buyer_no)
        assert head[1:4] == (buyer_no, case_id, OPEN) and head[5] is None
        lines = stored.order_line_rows(sql, head[0])
        assert sum((line[8] for line in lines), Money.zero()) == head[4]
        assert stored.lock_case_head(sql, case_id)[0] == case_id
