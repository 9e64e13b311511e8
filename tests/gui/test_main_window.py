"""The main window as a clerk drives it from the keyboard: search, open a unit, read its restrictions."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import select, update

from registry_desk.config import Settings
from registry_desk.domain.codes import CertificateKind, CertificateStatus, PartyRole, RightStatus, RightType
from registry_desk.operations import users
from registry_desk.kernel.context import Actor
from registry_desk.storage.database import Database
from registry_desk.storage.tables import Certificate, Party, Right, RightParty, Unit
from registry_desk.ui.main_window import MainWindow
from tests.gui.conftest import CLERK_PASSWORD, CLERK_USERNAME


def _current_unit_with(db: Database, right_type: RightType) -> str:
    with db.unit_of_work(write=False) as uow:
        number = uow.session.scalar(
            select(Unit.unit_number)
            .join(Right, Right.unit_id == Unit.id)
            .where(Right.right_type == right_type, Right.status == RightStatus.CURRENT)
            .order_by(Unit.unit_number)
        )
    assert number, f"the demo register has a unit with a current {right_type.label}"
    return number


def _holders(db: Database, unit_number: str, right_type: RightType) -> list[tuple[str, str]]:
    """(name, id number) of the current holders of a right of the unit."""
    with db.unit_of_work(write=False) as uow:
        rows = uow.session.execute(
            select(Party.name, Party.id_number)
            .join(RightParty, RightParty.party_id == Party.id)
            .join(Right, Right.id == RightParty.right_id)
            .join(Unit, Unit.id == Right.unit_id)
            .where(
                Unit.unit_number == unit_number,
                Right.right_type == right_type,
                Right.status == RightStatus.CURRENT,
                RightParty.role == PartyRole.RIGHT_HOLDER,
            )
        ).all()
    return [(name, id_number) for name, id_number in rows]


def _certificate_of(db: Database, unit_number: str) -> str:
    with db.unit_of_work(write=False) as uow:
        number = uow.session.scalar(
            select(Certificate.number)
            .join(Unit, Unit.id == Certificate.unit_id)
            .where(
                Unit.unit_number == unit_number,
                Certificate.kind == CertificateKind.RIGHT_CERTIFICATE,
                Certificate.status == CertificateStatus.CURRENT,
            )
        )
    assert number
    return number


@pytest.fixture(scope="module")
def clerk_actor(demo_db: Database) -> Actor:
    return users.login(demo_db, CLERK_USERNAME, CLERK_PASSWORD)


def _open_window(qtbot, db: Database, actor: Actor, tmp_path: Path) -> MainWindow:
    window = MainWindow(db, actor, Settings(tmp_path, db.url))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    return window


@pytest.fixture
def window(qtbot, demo_db: Database, clerk_actor: Actor, tmp_path: Path) -> MainWindow:
    return _open_window(qtbot, demo_db, clerk_actor, tmp_path)


def _type(window: QWidget, text: str) -> None:
    """Types like a keyboard (or a scanner in keyboard mode): each key goes to whatever has focus now.
    QTest.keyClicks cannot send Chinese characters, so the key events are made here."""
    for char in text:
        target = QApplication.focusWidget() or window.focusWidget()
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                target, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            )


def _search(qtbot, window: MainWindow, text: str) -> None:
    window.search_box.clear()
    window.search_box.setFocus()
    _type(window, text)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)


def test_title_status_bar_and_focus_at_start(window: MainWindow):
    assert window.windowTitle() == "不动产登记一窗受理 — 中卫市 — 受理员（受理人员）"
    assert window.focusWidget() is window.search_box
    assert window.status_user.text() == "当前用户：受理员（受理人员） · 1号窗口"
    assert window.status_database.text().startswith("数据库：sqlite:///")


def test_unit_number_opens_the_register_with_its_mortgage_highlighted(
    qtbot, window: MainWindow, demo_db: Database
):
    unit = _current_unit_with(demo_db, RightType.MORTGAGE)
    _search(qtbot, window, unit)
    assert window.pages.currentIndex() == window.PAGE_REGISTER, "a single hit opens directly"
    view = window.register_view
    assert view.unit_label.text() == f"不动产单元号：{unit}"
    assert "抵押" in view.badge_texts()
    assert "抵押权" in view.restrictions_model.column_text(0)
    mortgagees = {name for name, _id in _holders(demo_db, unit, RightType.MORTGAGE)}
    row = view.restrictions_model.column_text(0).index("抵押权")
    assert view.restrictions_model.column_text(1)[row] in mortgagees
    assert view.restrictions_table.isVisible() and not view.no_restrictions_label.isVisible()
    assert view.facts_model.value("不动产单元号") == unit


def test_owner_id_number_finds_the_owned_unit(qtbot, window: MainWindow, demo_db: Database):
    unit = _current_unit_with(demo_db, RightType.MORTGAGE)
    owner_name, owner_id = _holders(demo_db, unit, RightType.OWNERSHIP)[0]
    _search(qtbot, window, owner_id)
    if window.pages.currentIndex() == window.PAGE_REGISTER:
        assert window.register_view.register is not None
        assert window.register_view.register.unit_number == unit
    else:
        units = [window.results_model.hit(r).unit_number for r in range(window.results_model.rowCount())]
        assert unit in units
        # Enter on the chosen row opens it.
        window.results_view.selectRow(units.index(unit))
        qtbot.keyClick(window.results_view, Qt.Key.Key_Return)
        assert window.pages.currentIndex() == window.PAGE_REGISTER
    assert owner_name in window.register_view.owners_model.column_text(1)[0]


def test_certificate_number_with_full_width_brackets_as_a_scanner_types_it(qtbot, window, demo_db: Database):
    unit = _current_unit_with(demo_db, RightType.MORTGAGE)
    number = _certificate_of(demo_db, unit)
    full_width = number.replace("(", "（").replace(")", "）")
    assert full_width != number
    _search(qtbot, window, full_width)
    assert window.pages.currentIndex() == window.PAGE_REGISTER
    assert window.register_view.register.unit_number == unit
    assert number in window.register_view.certificates_model.column_text(0)


def test_a_scan_while_the_register_page_has_focus_goes_to_the_search_box(qtbot, window, demo_db: Database):
    mortgaged = _current_unit_with(demo_db, RightType.MORTGAGE)
    seized = _current_unit_with(demo_db, RightType.SEIZURE)
    _search(qtbot, window, mortgaged)
    assert window.focusWidget() is not window.search_box
    # The scanner "types" into whatever has focus: here the register page's tabs.
    _type(window, _certificate_of(demo_db, seized))
    assert window.focusWidget() is window.search_box
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    view = window.register_view
    assert view.register.unit_number == seized
    seizure_badges = [b for b in view.badges if b.property("kind") == "seizure"]
    assert [b.text() for b in seizure_badges] == ["查封"]


def test_several_hits_list_enter_opens_alt_left_goes_back_esc_clears(qtbot, window: MainWindow):
    _search(qtbot, window, "沙坡头区")
    assert window.pages.currentIndex() == window.PAGE_RESULTS
    assert window.results_model.rowCount() > 1
    count = window.results_model.rowCount()
    if count < 50:
        assert window.results_message.text().startswith(f"找到 {count} 条结果")
    else:
        assert window.results_message.text().startswith("只显示前 50 条结果")
    assert window.focusWidget() is window.results_view
    qtbot.keyClick(window.results_view, Qt.Key.Key_Down)
    chosen = window.results_model.hit(1).unit_number
    qtbot.keyClick(window.results_view, Qt.Key.Key_Return)
    assert window.pages.currentIndex() == window.PAGE_REGISTER
    assert window.register_view.register.unit_number == chosen
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.pages.currentIndex() == window.PAGE_RESULTS
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Escape)
    assert window.search_box.text() == ""
    assert window.focusWidget() is window.search_box


def test_ctrl_f_and_f3_return_to_the_search_box_from_the_case_list(qtbot, window: MainWindow):
    for key, modifier in (
        (Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_F3, Qt.KeyboardModifier.NoModifier),
    ):
        window.tabs.setCurrentIndex(1)
        window.case_list.table.setFocus()
        qtbot.keyClick(window.case_list.table, key, modifier)
        assert window.tabs.currentIndex() == 0
        assert window.focusWidget() is window.search_box


def test_no_match_is_said_in_red_on_the_results_page(qtbot, window: MainWindow):
    _search(qtbot, window, "并不存在的小区名")
    assert window.results_model.rowCount() == 0
    assert window.results_message.text() == "没有找到与“并不存在的小区名”相符的单元、证书、业务或权利人。"
    assert window.results_message.property("error") is True


def test_window_geometry_is_remembered(qtbot, demo_db: Database, clerk_actor: Actor, tmp_path: Path):
    first = _open_window(qtbot, demo_db, clerk_actor, tmp_path)
    first.resize(731, 517)
    first.close()
    second = _open_window(qtbot, demo_db, clerk_actor, tmp_path)
    assert (second.width(), second.height()) == (731, 517)


def test_a_change_announced_on_the_bus_refreshes_the_open_register(
    qtbot, sqlite_db: Database, tmp_path: Path
):
    from registry_desk.domain.codes import Role
    from registry_desk.kernel.context import SYSTEM
    from registry_desk.demo.demo_data import load_demo

    load_demo(sqlite_db)
    actor = users.create_user(sqlite_db, SYSTEM, "clerk9", "受理员", Role.CLERK, CLERK_PASSWORD)
    window = _open_window(qtbot, sqlite_db, actor, tmp_path)
    unit = _current_unit_with(sqlite_db, RightType.SEIZURE)
    _search(qtbot, window, unit)
    assert "查封" in window.register_view.badge_texts()
    # Another window lifts the seizure (解封) ...
    with sqlite_db.unit_of_work() as uow:
        unit_id = uow.session.scalar(select(Unit.id).where(Unit.unit_number == unit))
        uow.session.execute(
            update(Right)
            .where(Right.unit_id == unit_id, Right.right_type == RightType.SEIZURE)
            .values(status=RightStatus.HISTORICAL)
        )
        uow.commit()
    assert "查封" in window.register_view.badge_texts(), "nothing re-reads until told"
    window.bus.notify("register")
    assert "查封" not in window.register_view.badge_texts()
    assert "查封登记" in window.register_view.history_model.column_text(0)


def _withdrawn_case(demo_db: Database, clerk_actor: Actor) -> str:
    """A case on the shared demo register, withdrawn at once so that it locks no unit for the other tests."""
    from datetime import datetime, timezone

    from registry_desk.domain.cases import IntakeRequest, NoticeTerms, PartyInput
    from registry_desk.domain.codes import AdvanceNoticeKind, IdType
    from registry_desk.registration import closing, intake

    unit = _current_unit_with(demo_db, RightType.OWNERSHIP)
    owners = _holders(demo_db, unit, RightType.OWNERSHIP)
    request = IntakeRequest(
        business_type="advance_notice",
        unit_number=unit,
        parties=(
            PartyInput(PartyRole.RIGHT_HOLDER, "搜索测试买受人", IdType.RESIDENT_ID, "640502199001011239"),
            *(PartyInput(PartyRole.OBLIGOR, name, IdType.RESIDENT_ID, number) for name, number in owners),
        ),
        materials={
            "application": "paper",
            "identity": "paper",
            "sale_contract": "paper",
            "title_certificate": "paper",
        },
        notice=NoticeTerms(kind=AdvanceNoticeKind.OTHER_PURCHASE),
    )
    monday = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
    number = intake.accept_case(demo_db, clerk_actor, request, now=monday).case_number
    closing.withdraw_case(demo_db, clerk_actor, number, "测试后撤回", now=monday)
    return number


def test_a_case_number_in_the_search_box_opens_that_case(
    qtbot, window: MainWindow, demo_db: Database, clerk_actor: Actor
):
    number = _withdrawn_case(demo_db, clerk_actor)
    _search(qtbot, window, number)
    dialog = window.case_details.get(number)
    assert dialog is not None and dialog.isVisible()
    dialog.close()
    assert window.case_list.scope_label.isVisibleTo(window.case_list)
    assert "12位业务号" in window.case_list.scope_label.text()


def test_closing_the_window_releases_its_cases_and_stops_its_background_work(
    qtbot, demo_db: Database, clerk_actor: Actor, tmp_path: Path
):
    """Closing with a case still open: the other windows no longer see it as 处理中 here, the change
    listener's thread and the timers stop, and the geometry is saved (as app.run then disposes the db)."""
    from registry_desk.registration import claims
    from registry_desk.ui import tasks

    number = _withdrawn_case(demo_db, clerk_actor)
    window = _open_window(qtbot, demo_db, clerk_actor, tmp_path)
    qtbot.waitUntil(lambda: window.live.listener.running, timeout=5000)
    dialog = window.open_case(number)
    assert dialog is not None and dialog.isVisible()
    claim = claims.claim_of(demo_db, number)
    assert claim is not None and claim.is_held_by(clerk_actor)

    window.close()
    assert tasks.wait_for_all(30.0)

    assert claims.claim_of(demo_db, number) is None
    assert not window.live.listener.running
    assert not window.poll_timer.isActive() and not window.claim_timer.isActive()
