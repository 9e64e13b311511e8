"""The command line: a scanned QR pays at the local channel, a forged one exits 2 with the reason,
`payments poll` books it, and `reconcile` exits 0 on a clean day and 1 when the statement differs."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

import pytest

from registry_desk import cli
from registry_desk.payments import orders
from registry_desk.payments.channel import CHINA_TZ
from registry_desk.payments.local_channel import LocalChannel
from registry_desk.storage.database import Database
from registry_desk.storage.migrate import upgrade
from tests.unit.payments.factories import TAXPAYERS, make_case, resale_quote


@pytest.fixture
def setup(tmp_path):
    url = f"sqlite:///{tmp_path}/register.sqlite3"
    db = Database(url)
    upgrade(db.engine)
    now = datetime.now(UTC)
    with db.unit_of_work() as uow:
        case = make_case(uow.session, 1)
        made = [
            orders.order_view(o)
            for o in orders.create_orders(
                uow.session, case.id, resale_quote(), TAXPAYERS, now, channel=LocalChannel(tmp_path)
            )
        ]
        uow.commit()
    db.dispose()
    return ["--database-url", url, "--data-dir", str(tmp_path)], made, now


def test_pay_poll_statement_and_reconcile(setup, tmp_path, capsys):
    base, made, now = setup
    buyer = made[0]
    forged = buyer.payload.replace("|10080.00|", "|1.00|")
    assert cli.main([*base, "channel", "pay", forged]) == 2
    assert "认证码不符" in capsys.readouterr().err

    assert cli.main([*base, "channel", "pay", buyer.payload]) == 0
    assert f"支付成功：订单 {buyer.order_no}，金额 10080.00 元" in capsys.readouterr().out
    assert cli.main([*base, "channel", "status", buyer.order_no]) == 0
    assert "状态 2（已支付）" in capsys.readouterr().out
    assert cli.main([*base, "payments", "poll"]) == 0
    assert "入账 1 张" in capsys.readouterr().out

    day = now.astimezone(CHINA_TZ).date().isoformat()
    statement = tmp_path / "statement.csv"
    assert cli.main([*base, "channel", "statement", "--date", day, "--out", str(statement)]) == 0
    out_dir = tmp_path / "reports"
    assert (
        cli.main(
            [*base, "reconcile", "--date", day, "--statement", str(statement), "--out-dir", str(out_dir)]
        )
        == 0
    )
    assert "差异 0 笔" in capsys.readouterr().out

    with statement.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(
            ["支付", "SF-EXTRA", "LC-EXTRA", "80.00", (now + timedelta(seconds=1)).isoformat()]
        )
    assert (
        cli.main(
            [*base, "reconcile", "--date", day, "--statement", str(statement), "--out-dir", str(out_dir)]
        )
        == 1
    )
    assert "渠道已收款但未入账：1 笔" in capsys.readouterr().out
    assert sorted(p.suffix for p in out_dir.iterdir()) == [".csv", ".pdf"]
