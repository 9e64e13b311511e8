"""The intake as a clerk drives it: one resale from search to certificate, and a refused intake that saves nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from registry_desk.config import Settings
from registry_desk.domain.codes import CaseStatus, RightStatus, RightType, Role
from registry_desk.domain.identifiers import resident_id_check_char
from registry_desk.domain.taxes import full_years
from registry_desk.registration import certificates, queries, recording
from registry_desk.kernel.context import Actor
from registry_desk.demo.demo_cases import pick_demo_units
from registry_desk.demo.demo_data import load_demo
from registry_desk.storage.database import Database
from registry_desk.storage.tables import AuditEvent, Case, Party, Right, Unit
from registry_desk.ui.intake.parties import PartyTable
from registry_desk.ui.main_window import MainWindow
from registry_desk.ui.printing import print_pdf_to_file

BUYER_NAME = "欧阳晓珺"
BUYER_ID = "640502199403150" + "82"
BUYER_ID += resident_id_check_char(BUYER_ID)
ADMIN = Actor(None, "admin01", "管理员", Role.ADMIN)


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")


def _open_window(qtbot, db: Database, actor: Actor, tmp_path: Path) -> MainWindow:
    window = MainWindow(db, actor, Settings(tmp_path, db.url))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)  # shortcuts work in the active window only
    return window


def _search_and_open_intake(qtbot, window: MainWindow, unit: str):
    window.search_box.setFocus()
    qtbot.keyClicks(window.search_box, unit)
    qtbot.keyClick(window.search_box, Qt.Key.Key_Return)
    assert window.pages.currentIndex() == window.PAGE_REGISTER
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    intake = window.intake
    assert intake is not None and intake.unit.unit_number == unit
    qtbot.addWidget(intake)
    intake.activateWindow()
    qtbot.waitUntil(intake.isActiveWindow, timeout=2000)
    return intake


@pytest.fixture
def demo(sqlite_db: Database, clerk: Actor) -> tuple[Database, Actor]:
    load_demo(sqlite_db)
    return sqlite_db, clerk


def test_a_resale_from_search_to_certificate(qtbot, demo, tmp_path: Path):
    db, clerk = demo
    unit = pick_demo_units(db).plain[0]
    window = _open_window(qtbot, db, clerk, tmp_path)
    intake = _search_and_open_intake(qtbot, window, unit)
    assert intake.business.label == "个人存量房转移登记"

    qtbot.keyClick(intake, Qt.Key.Key_F4)  # 从登记簿预填
    sellers = [
        intake.party_table.text(r, PartyTable.NAME)
        for r in range(intake.party_table.rowCount())
        if intake.party_table.text(r, PartyTable.ROLE) == "转让方（义务人）"
    ]
    register_owners = [p.name for p in intake.unit.owners[0].holders]
    assert sellers == register_owners
    assert intake.party_table.text(0, PartyTable.SOURCE).startswith("来自 登记簿")
    assert intake.party_table.item(0, PartyTable.NAME).toolTip().startswith("来自 登记簿")
    assert "须有受让方（权利人）（至少1位）" in intake.problems()
    # The sellers' years held (满二/满五 for the taxes) are counted from the register, not left at a default.
    since = intake.seller_since
    assert since is not None
    contract = intake.contract_date.date().toPython()
    assert intake.seller_years.value() == full_years(since, contract)
    assert f"登簿日期 {since.isoformat()}" in intake.seller_years_source.text()
    intake.contract_date.setDate(intake.contract_date.date().addYears(3))  # a later contract: more years held
    assert intake.seller_years.value() == full_years(since, contract.replace(year=contract.year + 3))
    intake.contract_date.setDate(intake.contract_date.date().addYears(-3))

    # The ID-card reader types the buyer's number and Enter; she is new, so the clerk types her name.
    intake.id_role_combo.setCurrentIndex(intake.id_role_combo.findText("受让方（权利人）"))
    intake.id_entry.setFocus()
    qtbot.keyClicks(intake.id_entry, BUYER_ID)
    qtbot.keyClick(intake.id_entry, Qt.Key.Key_Return)
    row = intake.party_table.rowCount() - 1
    assert intake.party_table.text(row, PartyTable.ID_NUMBER) == BUYER_ID
    assert intake.party_table.currentColumn() == PartyTable.NAME
    intake.party_table.item(row, PartyTable.NAME).setText(BUYER_NAME)
    qtbot.keyClicks(intake.price_edit, "450000")
    assert "契税" in intake.quote_label.text()
    qtbot.keyClick(intake, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)  # 全部已收
    assert intake.problems() == []

    qtbot.keyClick(intake, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: intake.receipt_preview is not None, timeout=20_000)
    receipt = intake.receipt_preview
    qtbot.addWidget(receipt)
    number = intake.summary.case_number
    assert receipt.document.pageCount() == 1
    assert number in _text(receipt.pdf_bytes) and "不动产登记受理凭证" in _text(receipt.pdf_bytes)
    assert intake.summary.status is CaseStatus.AWAITING_PAYMENT
    qtbot.waitUntil(lambda: number in window.case_list.shown_case_numbers(), timeout=5000)

    # At the back office: an administrator's window confirms payment, records, prints and hands over.
    back = _open_window(qtbot, db, ADMIN, tmp_path / "back")
    back.tabs.setCurrentWidget(back.case_list)
    assert back.case_list.select_case(number)
    back.case_list.table.setFocus()
    qtbot.keyClick(back.case_list.table, Qt.Key.Key_Return)
    detail = back.case_details[number]
    qtbot.addWidget(detail)
    assert detail.status_label.text() == "待缴费"
    assert "pay" in detail.visible_actions()

    def act(key: str, status: CaseStatus) -> None:
        detail.buttons[key].click()
        qtbot.waitUntil(lambda: detail.summary.status is status, timeout=20_000)

    act("pay", CaseStatus.IN_REVIEW)
    questions: list[str] = []
    detail.confirm = lambda _parent, _title, text: questions.append(text) or True
    act("record", CaseStatus.RECORDED)
    assert BUYER_NAME in questions[0] and "登簿即生效" in questions[0]
    act("ready", CaseStatus.CERTIFICATE_READY)
    certificate = detail.summary.certificate_numbers[0]
    assert certificate.startswith("宁(") and "不动产权第" in certificate

    opened: list = []
    detail.preview_opened.connect(opened.append)
    detail.buttons["print_certificate"].click()
    qtbot.waitUntil(lambda: bool(opened), timeout=20_000)
    preview = opened[0]
    text = _text(preview.pdf_bytes)
    assert BUYER_NAME in text and certificate in text
    printed = tmp_path / "printed.pdf"
    assert print_pdf_to_file(preview.pdf_bytes, printed) == 1
    page = pypdfium2.PdfDocument(str(printed))[0]
    pixels = page.render(scale=0.3).to_pil().convert("L")
    assert pixels.getextrema()[0] < 100, "the printed page carries the certificate, not a blank sheet"
    preview.close()

    detail.ask_receiver = lambda _parent, _title, _prompt: BUYER_NAME
    act("issue", CaseStatus.ISSUED)
    qtbot.waitUntil(lambda: "已发证" in back.case_list.model.column_text(4), timeout=5000)
    row = back.case_list.model.column_text(0).index(number)
    assert back.case_list.model.column_text(4)[row] == "已发证"
    assert back.case_list.model.column_text(7)[row] == "0个工作日"
    assert [
        h for h in (detail.history_table.item(r, 2).text() for r in range(detail.history_table.rowCount()))
    ][:6] == ["受理", "预填内容核对受理", "确认缴费", "审核登簿", "签发电子证照", "缮证"]


def test_a_seized_unit_is_refused_inline_and_nothing_is_saved(qtbot, demo, tmp_path: Path):
    db, clerk = demo
    with db.unit_of_work(write=False) as uow:
        seized = uow.session.scalar(
            select(Unit.unit_number)
            .join(Right, Right.unit_id == Unit.id)
            .where(Right.right_type == RightType.SEIZURE, Right.status == RightStatus.CURRENT)
            .order_by(Unit.id)
        )
        parties_before = uow.session.scalar(select(func.count()).select_from(Party))
    window = _open_window(qtbot, db, clerk, tmp_path)
    intake = _search_and_open_intake(qtbot, window, seized)
    qtbot.keyClick(intake, Qt.Key.Key_F4)
    intake.id_role_combo.setCurrentIndex(intake.id_role_combo.findText("受让方（权利人）"))
    qtbot.keyClicks(intake.id_entry, BUYER_ID)
    qtbot.keyClick(intake.id_entry, Qt.Key.Key_Return)
    intake.party_table.item(intake.party_table.rowCount() - 1, PartyTable.NAME).setText(BUYER_NAME)
    qtbot.keyClicks(intake.price_edit, "300000")
    intake.mark_all_received()
    assert intake.problems() == []
    intake.accept_intake()
    qtbot.waitUntil(lambda: intake.error_label.isVisible(), timeout=20_000)
    message = intake.error_label.text()
    assert "查封" in message and seized in message
    assert intake.receipt_preview is None and intake.isVisible()
    with db.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Case)) == 0
        assert uow.session.scalar(select(func.count()).select_from(Party)) == parties_before
    assert queries.list_cases(db, clerk, today=intake.today) == []


def test_cancellation_offers_the_units_mortgages_and_fills_the_bank(qtbot, demo, tmp_path: Path):
    db, clerk = demo
    unit = pick_demo_units(db).mortgaged[0]
    window = _open_window(qtbot, db, clerk, tmp_path)
    intake = _search_and_open_intake(qtbot, window, unit)
    intake.set_business_type("mortgage_cancel")
    proofs = [intake.cancel_combo.itemData(i) for i in range(intake.cancel_combo.count())]
    assert len(proofs) == 1 and "不动产证明第" in proofs[0]
    intake.run_prefill()
    assert intake.party_table.text(0, PartyTable.ROLE) == "抵押权人"
    assert intake.party_table.text(0, PartyTable.NAME).endswith(("分行", "支行", "公司"))
    assert intake.cancel_source.text().startswith("来自 登记簿") and proofs[0] in intake.cancel_source.text()
    assert intake.materials_table.item(0, 0).text() == "不动产登记申请书"
    assert "一次性告知" in intake.notice_once_label.text()


def test_a_notice_shows_kind_and_mortgage_terms_labelled_in_wan_or_yuan(qtbot, demo, tmp_path: Path):
    db, clerk = demo
    unit = pick_demo_units(db).developer[0]
    window = _open_window(qtbot, db, clerk, tmp_path)
    intake = _search_and_open_intake(qtbot, window, unit)
    intake.set_business_type("advance_notice")
    assert intake.notice_kind_combo.isVisible() and intake.prefill_button.isEnabled()
    intake.notice_kind_combo.setCurrentIndex(intake.notice_kind_combo.findData(4))
    box = intake.notice_mortgage_box
    assert box.isVisible() and not intake.notice_price.isVisible()
    assert box.amount_label.text() == "被担保主债权数额（万元）："
    box.mode.setCurrentIndex(box.mode.findText("最高额抵押"))
    assert box.amount_label.text() == "最高债权额（万元）："
    box.amount.setText("45.5")
    assert box.terms().amount.fen == 45_500_000
    box.amount_unit.setCurrentIndex(box.amount_unit.findText("元"))
    assert box.terms().amount.fen == 4_550
    assert any(
        "抵押合同" in intake.materials_table.item(r, 0).text()
        for r in range(intake.materials_table.rowCount())
    )


def test_a_presale_notice_from_search_to_printed_proof(qtbot, demo, tmp_path: Path):
    """预售商品房买卖预告 at the window: F4 takes the developer from the register, the card reader the buyer;
    the registrar records and the 不动产登记证明 prints."""
    db, clerk = demo
    unit = pick_demo_units(db).developer[0]
    window = _open_window(qtbot, db, clerk, tmp_path)
    intake = _search_and_open_intake(qtbot, window, unit)
    intake.set_business_type("advance_notice")
    assert intake.notice_kind.label == "预售商品房买卖预告登记"
    assert intake.prefill_button.isEnabled()

    qtbot.keyClick(intake, Qt.Key.Key_F4)  # 从登记簿预填
    developer = intake.unit.owners[0].holders[0].name
    assert intake.party_table.rowCount() == 1
    assert intake.party_table.text(0, PartyTable.ROLE) == "预告登记义务人"
    assert intake.party_table.text(0, PartyTable.NAME) == developer
    assert intake.party_table.text(0, PartyTable.SOURCE).startswith("来自 登记簿")
    assert intake.party_table.text(0, PartyTable.LEGAL_REP)  # the developer's 法定代表人, from its record

    # Switching to the bank's kind and back takes the obligor again from the register, never left stale.
    intake.notice_kind_combo.setCurrentIndex(intake.notice_kind_combo.findData(3))
    assert intake.prefilled is not None and intake.prefilled.request.notice.kind == 3
    intake.notice_kind_combo.setCurrentIndex(intake.notice_kind_combo.findData(1))
    assert intake.prefilled.request.notice.kind == 1 and intake.party_table.rowCount() == 1

    intake.id_role_combo.setCurrentIndex(intake.id_role_combo.findText("预告登记权利人"))
    intake.id_entry.setFocus()
    qtbot.keyClicks(intake.id_entry, BUYER_ID)
    qtbot.keyClick(intake.id_entry, Qt.Key.Key_Return)
    row = intake.party_table.rowCount() - 1
    intake.party_table.item(row, PartyTable.NAME).setText(BUYER_NAME)
    qtbot.keyClicks(intake.notice_price, "612000")
    qtbot.keyClick(intake, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)  # 全部已收
    assert intake.problems() == []

    qtbot.keyClick(intake, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: intake.receipt_preview is not None, timeout=20_000)
    qtbot.addWidget(intake.receipt_preview)
    number = intake.summary.case_number
    assert intake.summary.status is CaseStatus.IN_REVIEW  # a notice is free: straight to 审核

    back = _open_window(qtbot, db, ADMIN, tmp_path / "back")
    detail = back.open_case(number)
    qtbot.addWidget(detail)
    detail.confirm = lambda _parent, _title, _text: True

    def act(key: str, status: CaseStatus) -> None:
        detail.buttons[key].click()
        qtbot.waitUntil(lambda: detail.summary.status is status, timeout=20_000)

    act("record", CaseStatus.RECORDED)
    act("ready", CaseStatus.CERTIFICATE_READY)
    proof = detail.summary.certificate_numbers[0]
    assert "不动产证明第" in proof
    opened: list = []
    detail.preview_opened.connect(opened.append)
    detail.buttons["print_certificate"].click()
    qtbot.waitUntil(lambda: bool(opened), timeout=20_000)
    text = _text(opened[0].pdf_bytes)
    assert "不动产登记证明" in text and proof in text
    assert BUYER_NAME in text and developer in text and "预售商品房买卖预告登记" in text
    opened[0].close()
    with db.unit_of_work(write=False) as uow:
        sources = uow.session.scalar(
            select(AuditEvent.after).where(
                AuditEvent.action == "case.prefill_accepted", AuditEvent.record == number
            )
        )
    assert sources["fields"]["parties[0].name"]["source"].startswith("来自 登记簿")


def _accept_keeping_the_contract(qtbot, db: Database, clerk: Actor, intake):
    """Ctrl+Enter, then the case as saved: the bank's contract read with F6 is its sealed 抵押合同."""
    from registry_desk.domain.cases import MATERIAL_SEALED

    qtbot.keyClick(intake, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: intake.receipt_preview is not None, timeout=20_000)
    qtbot.addWidget(intake.receipt_preview)
    assert intake.acceptance.material_error is None
    case = queries.get_case(db, clerk, intake.summary.case_number)
    assert {m.code: m.status for m in case.materials}["mortgage_contract"] == MATERIAL_SEALED
    return case


