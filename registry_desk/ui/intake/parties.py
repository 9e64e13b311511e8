"""The intake's applicants (申请人): the parties table, the card reader's entry line and 共有方式, and what is
wrong with the parties as typed."""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from registry_desk.domain.cases import AgentInput, PartyInput
from registry_desk.domain.codes import CoOwnership, IdType, PartyRole
from registry_desk.domain.errors import DomainError
from registry_desk.domain.identifiers import validate_resident_id, validate_uscc
from registry_desk.registration import prefill
from registry_desk.ui.intake.fields import SourceLabel


class PartyTable(QTableWidget):
    """One row per party: role, name, 证件种类, 证件号码, share, address, phone, agent; the last column says
    where the row came from. Committing an ID number (Enter) on a row without a name fills the person."""

    # 来源 sits right after the number, where the clerk's eye checks a prefilled person.
    ROLE, NAME, ID_TYPE, ID_NUMBER, SOURCE, SHARE, ADDRESS, PHONE, AGENT_NAME, AGENT_ID, LEGAL_REP = range(11)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 11, parent)
        self.setObjectName("partiesTable")
        self.setHorizontalHeaderLabels(
            [
                self.tr("角色"),
                self.tr("姓名/名称"),
                self.tr("证件种类"),
                self.tr("证件号码"),
                self.tr("来源"),
                self.tr("份额"),
                self.tr("通讯地址"),
                self.tr("联系电话"),
                self.tr("代理人"),
                self.tr("代理人身份证号"),
                self.tr(
                    "法定代表人"
                ),  # a legal person's (a bank's, a developer's); kept as the register has it
            ]
        )
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in (
            (self.ROLE, 130),
            (self.NAME, 120),
            (self.ID_TYPE, 120),
            (self.ID_NUMBER, 165),
            (self.SOURCE, 230),
            (self.SHARE, 50),
            (self.ADDRESS, 150),
            (self.PHONE, 100),
            (self.AGENT_NAME, 70),
            (self.AGENT_ID, 150),
        ):
            self.setColumnWidth(column, width)

    def role_of(self, row: int) -> PartyRole:
        item = self.item(row, self.ROLE)
        assert item is not None
        return PartyRole(item.data(Qt.ItemDataRole.UserRole))

    def id_type_of(self, row: int) -> IdType:
        combo = self.cellWidget(row, self.ID_TYPE)
        assert isinstance(combo, QComboBox)
        return IdType(combo.currentData())

    def text(self, row: int, column: int) -> str:
        item = self.item(row, column)
        return item.text().strip() if item is not None else ""

    def set_text(self, row: int, column: int, value: str | None, source: str | None = None) -> None:
        item = self.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            self.setItem(row, column, item)
        item.setText(value or "")
        item.setToolTip(source or "")

    def add_row(self, role: PartyRole, role_label: str, party: PartyInput | None, source: str | None) -> int:
        row = self.rowCount()
        self.blockSignals(True)
        try:
            self.insertRow(row)
            role_item = QTableWidgetItem(role_label)
            role_item.setData(Qt.ItemDataRole.UserRole, role.value)
            role_item.setFlags(role_item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.setItem(row, self.ROLE, role_item)
            combo = QComboBox(self)
            for id_type in IdType:
                combo.addItem(id_type.label, id_type.value)
            self.setCellWidget(row, self.ID_TYPE, combo)
            for column in range(self.NAME, self.columnCount()):
                if column != self.ID_TYPE:
                    self.set_text(row, column, "")
            source_item = self.item(row, self.SOURCE)
            assert source_item is not None
            source_item.setFlags(source_item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            if party is not None:
                self.fill_row(row, party, source)
            elif source:
                self.set_text(row, self.SOURCE, source, source)
        finally:
            self.blockSignals(False)
        return row

    def fill_row(
        self, row: int, party: PartyInput, source: str | None, *, contact_source: str | None = None
    ) -> None:
        was = self.blockSignals(True)
        try:
            combo = self.cellWidget(row, self.ID_TYPE)
            assert isinstance(combo, QComboBox)
            combo.setCurrentIndex(combo.findData(party.id_type.value))
            combo.setToolTip(source or "")
            self.set_text(row, self.NAME, party.name, source)
            self.set_text(row, self.ID_NUMBER, party.id_number, source)
            if party.share is not None:
                self.set_text(row, self.SHARE, f"{party.share.numerator}/{party.share.denominator}", source)
            self.set_text(row, self.ADDRESS, party.address, contact_source or source)
            self.set_text(row, self.PHONE, party.phone, contact_source or source)
            if party.agent is not None:
                self.set_text(row, self.AGENT_NAME, party.agent.name)
                self.set_text(row, self.AGENT_ID, party.agent.id_number)
            self.set_text(row, self.LEGAL_REP, party.legal_rep_name, contact_source or source)
            self.set_text(row, self.SOURCE, source or self.tr("窗口录入"), source)
        finally:
            self.blockSignals(was)


class PartiesSection:
    """The dialog's 申请人 box and its behaviour (a part of IntakeDialog: it works on the dialog's
    business type, db and actor, and revalidates the whole form when a party changes)."""

    def _build_parties(self) -> QGroupBox:
        self.id_entry = QLineEdit(self)
        self.id_entry.setObjectName("idEntry")
        self.id_entry.setPlaceholderText(self.tr("刷身份证或输入证件号码后按回车"))
        self.id_role_combo = QComboBox(self)
        self.id_role_combo.setObjectName("idRole")
        self.remove_party_button = QPushButton(self.tr("删除所选当事人"), self)
        self.co_ownership_label = QLabel(self.tr("共有方式："), self)
        self.co_ownership_combo = QComboBox(self)
        self.co_ownership_combo.setObjectName("coOwnership")
        for mode in CoOwnership:
            self.co_ownership_combo.addItem(mode.label, mode.value)
        self.co_ownership_source = SourceLabel(self)
        self.co_ownership_source.set_source(None)
        self.party_table = PartyTable(self)
        entry_row = QHBoxLayout()
        entry_row.addWidget(QLabel(self.tr("添加为："), self))
        entry_row.addWidget(self.id_role_combo)
        entry_row.addWidget(self.id_entry, 1)
        entry_row.addWidget(self.co_ownership_label)
        entry_row.addWidget(self.co_ownership_combo)
        entry_row.addWidget(self.co_ownership_source)
        entry_row.addWidget(self.remove_party_button)
        parties_box = QGroupBox(self.tr("申请人"), self)
        parties_layout = QVBoxLayout(parties_box)
        parties_layout.addLayout(entry_row)
        parties_layout.addWidget(self.party_table)
        return parties_box

    def add_party(
        self, party: PartyInput, source: str | None = None, *, contact_source: str | None = None
    ) -> int:
        label = self.business.role_label(party.role)
        row = self.party_table.add_row(party.role, label, None, None)
        self.party_table.fill_row(row, party, source, contact_source=contact_source)
        self._revalidate()
        return row

    def suggest_role(self) -> None:
        """The card reader's next party goes to the first role still short of applicants (the buyer after
        the sellers were prefilled)."""
        counts = {r: 0 for r in PartyRole}
        for row in range(self.party_table.rowCount()):
            counts[self.party_table.role_of(row)] += 1
        for spec in self.business.roles:
            if counts[spec.role] < max(spec.min_count, 1):
                self.id_role_combo.setCurrentIndex(self.id_role_combo.findData(spec.role.value))
                return

    def add_party_from_entry(self) -> None:
        """A card reader types the ID number and Enter: the person is filled from known records, or a new
        row waits for the name."""
        number = self.id_entry.text().strip().upper()
        if not number:
            return
        role = PartyRole(self.id_role_combo.currentData())
        try:
            known = prefill.identify(self.db, self.actor, number, role=role)
        except DomainError as error:
            self.show_error(str(error))
            return
        self.id_entry.clear()
        if known is not None:
            source = self.tr("来自 当事人档案 {name}（{number}）").format(
                name=known.name, number=known.id_number
            )
            self.add_party(known, source)
            return
        id_type = IdType.USCC if len(number) == 18 and not number[:17].isdigit() else IdType.RESIDENT_ID
        row = self.add_party(PartyInput(role, "", id_type, number), self.tr("窗口录入"))
        # The register does not know this person: the clerk types the name from the ID card.
        self.party_table.setCurrentCell(row, PartyTable.NAME)
        self.party_table.setFocus(Qt.FocusReason.OtherFocusReason)

    def remove_selected_party(self) -> None:
        row = self.party_table.currentRow()
        if row >= 0:
            self.party_table.removeRow(row)
            self._revalidate()

    def _party_cell_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == PartyTable.ID_NUMBER and not self.party_table.text(item.row(), PartyTable.NAME):
            number = item.text().strip().upper()
            if number:
                try:
                    known = prefill.identify(
                        self.db, self.actor, number, role=self.party_table.role_of(item.row())
                    )
                except DomainError as error:
                    self.show_error(str(error))
                    known = None
                if known is not None:
                    source = self.tr("来自 当事人档案 {name}（{number}）").format(
                        name=known.name, number=known.id_number
                    )
                    self.party_table.fill_row(item.row(), known, source)
        if item.column() == PartyTable.AGENT_NAME:
            self._rebuild_materials()  # an agent brings the 授权委托书 into the list
        self._revalidate()

    def parties(self) -> tuple[list[PartyInput], list[str]]:
        """The parties as typed, with what is wrong with them."""
        t = self.party_table
        found: list[PartyInput] = []
        problems: list[str] = []
        by_shares = self._co_ownership() is CoOwnership.BY_SHARES
        for row in range(t.rowCount()):
            role = t.role_of(row)
            label = self.business.role_label(role)
            name = t.text(row, PartyTable.NAME)
            id_type = t.id_type_of(row)
            number = t.text(row, PartyTable.ID_NUMBER).upper()
            where = self.tr("第{n}行（{role}）").format(n=row + 1, role=label)
            if not name:
                problems.append(self.tr("{where}须填写姓名或名称").format(where=where))
            try:
                if id_type is IdType.RESIDENT_ID:
                    number = validate_resident_id(number, today=self.today)
                elif id_type is IdType.USCC:
                    number = validate_uscc(number)
                elif not number:
                    raise ValueError
            except (DomainError, ValueError):
                problems.append(
                    self.tr("{where}的{kind}号码“{number}”无效").format(
                        where=where, kind=id_type.label, number=number
                    )
                )
            share: Fraction | None = None
            share_text = t.text(row, PartyTable.SHARE)
            if role is PartyRole.RIGHT_HOLDER and by_shares:
                try:
                    share = Fraction(share_text)
                except (ValueError, ZeroDivisionError):
                    problems.append(self.tr("{where}按份共有须填写份额（如 1/2）").format(where=where))
            agent = None
            agent_name = t.text(row, PartyTable.AGENT_NAME)
            agent_number = t.text(row, PartyTable.AGENT_ID).upper()
            if agent_name or agent_number:
                try:
                    agent_number = validate_resident_id(agent_number, today=self.today)
                except DomainError:
                    problems.append(self.tr("{where}的代理人身份证号码无效").format(where=where))
                agent = AgentInput(agent_name, IdType.RESIDENT_ID, agent_number)
            found.append(
                PartyInput(
                    role=role,
                    name=name,
                    id_type=id_type,
                    id_number=number,
                    share=share,
                    address=t.text(row, PartyTable.ADDRESS) or None,
                    phone=t.text(row, PartyTable.PHONE) or None,
                    legal_rep_name=(t.text(row, PartyTable.LEGAL_REP) or None)
                    if id_type is IdType.USCC
                    else None,
                    agent=agent,
                )
            )
        for spec in self.business.roles:
            count = sum(1 for p in found if p.role is spec.role)
            if count < spec.min_count:
                problems.append(
                    self.tr("须有{label}（至少{n}位）").format(label=spec.label, n=spec.min_count)
                )
            if spec.max_count is not None and count > spec.max_count:
                problems.append(self.tr("{label}最多{n}位").format(label=spec.label, n=spec.max_count))
        return found, problems

    def _co_ownership(self) -> CoOwnership | None:
        if not self.co_ownership_combo.isVisibleTo(self):
            return None
        holders = sum(
            1
            for r in range(self.party_table.rowCount())
            if self.party_table.role_of(r) is PartyRole.RIGHT_HOLDER
        )
        if holders < 2 and CoOwnership(self.co_ownership_combo.currentData()) is CoOwnership.SOLE:
            return None
        return CoOwnership(self.co_ownership_combo.currentData())
