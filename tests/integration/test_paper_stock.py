"""Blank certificate paper: an administrator loads numbered ranges; each serial is free, used or spoiled; overlaps
and typing mistakes are refused whole; low stock warns once per delivery; the `paper` commands."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from registry_desk.cli import main
from registry_desk.domain.errors import PermissionDenied, RuleViolation, ValidationError
from registry_desk.kiosk import paper_stock
from registry_desk.demo import demo_users
from registry_desk.kernel.context import SYSTEM
from registry_desk.storage.kiosk.tables import PaperSerial
from registry_desk.storage.tables import AuditEvent
from tests.integration.test_case_helpers import CLERK
from tests.integration.test_kiosk_helpers import ADMIN, KIOSK

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _count(db, action: str) -> int:
    with db.unit_of_work(write=False) as uow:
        return int(uow.session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0)


def test_a_loaded_range_is_counted_sheet_by_sheet_and_taken_lowest_first(any_db):
    line = paper_stock.load_range(any_db, ADMIN, "NX2026000001", "nx2026000500", note="入库单 2026-01")
    assert (line.first_serial, line.last_serial, line.total, line.free) == (
        "NX2026000001",
        "NX2026000500",
        500,
        500,
    )
    with any_db.unit_of_work() as uow:
        first = paper_stock.take_serial(uow.session, KIOSK, "宁(2026)中卫市不动产权第0000001号", None, NOW)
        second = paper_stock.take_serial(uow.session, KIOSK, "宁(2026)中卫市不动产权第0000002号", None, NOW)
        paper_stock.mark_used(uow.session, first.serial, NOW)
        paper_stock.mark_spoiled(uow.session, KIOSK, second.serial, "卡纸", NOW)
        uow.commit()
    assert (first.serial, second.serial) == ("NX2026000001", "NX2026000002")
    stock = paper_stock.stock_status(any_db, CLERK)
    assert (stock.used, stock.spoiled, stock.free, stock.next_serial) == (1, 1, 498, "NX2026000003")
    history = paper_stock.serial_history(any_db, CLERK, "NX2026000002")
    assert history["status"] == "spoiled" and history["spoiled_reason"] == "卡纸"
    assert _count(any_db, "paper.loaded") == 1 and _count(any_db, "paper.spoiled") == 1


@pytest.mark.parametrize(
    ("first", "last", "error", "words"),
    [
        ("NX2026000001", "NX20260005", ValidationError, "前缀或位数不同"),
        ("NX2026000001", "NY2026000500", ValidationError, "前缀或位数不同"),
        ("NX2026000500", "NX2026000001", ValidationError, "小于起始"),
        ("NX2026000001", "NX2026200001", ValidationError, "超过一次最多"),
        ("NX-1", "NX-9", ValidationError, "不是有效的印刷序列号"),
        ("NX2026000400", "NX2026000600", RuleViolation, "重叠"),
    ],
)
def test_mistakes_and_overlaps_are_refused_and_nothing_is_loaded(sqlite_db, first, last, error, words):
    paper_stock.load_range(sqlite_db, ADMIN, "NX2026000001", "NX2026000500")
    with pytest.raises(error, match=words):
        paper_stock.load_range(sqlite_db, ADMIN, first, last)
    with sqlite_db.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(PaperSerial)) == 500


def test_only_an_administrator_loads_paper_or_moves_the_warning_line(sqlite_db):
    for actor in (CLERK, KIOSK):
        with pytest.raises(PermissionDenied):
            paper_stock.load_range(sqlite_db, actor, "NX0001", "NX0009")
        with pytest.raises(PermissionDenied):
            paper_stock.set_low_stock_threshold(sqlite_db, actor, 5)


def test_low_stock_warns_the_administrator_once_per_delivery(sqlite_db):
    paper_stock.load_range(sqlite_db, ADMIN, "NX0001", "NX0005")
    paper_stock.set_low_stock_threshold(sqlite_db, ADMIN, 3)
    taken = []
    for i in range(4):
        with sqlite_db.unit_of_work() as uow:
            taken.append(paper_stock.take_serial(uow.session, KIOSK, f"C{i}", None, NOW).serial)
            status = paper_stock.warn_if_low(uow.session, KIOSK, NOW)
            uow.commit()
        assert status.low is (5 - (i + 1) <= 3)
    assert _count(sqlite_db, "paper.low_stock") == 1  # at 3 left, not again at 2, 1
    assert "仅剩 1 张" in paper_stock.stock_status(sqlite_db, ADMIN).warning()
    paper_stock.load_range(sqlite_db, ADMIN, "NX0006", "NX0007")  # a small delivery: still low
    with sqlite_db.unit_of_work() as uow:
        paper_stock.warn_if_low(uow.session, KIOSK, NOW)
        uow.commit()
    assert _count(sqlite_db, "paper.low_stock") == 2


def test_the_paper_commands_load_and_report(sqlite_db, tmp_path, capsys):
    demo_users.ensure_demo_accounts(sqlite_db, tmp_path, SYSTEM)  # the demo admin's password in the data dir
    base = ["--database-url", sqlite_db.url, "--data-dir", str(tmp_path), "paper"]
    assert main([*base, "load", "--from", "NX2026000001", "--to", "NX2026000500"]) == 0
    assert "共 500 张" in capsys.readouterr().out
    assert main([*base, "status"]) == 0
    out = capsys.readouterr().out
    assert "NX2026000001—NX2026000500：共 500 张，已用 0，作废 0，打印中 0，剩余 500" in out
    assert "下一张 NX2026000001" in out
    assert main([*base, "load", "--from", "NX2026000500", "--to", "NX2026000501"]) == 2
    assert "重叠" in capsys.readouterr().err
