"""The local channel pays only what it issued: altered, forged or expired QR codes are refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from registry_desk.domain.errors import DomainError, NotFound, RuleViolation, ValidationError
from registry_desk.domain.money import Money
from registry_desk.payments.channel import (
    STATUS_PAID,
    STATUS_REFUNDED,
    STATUS_UNKNOWN,
    STATUS_UNPAID,
    ChannelOrder,
    parse_notification,
)
from registry_desk.payments.local_channel import LocalChannel, make_payload
from registry_desk.payments.reconciliation import read_statement_csv
from tests.unit.payments.factories import NOW

ORDER = ChannelOrder("SF202603120000011234", Money.yuan("10080.00"), NOW + timedelta(minutes=30))
LATER = NOW + timedelta(minutes=5)


@pytest.fixture
def channel(tmp_path) -> LocalChannel:
    return LocalChannel(tmp_path)


def _replace_field(payload: str, index: int, value: str) -> str:
    parts = payload.split("|")
    parts[index] = value
    return "|".join(parts)


def test_the_key_lives_in_the_data_dir_owner_only_and_survives_a_restart(tmp_path, channel):
    key_file = tmp_path / "channel" / "channel.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    payload = channel.register_order(ORDER)
    assert LocalChannel(tmp_path).pay(payload, LATER).status == STATUS_PAID


def test_a_genuine_payload_pays_once_and_the_query_reports_status_2(channel):
    payload = channel.register_order(ORDER)
    assert payload.startswith("ZWPAY1|SF202603120000011234|10080.00|")
    assert channel.query(ORDER.order_no).status == STATUS_UNPAID
    paid = channel.pay(payload, LATER)
    status = channel.query(ORDER.order_no)
    assert (status.status, status.txn_id, status.paid_amount, status.paid_at) == (
        2,
        paid.txn_id,
        Money.yuan("10080.00"),
        LATER,
    )
    with pytest.raises(RuleViolation, match="不能重复支付"):
        channel.pay(payload, LATER)


@pytest.mark.parametrize(
    "index, value, what",
    [
        (1, "SF202603120000019999", "order number"),
        (2, "10079.99", "amount"),
        (2, "1.00", "amount"),
        (3, "20260312T235900Z", "expiry"),
    ],
)
def test_an_altered_field_fails_the_authentication_code(channel, index, value, what):
    payload = channel.register_order(ORDER)
    with pytest.raises(ValidationError, match="认证码不符"):
        channel.pay(_replace_field(payload, index, value), LATER)
    assert channel.query(ORDER.order_no).status == STATUS_UNPAID, what


def test_a_payload_made_with_another_key_is_refused(channel):
    channel.register_order(ORDER)
    forged = make_payload(b"x" * 32, ORDER.order_no, ORDER.amount, ORDER.expires_at)
    with pytest.raises(ValidationError, match="认证码不符"):
        channel.pay(forged, LATER)


def test_an_expired_payload_is_refused_with_its_expiry_in_china_time(channel):
    payload = channel.register_order(ORDER)
    with pytest.raises(RuleViolation, match="2026-03-12 10:30 过期"):
        channel.pay(payload, ORDER.expires_at)


def test_garbage_and_unregistered_orders_are_refused(channel, tmp_path):
    with pytest.raises(ValidationError, match="无法识别"):
        channel.pay("https://example.com/pay?x=1", LATER)
    other = LocalChannel(tmp_path / "other")
    unregistered = other.register_order(ORDER)
    # Same order number, other bank's key: refused by the code, not looked up.
    with pytest.raises(ValidationError):
        channel.pay(unregistered, LATER)
    lonely = ChannelOrder("SF202603120000020000", Money.yuan("80.00"), NOW + timedelta(minutes=30))
    own_but_unregistered = make_payload(channel._key, lonely.order_no, lonely.amount, lonely.expires_at)
    with pytest.raises(NotFound, match="未在收款渠道登记"):
        channel.pay(own_but_unregistered, LATER)
    assert channel.query("SF-NONE").status == STATUS_UNKNOWN


def test_a_closed_order_cannot_be_paid(channel):
    payload = channel.register_order(ORDER)
    channel.close(ORDER.order_no)
    with pytest.raises(RuleViolation, match="已关闭"):
        channel.pay(payload, LATER)


def test_notifications_verify_only_with_the_channel_key_and_unaltered(channel):
    channel.pay(channel.register_order(ORDER), LATER)
    body, signature = channel.notification(ORDER.order_no)
    assert channel.verify_notification(body, signature)
    event = parse_notification(body)
    assert (event.order_no, event.amount, event.paid_at) == (ORDER.order_no, ORDER.amount, LATER)
    assert not channel.verify_notification(body.replace(b"10080.00", b"10080.01"), signature)
    assert not channel.verify_notification(body, "0" * 64)
    # The payload's code is not a valid notification signature, and vice versa.
    assert not channel.verify_notification(body, channel.register_order(ORDER).split("|")[-1])


def test_refunds_are_idempotent_by_refund_number_and_bounded_by_the_payment(channel):
    channel.pay(channel.register_order(ORDER), LATER)
    first = channel.refund(ORDER.order_no, ORDER.amount, "RF1", "撤回", LATER)
    again = channel.refund(ORDER.order_no, ORDER.amount, "RF1", "撤回", LATER + timedelta(minutes=1))
    assert first == again
    assert channel.query(ORDER.order_no).status == STATUS_REFUNDED
    with pytest.raises(DomainError):
        channel.refund(ORDER.order_no, ORDER.amount, "RF2", "再退", LATER)


def test_the_statement_csv_lists_the_day_in_china_time_and_reads_back(channel, tmp_path):
    channel.pay(channel.register_order(ORDER), LATER)
    channel.refund(ORDER.order_no, Money.yuan("80.00"), "RF1", "部分退", LATER)
    out = tmp_path / "statement.csv"
    assert channel.write_statement(date(2026, 3, 12), out) == 2
    assert channel.write_statement(date(2026, 3, 11), tmp_path / "empty.csv") == 0
    text = out.read_text("utf-8-sig")
    assert text.splitlines()[0] == "交易类型,商户订单号,渠道流水号,金额（元）,交易时间"
    rows = read_statement_csv(out)
    assert [(r.kind, r.order_no, r.amount) for r in rows] == [
        ("payment", ORDER.order_no, Money.yuan("10080.00")),
        ("refund", ORDER.order_no, Money.yuan("80.00")),
    ]
