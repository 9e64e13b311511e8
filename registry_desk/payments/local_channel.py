"""The embedded payment channel: plays the collecting bank with its own store and key in the data dir.

It is a foreign system as far as the register is concerned: its own SQLite file (`channel/channel.sqlite3`,
schema made here, not by Alembic) and its own secret key (`channel/channel.key`, created on first use,
mode 0600, never in the repository). A real bank replaces it behind `PaymentChannel`.

QR payload: ``ZWPAY1|<order no>|<amount yuan>|<expiry UTC YYYYMMDDTHHMMSSZ>|<auth>`` where ``auth`` is
base64url (no padding) of HMAC-SHA256(key, "ZWPAY1|<order no>|<amount>|<expiry>"). Changing any field, or
a payload made with another key, fails the check; the channel also compares it with the registered order.
Notifications are the JSON body of `channel.notification_body`, signed as hex HMAC-SHA256(key,
"notify\\n" + body); the prefix keeps a payload's code from ever passing as a notification's and back.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import os
import random
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

from registry_desk.domain.errors import ConflictError, NotFound, RuleViolation, ValidationError
from registry_desk.domain.money import Money
from registry_desk.config import private_dir, private_file
from registry_desk.payments.channel import (
    CHINA_TZ,
    KIND_LABELS,
    KIND_PAYMENT,
    KIND_REFUND,
    STATUS_CLOSED,
    STATUS_PAID,
    STATUS_REFUNDED,
    STATUS_UNKNOWN,
    STATUS_UNPAID,
    ChannelOrder,
    ChannelStatus,
    RefundResult,
    StatementRow,
    day_bounds,
    notification_body,
)

PAYLOAD_PREFIX = "ZWPAY1"
CHANNEL_NAME = "local"
_NOTIFY_PREFIX = b"notify\n"
_EXPIRY_FORMAT = "%Y%m%dT%H%M%SZ"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS channel_orders (
    order_no TEXT PRIMARY KEY,
    amount_fen INTEGER NOT NULL,
    expires_at TEXT NOT NULL,
    subject TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    status INTEGER NOT NULL,
    txn_id TEXT UNIQUE,
    paid_fen INTEGER,
    paid_at TEXT
);
CREATE INDEX IF NOT EXISTS ix_channel_orders_paid_at ON channel_orders (paid_at);
CREATE TABLE IF NOT EXISTS channel_refunds (
    refund_no TEXT PRIMARY KEY,
    refund_id TEXT NOT NULL UNIQUE,
    order_no TEXT NOT NULL REFERENCES channel_orders (order_no),
    amount_fen INTEGER NOT NULL,
    reason TEXT NOT NULL,
    refunded_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_channel_refunds_at ON channel_refunds (refunded_at);
"""

STATEMENT_HEADER = ("交易类型", "商户订单号", "渠道流水号", "金额（元）", "交易时间")


def _iso(moment: datetime) -> str:
    # One fixed UTC format, so that text comparison in SQL orders instants correctly.
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _whole_seconds(moment: datetime) -> datetime:
    # The payload carries the expiry to the second; the store keeps the same instant so the two compare.
    return moment.replace(microsecond=0)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def load_or_create_key(path: Path) -> bytes:
    """The channel's secret (32 random bytes), made once with owner-only permissions.

    Several windows may start at once on a fresh data dir: the key is written whole to a private
    temporary file and then linked into place, so no process ever reads a half-written (empty) key,
    and the first link wins for everyone.
    """
    if path.exists():
        return _read_key(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key.hex())
        try:
            os.link(temporary, path)
        except FileExistsError:  # another process made it first: use theirs
            return _read_key(path)
    finally:
        temporary.unlink(missing_ok=True)
    return key


def _read_key(path: Path) -> bytes:
    text = path.read_text("ascii").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise ValidationError(
            f"缴款渠道密钥文件损坏（应为 32 字节十六进制），请从备份恢复：{path}",
            rule="缴款渠道密钥须完整",
            record=str(path),
        )
    return key


