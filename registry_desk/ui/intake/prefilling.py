"""Prefilling the intake form: from the register (F4), or from the bank's sealed mortgage contract (F6, its seal
verified first); each value keeps its source, shown beside the field."""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from registry_desk.domain.cases import ADVANCE_NOTICE, MORTGAGE_CANCEL, MORTGAGE_FIRST, TRANSFER
from registry_desk.domain.errors import DomainError
from registry_desk.registration import prefill, prefill_form
from registry_desk.ui.intake.fields import SourceLabel
from registry_desk.ui.intake.parties import PartyTable

PREFILL_TYPES = (TRANSFER, MORTGAGE_FIRST, MORTGAGE_CANCEL, ADVANCE_NOTICE)


class Prefilling:
    """F4 and F6 of the dialog (a part of IntakeDialog: the prefill fills every section of the form)."""

    def run_prefill(self) -> None:
        business = self.business
        if business.key not in PREFILL_TYPES:
            return
        mortgage = str(self.cancel_combo.currentData()) if business.key == MORTGAGE_CANCEL else None
        if business.key == MORTGAGE_CANCEL and self.cancel_combo.currentData() is None:
            mortgage = None
        try:
            if self.reads_bank_contracts and self.bank_contract is not None:
                from registry_desk.exemptions import bank_contracts

                result = bank_contracts.prefill_from_contract(
                    self.db,
                    self.actor,
                    self.bank_contract,
                    business_type=business.key,
                    notice_kind=self.notice_kind,
                )
            else:
                result = prefill.prefill(
                    self.db,
                    self.actor,
                    business.key,
                    self.unit.unit_number,
                    mortgage=mortgage,
                    notice_kind=self.notice_kind,
                )
        except DomainError as error:
            self.show_error(str(error))
            return
        self.show_error("")
        self.apply_prefill(result)

    @property
    def reads_bank_contracts(self) -> bool:
        """A first mortgage or an 抵押权预告: the bank's sealed contract can fill it (F6)."""
        kind = self.notice_kind
        return self.business.key == MORTGAGE_FIRST or (kind is not None and kind.is_mortgage)

    def choose_bank_contract(self) -> None:
        """F6: the clerk picks the bank's sealed contract (banks deliver them to the data dir's bank_inbox)."""
        if not self.reads_bank_contracts:
            return
        folder = self.settings.bank_inbox_dir
        with contextlib.suppress(OSError):  # an unwritable data dir: the dialog still opens, elsewhere
            folder.mkdir(parents=True, exist_ok=True)
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("读取银行抵押合同"), str(folder), self.tr("电子签章 PDF (*.pdf)")
        )
        if path:
            self.read_bank_contract_file(Path(path))

    def read_bank_contract_file(self, path: Path) -> bool:
        """Verifies the contract's seal, reads its data and prefills the mortgage from it; refusals show in red."""
        from registry_desk.exemptions import bank_contracts
        from registry_desk.registration import issuing

        try:
            pdf = path.read_bytes()
        except OSError as error:
            self.show_error(
                self.tr("无法读取文件 {name}：{error}").format(name=path.name, error=error.strerror or error)
            )
            return False
        try:
            trust = issuing.centre_kit(self.settings).trust
            contract = bank_contracts.read_bank_contract(
                pdf, trust, unit_number=self.unit.unit_number, source=path.name
            )
            result = bank_contracts.prefill_from_contract(
                self.db, self.actor, contract, business_type=self.business.key, notice_kind=self.notice_kind
            )
        except DomainError as error:
            self.show_error(str(error))
            return False
        self.show_error("")
        self.bank_contract = contract
        self.bank_contract_path = path
        self.apply_prefill(result)
        self._check_material("mortgage_contract")
        self.contract_note.setText(
            self.tr("银行抵押合同 {number}：{bank} 电子签章已核验；受理后作为电子签章件收取").format(
                number=contract.data.contract_no, bank=contract.signer_org
            )
        )
        self.contract_note.show()
        return True

    def _forget_bank_contract(self) -> None:
        self.bank_contract = None
        self.bank_contract_path = None
        self.contract_note.clear()
        self.contract_note.hide()

    def apply_prefill(self, result: prefill_form.Prefill) -> None:
        self.prefilled = result
        request = result.request
        sources = {path: source.text for path, source in result.sources.items()}
        self.party_table.setRowCount(0)
        for index, party in enumerate(request.parties):
            self.add_party(
                party,
                sources.get(f"parties[{index}].name"),
                contact_source=sources.get(f"parties[{index}].address")
                or sources.get(f"parties[{index}].phone"),
            )
        if request.co_ownership is not None:
            self.co_ownership_combo.setCurrentIndex(
                self.co_ownership_combo.findData(request.co_ownership.value)
            )
        self.co_ownership_source.set_source(sources.get("co_ownership"))
        if request.price is not None:
            self.price_edit.setText(str(request.price))
        self.price_source.set_source(sources.get("price"))
        if request.mortgage is not None:
            self.mortgage_box.set_terms(
                request.mortgage,
                {k.removeprefix("mortgage."): v for k, v in sources.items() if k.startswith("mortgage.")},
            )
        if request.notice is not None and request.notice.mortgage is not None:
            self.notice_mortgage_box.set_terms(
                request.notice.mortgage,
                {
                    k.removeprefix("notice.mortgage."): v
                    for k, v in sources.items()
                    if k.startswith("notice.mortgage.")
                },
            )
        if request.cancellation is not None:
            index = self.cancel_combo.findData(request.cancellation.mortgage)
            if index >= 0:
                self.cancel_combo.setCurrentIndex(index)
            self.cancel_reason.setCurrentIndex(self.cancel_reason.findData(request.cancellation.reason.value))
            self.cancel_source.set_source(sources.get("cancellation.mortgage"))
        since = result.display.get(prefill_form.SELLER_SINCE)
        if since:
            self.seller_since = date.fromisoformat(since)
            self._count_seller_years()
            self.seller_years_source.set_source(
                self.tr("{source}，持有年限按登簿日期 {since} 计至合同签订日期").format(
                    source=sources.get(prefill_form.SELLER_SINCE, ""), since=since
                )
            )
        self.show_warnings(result.warnings)
        self.suggest_role()
        self._revalidate()

    def source_texts(self) -> list[str]:
        """Every source shown on the form (the party rows' 来源 column and the grey labels)."""
        t = self.party_table
        texts = [t.text(r, PartyTable.SOURCE) for r in range(t.rowCount())]
        labels = [label for label in self.findChildren(SourceLabel) if label.text()]
        return [text for text in texts if text] + [label.text() for label in labels]