def test_a_second_mortgage_read_from_the_banks_sealed_contract(qtbot, demo, tmp_path: Path):
    """No notice on the unit: F6 reads the bank's sealed contract, verified, and the form fills from it; the
    same PDF becomes the case's sealed 抵押合同. A contract altered after sealing is refused and fills nothing."""
    from datetime import date

    from registry_desk.domain.codes import MortgageMode
    from registry_desk.domain.money import Money
    from registry_desk.demo.demo_contracts import make_demo_mortgage_contract

    db, clerk = demo
    unit = pick_demo_units(db).mortgaged[0]
    window = _open_window(qtbot, db, clerk, tmp_path)
    intake = _search_and_open_intake(qtbot, window, unit)
    intake.set_business_type("mortgage_first")
    assert intake.contract_button.isVisible()
    qtbot.keyClick(intake, Qt.Key.Key_F4)
    assert "没有抵押权预告登记可带入" in intake.error_label.text()

    number, pdf = make_demo_mortgage_contract(
        intake.settings,
        db,
        unit,
        "bank-xb",
        Money.yuan("280000"),
        start=date(2026, 3, 2),
        mode=MortgageMode.MAXIMUM,
    )
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(pdf.replace(b"/Type /Catalog", b"/Type  /Catalog", 1) + b"\n")
    assert not intake.read_bank_contract_file(forged)
    assert "forged.pdf" in intake.error_label.text() and intake.party_table.rowCount() == 0

    path = intake.settings.bank_inbox_dir / f"{unit}_{number}.pdf"  # as the bank delivers it
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf)
    assert intake.read_bank_contract_file(path)
    assert intake.error_label.text() == ""
    assert intake.party_table.text(0, PartyTable.NAME) == "西部示范银行股份有限公司中卫支行"
    assert (
        intake.party_table.text(0, PartyTable.SOURCE)
        == f"来自 银行报送的抵押合同 {number}（91640500MA7XB0030P）"
    )
    assert intake.mortgage_box.terms().amount == Money.yuan("280000")
    assert number in intake.contract_note.text() and intake.contract_note.isVisible()
    qtbot.keyClick(intake, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)  # the rest brought on paper
    assert intake.problems() == []

    case = _accept_keeping_the_contract(qtbot, db, clerk, intake)
    # The inbox lists what still waits: the used contract moved to 已受理.
    assert not path.exists() and (path.parent / "已受理" / path.name).read_bytes() == pdf
    with db.unit_of_work(write=False) as uow:
        sources = uow.session.scalar(
            select(AuditEvent.after).where(
                AuditEvent.action == "case.prefill_accepted", AuditEvent.record == case.case_number
            )
        )
    assert sources["fields"]["mortgage.amount"]["source"].startswith(f"来自 银行报送的抵押合同 {number}")