def make_payload(key: bytes, order_no: str, amount: Money, expires_at: datetime) -> str:
    expiry = expires_at.astimezone(UTC).strftime(_EXPIRY_FORMAT)
    signed = f"{PAYLOAD_PREFIX}|{order_no}|{amount}|{expiry}"
    auth = _b64(hmac.new(key, signed.encode("utf-8"), hashlib.sha256).digest())
    return f"{signed}|{auth}"


def read_payload(key: bytes, text: str, now: datetime) -> tuple[str, Money, datetime]:
    """Checks a scanned payload: format, authentication code, then expiry. Returns (order no, amount, expiry)."""
    text = text.strip()
    parts = text.split("|")
    if len(parts) != 5 or parts[0] != PAYLOAD_PREFIX:
        raise ValidationError(
            "这不是本渠道的缴款二维码，无法识别，拒绝支付", rule="缴款二维码格式", record=text[:40]
        )
    _, order_no, amount_text, expiry_text, auth = parts
    signed = "|".join(parts[:4])
    expected = _b64(hmac.new(key, signed.encode("utf-8"), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, auth):
        raise ValidationError(
            f"缴款二维码认证码不符：订单号、金额或有效期被改动，或二维码不是本渠道签发，拒绝支付（订单 {order_no}）",
            rule="缴款二维码须经渠道认证码核验",
            record=order_no,
        )
    try:
        amount = Money.yuan(amount_text)
        expires_at = datetime.strptime(expiry_text, _EXPIRY_FORMAT).replace(tzinfo=UTC)
    except ValueError as exc:  # cannot happen for a code we made; kept for a changed key format
        raise ValidationError(f"缴款二维码内容无效：{exc}", rule="缴款二维码格式", record=order_no) from exc
    if now >= expires_at:
        shown = expires_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
        raise RuleViolation(
            f"缴款二维码已于 {shown} 过期，请到窗口重新获取缴款码（订单 {order_no}）",
            rule="缴款订单有效期30分钟",
            record=order_no,
        )
    return order_no, amount, expires_at


_INIT_PATIENCE_SECONDS = 30.0


def _initialise_store(db_path: Path) -> None:
    """Makes the channel's file WAL and its tables, safe when several windows start at once.

    Switching to WAL and creating tables upgrade a read lock to a write lock; when two processes do it
    at the same moment SQLite refuses one of them at once ("database is locked") instead of waiting,
    because waiting would deadlock. The refused one lets go of its connection and tries again.
    """
    deadline = time.monotonic() + _INIT_PATIENCE_SECONDS
    pause = 0.01
    while True:
        conn = sqlite3.connect(db_path, timeout=_INIT_PATIENCE_SECONDS, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("BEGIN IMMEDIATE")
            for statement in filter(str.strip, _SCHEMA.split(";")):
                conn.execute(statement)
            conn.execute("COMMIT")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() >= deadline:
                raise RuleViolation(
                    f"缴款渠道数据文件被占用超过 {int(_INIT_PATIENCE_SECONDS)} 秒，无法打开：{db_path}",
                    rule="缴款渠道数据文件须可写",
                    record=str(db_path),
                ) from exc
        finally:
            conn.close()
        time.sleep(pause + random.random() * pause)
        pause = min(pause * 2, 0.5)


class LocalChannel:
    """The embedded collecting bank (see the module docstring)."""

    name = CHANNEL_NAME

    def __init__(self, data_dir: Path) -> None:
        self.root = private_dir(Path(data_dir) / "channel")
        self.db_path = private_file(self.root / "channel.sqlite3")
        self._key = load_or_create_key(self.root / "channel.key")
        _initialise_store(self.db_path)

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        try:
            # WAL is a property of the file, set once by _initialise_store: asking again on every
            # connection could meet another window's write lock for nothing.
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    # -- the bank's side of an order --------------------------------------------------------------------

    def register_order(self, order: ChannelOrder) -> str:
        with self._connect(write=True) as conn:
            expiry = _iso(_whole_seconds(order.expires_at))
            row = conn.execute(
                "SELECT amount_fen, expires_at FROM channel_orders WHERE order_no = ?", (order.order_no,)
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO channel_orders (order_no, amount_fen, expires_at, subject, registered_at, status)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        order.order_no,
                        order.amount.fen,
                        expiry,
                        order.subject,
                        _iso(datetime.now(UTC)),
                        STATUS_UNPAID,
                    ),
                )
            elif row != (order.amount.fen, expiry):
                raise ConflictError(
                    f"订单 {order.order_no} 已在渠道登记且金额或有效期不同，不能重复登记",
                    rule="渠道订单号唯一",
                    record=order.order_no,
                )
        return make_payload(self._key, order.order_no, order.amount, order.expires_at)

    def pay(self, payload: str, now: datetime, *, simulate_amount: Money | None = None) -> ChannelStatus:
        """Pays the order a scanned QR names, as the payer's bank app would.

        `simulate_amount` books a different amount than the order's: it stands for a faulty bank, so
        that the register's refusal to settle a mismatch can be exercised.
        """
        order_no, amount, expires_at = read_payload(self._key, payload, now)
        with self._connect(write=True) as conn:
            row = conn.execute(
                "SELECT amount_fen, expires_at, status, paid_at FROM channel_orders WHERE order_no = ?",
                (order_no,),
            ).fetchone()
            if row is None:
                raise NotFound(
                    f"订单 {order_no} 未在收款渠道登记，拒绝支付",
                    rule="只能支付已登记的订单",
                    record=order_no,
                )
            if (row[0], row[1]) != (amount.fen, _iso(expires_at)):
                raise ValidationError(
                    f"二维码中的金额或有效期与渠道登记的订单 {order_no} 不符，拒绝支付",
                    rule="缴款二维码须与登记的订单一致",
                    record=order_no,
                )
            if row[2] in (STATUS_PAID, STATUS_REFUNDED):
                paid = _parse_iso(row[3]).astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")
                raise RuleViolation(
                    f"订单 {order_no} 已于 {paid} 支付，不能重复支付",
                    rule="一笔订单只能支付一次",
                    record=order_no,
                )
            if row[2] == STATUS_CLOSED:
                raise RuleViolation(
                    f"订单 {order_no} 已关闭，拒绝支付", rule="已关闭的订单不能支付", record=order_no
                )
            txn_id = f"LC{now.astimezone(CHINA_TZ):%Y%m%d}{secrets.token_hex(8).upper()}"
            paid_fen = (simulate_amount or amount).fen
            conn.execute(
                "UPDATE channel_orders SET status = ?, txn_id = ?, paid_fen = ?, paid_at = ? WHERE order_no = ?",
                (STATUS_PAID, txn_id, paid_fen, _iso(now), order_no),
            )
        return ChannelStatus(order_no, STATUS_PAID, txn_id, Money.of_fen(paid_fen), now)

    def close(self, order_no: str) -> None:
        """Closes an unpaid order (the register voided it); a later scan of its QR is refused."""
        with self._connect(write=True) as conn:
            conn.execute(
                "UPDATE channel_orders SET status = ? WHERE order_no = ? AND status = ?",
                (STATUS_CLOSED, order_no, STATUS_UNPAID),
            )

    def query(self, order_no: str) -> ChannelStatus:
        with self._connect() as conn:
            row = conn.execute(
                "SELECT status, txn_id, paid_fen, paid_at FROM channel_orders WHERE order_no = ?", (order_no,)
            ).fetchone()
        if row is None:
            return ChannelStatus(order_no, STATUS_UNKNOWN)
        status, txn_id, paid_fen, paid_at = row
        if status not in (STATUS_PAID, STATUS_REFUNDED):
            return ChannelStatus(order_no, status)
        return ChannelStatus(order_no, status, txn_id, Money.of_fen(paid_fen), _parse_iso(paid_at))

    def refund(
        self, order_no: str, amount: Money, refund_no: str, reason: str, now: datetime
    ) -> RefundResult:
        with self._connect(write=True) as conn:
            existing = conn.execute(
                "SELECT refund_id, order_no, amount_fen, refunded_at FROM channel_refunds WHERE refund_no = ?",
                (refund_no,),
            ).fetchone()
            if existing is not None:
                if existing[1] != order_no or existing[2] != amount.fen:
                    raise ConflictError(
                        f"退款单号 {refund_no} 已用于其他订单或金额", rule="退款单号唯一", record=refund_no
                    )
                return RefundResult(refund_no, existing[0], order_no, amount, _parse_iso(existing[3]))
            row = conn.execute(
                "SELECT status, paid_fen FROM channel_orders WHERE order_no = ?", (order_no,)
            ).fetchone()
            if row is None or row[0] != STATUS_PAID:
                raise RuleViolation(
                    f"订单 {order_no} 在渠道不是已支付状态，不能退款",
                    rule="只能退已支付的订单",
                    record=order_no,
                )
            if amount.fen <= 0 or amount.fen > row[1]:
                raise RuleViolation(
                    f"退款金额 {amount} 超出订单 {order_no} 的实收金额 {Money.of_fen(row[1])}",
                    rule="退款不得超过实收",
                    record=order_no,
                )
            refund_id = f"LR{now.astimezone(CHINA_TZ):%Y%m%d}{secrets.token_hex(8).upper()}"
            conn.execute(
                "INSERT INTO channel_refunds (refund_no, refund_id, order_no, amount_fen, reason, refunded_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (refund_no, refund_id, order_no, amount.fen, reason, _iso(now)),
            )
            if amount.fen == row[1]:
                conn.execute(
                    "UPDATE channel_orders SET status = ? WHERE order_no = ?", (STATUS_REFUNDED, order_no)
                )
        return RefundResult(refund_no, refund_id, order_no, amount, now)

    # -- statements and notifications -------------------------------------------------------------------

    def statement(self, day: date) -> list[StatementRow]:
        start, end = (_iso(t) for t in day_bounds(day))
        with self._connect() as conn:
            payments = conn.execute(
                "SELECT order_no, txn_id, paid_fen, paid_at FROM channel_orders"
                " WHERE paid_at >= ? AND paid_at < ? ORDER BY paid_at",
                (start, end),
            ).fetchall()
            refunds = conn.execute(
                "SELECT order_no, refund_id, amount_fen, refunded_at FROM channel_refunds"
                " WHERE refunded_at >= ? AND refunded_at < ? ORDER BY refunded_at",
                (start, end),
            ).fetchall()
        rows = [StatementRow(KIND_PAYMENT, o, t, Money.of_fen(f), _parse_iso(a)) for o, t, f, a in payments]
        rows += [StatementRow(KIND_REFUND, o, t, Money.of_fen(f), _parse_iso(a)) for o, t, f, a in refunds]
        return rows

    def write_statement(self, day: date, path: Path) -> int:
        """Writes the day's statement as CSV (UTF-8 with BOM, so that spreadsheet programs read it)."""
        rows = self.statement(day)
        write_statement_csv(rows, path)
        return len(rows)

    def notification(self, order_no: str) -> tuple[bytes, str]:
        """The signed "paid" notification the bank would post for a paid order: (body, signature)."""
        status = self.query(order_no)
        if not status.is_paid:
            raise RuleViolation(
                f"订单 {order_no} 在渠道尚未支付（{status.label}），没有支付通知",
                rule="只通知已支付的订单",
                record=order_no,
            )
        body = notification_body(self.name, status)
        return body, self.sign_notification(body)

    def sign_notification(self, body: bytes) -> str:
        return hmac.new(self._key, _NOTIFY_PREFIX + body, hashlib.sha256).hexdigest()

    def verify_notification(self, body: bytes, signature: str) -> bool:
        return hmac.compare_digest(self.sign_notification(body), str(signature).strip().lower())


def write_statement_csv(rows: list[StatementRow], path: Path) -> None:
    """The statement into a file of the channel's own (the command line's `--out` goes through
    commands/output.py instead)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(statement_csv(rows))


def statement_csv(rows: list[StatementRow]) -> bytes:
    """The statement as CSV, UTF-8 with BOM (so that spreadsheet programs read it)."""
    with io.StringIO(newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(STATEMENT_HEADER)
        for row in rows:
            writer.writerow(
                (
                    KIND_LABELS[row.kind],
                    row.order_no,
                    row.txn_id,
                    str(row.amount),
                    row.at.astimezone(CHINA_TZ).isoformat(timespec="seconds"),
                )
            )
        return ("\ufeff" + handle.getvalue()).encode("utf-8")