def _recorded_purchase_notice(db: Database, clerk: Actor, unit: str) -> None:
    """A buyer's 预售商品房买卖预告 on the developer's flat, carried through the services to 发证."""
    import dataclasses
    from datetime import datetime, timezone

    from registry_desk.domain.cases import PartyInput
    from registry_desk.domain.codes import AdvanceNoticeKind, IdType, PartyRole
    from registry_desk.domain.money import Money
    from registry_desk.registration.prefill import accept_prefilled, prefill

    monday = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
    registrar = Actor(None, "reg01", "登簿员", Role.REGISTRAR)
    p = prefill(db, clerk, "advance_notice", unit, notice_kind=AdvanceNoticeKind.PRESALE_PURCHASE)
    buyer = PartyInput(PartyRole.RIGHT_HOLDER, BUYER_NAME, IdType.RESIDENT_ID, BUYER_ID)
    request = dataclasses.replace(
        p.request,
        parties=(*p.request.parties, buyer),
        notice=dataclasses.replace(p.request.notice, price=Money.yuan("612000")),
        materials={m: "paper" for m in ("application", "identity", "presale_contract")},
    )
    number = accept_prefilled(db, clerk, p.as_accepted(request), now=monday).case_number
    recording.record_case(db, registrar, number, now=monday)
    certificates.mark_certificate_ready(db, registrar, number, now=monday)
    certificates.issue_certificate(db, clerk, number, BUYER_NAME, now=monday)


def test_the_banks_presale_mortgage_notice_read_from_its_sealed_contract(qtbot, demo, tmp_path: Path):
    """期房按揭: once the buyer's purchase notice stands, F6 fills the bank's 预售商品房抵押权预告 from its
    contract, the buyer (from the notice) as mortgagor; the contract becomes the case's sealed material."""
    from datetime import date

    from registry_desk.domain.money import Money
    from registry_desk.demo.demo_contracts import make_demo_mortgage_contract

    db, clerk = demo
    unit = pick_demo_units(db).developer[0]
    _recorded_purchase_notice(db, clerk, unit)
    window = _open_window(qtbot, db, clerk, tmp_path)
    intake = _search_and_open_intake(qtbot, window, unit)
    intake.set_business_type("advance_notice")
    assert not intake.contract_button.isVisible()  # a purchase notice has no bank contract to read
    intake.notice_kind_combo.setCurrentIndex(intake.notice_kind_combo.findData(3))
    assert intake.contract_button.isVisible()

    number, pdf = make_demo_mortgage_contract(
        intake.settings, db, unit, "bank-hh", Money.yuan("428000"), start=date(2026, 3, 2), years=30
    )
    path = tmp_path / f"{unit}_{number}.pdf"
    path.write_bytes(pdf)
    assert intake.read_bank_contract_file(path), intake.error_label.text()
    rows = {intake.party_table.text(r, PartyTable.ROLE): intake.party_table.text(r, PartyTable.NAME)
            for r in range(intake.party_table.rowCount())}  # fmt: skip
    assert rows == {"预告登记权利人": "黄河示范银行股份有限公司中卫分行", "预告登记义务人": BUYER_NAME}
    assert intake.notice_mortgage_box.terms().amount == Money.yuan("428000")
    qtbot.keyClick(intake, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    assert intake.problems() == []

    _accept_keeping_the_contract(qtbot, db, clerk, intake)
