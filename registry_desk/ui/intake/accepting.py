"""Accepting the intake (Ctrl+Enter): the case is accepted and billed off the UI thread, the bank's contract
collected as its sealed material, and the 受理凭证 opens in the preview, one copy per paying side."""

from __future__ import annotations

from typing import Any

from registry_desk.domain.cases import CaseSummary, IntakeRequest
from registry_desk.domain.errors import DomainError
from registry_desk.payments import service as payment_flow
from registry_desk.registration import prefill_form
from registry_desk.ui.pdf_preview import PdfPreviewDialog


class Accepting:
    """The dialog's 受理 (a part of IntakeDialog: it accepts the request the form builds, and closes the
    dialog once the receipts show)."""

    def accept_intake(self) -> None:
        if self.tasks.busy:
            return
        request, problems = self.build_request()
        if request is None:
            self.show_error(self.tr("不能受理：") + self._listed(problems))
            return
        self.show_error("")
        self.accept_button.setEnabled(False)
        self.accept_button.setText(self.tr("正在受理……"))

        def on_failure(error: BaseException) -> None:
            self.accept_button.setEnabled(True)
            self.accept_button.setText(self.tr("受理（Ctrl+Enter）"))
            if isinstance(error, DomainError):
                self.show_error(str(error))
                return
            raise error

        channel = self.channel
        prefilled = self._prefill_as_accepted(request)
        contract = self.bank_contract if self.reads_bank_contracts else None
        contract_path = self.bank_contract_path
        db, actor, settings = self.db, self.actor, self.settings

        def work() -> payment_flow.Acceptance:
            accepted = payment_flow.accept_and_bill(db, actor, request, channel, prefilled=prefilled)
            if contract is None:
                return accepted
            accepted = payment_flow.attach_bank_contract(db, actor, settings, accepted, contract.pdf)
            if accepted.material_error is None and contract_path is not None:
                from registry_desk.exemptions.bank_contracts import file_away

                file_away(contract_path, settings)
            return accepted

        self.tasks.run(
            work,
            self._accepted,
            on_failure,
            changed="case",
        )

    def _prefill_as_accepted(self, request: IntakeRequest) -> prefill_form.Prefill | None:
        """The prefill the form started from, with what the clerk changed on it as corrections (so the
        audit trail says where each accepted value came from); None when the form was not prefilled, or was
        prefilled for another unit or business type than the one accepted."""
        started = self.prefilled
        if started is None or started.request.business_type != request.business_type:
            return None
        if started.request.unit_number != request.unit_number:
            return None
        kind_then = started.request.notice.kind if started.request.notice else None
        if kind_then != (request.notice.kind if request.notice else None):
            return None  # prefilled for another kind of notice: its sources do not describe these parties
        return started.as_accepted(request)

    @property
    def channel(self) -> Any:
        if self._channel is None:
            self._channel = payment_flow.channel_for(self.settings)
        return self._channel

    def _accepted(self, accepted: payment_flow.Acceptance | CaseSummary) -> None:
        summary = accepted.summary if isinstance(accepted, payment_flow.Acceptance) else accepted
        self.acceptance = accepted if isinstance(accepted, payment_flow.Acceptance) else None
        self.summary = summary
        self.case_accepted.emit(summary)
        number = summary.case_number
        owner = self.parentWidget()

        def show(copies: list[tuple[str, bytes]]) -> None:
            # One copy per paying side, each with that side's payment QR (they scan their own).
            for label, pdf in copies:
                preview = PdfPreviewDialog(
                    pdf,
                    self.tr("受理凭证 {number}").format(number=number) + (f"（{label}）" if label else ""),
                    f"受理凭证_{number}{'_' + label if label else ''}.pdf",
                    owner,
                    save_dir=self.settings.output_dir,
                )
                if self.receipt_preview is None:
                    self.receipt_preview = preview
                self.receipt_previews.append(preview)
                preview.show()
                self.preview_opened.emit(preview)
            self.accept()

        def failed(error: BaseException) -> None:
            # The case stands accepted; only its receipt could not be made (it can be printed from the list).
            if isinstance(error, DomainError):
                self.show_error(
                    self.tr("已受理，业务号 {number}；受理凭证未能生成：{error}").format(
                        number=number, error=error
                    )
                )
                return
            raise error

        problems = []
        if self.acceptance is not None and self.acceptance.payment_error:
            problems.append(
                self.tr("缴款单未能开具（打开业务时将重试）：{error}").format(
                    error=self.acceptance.payment_error
                )
            )
        if self.acceptance is not None and self.acceptance.material_error:
            problems.append(
                self.tr("银行抵押合同未能作为电子签章件收取（可在材料中导入）：{error}").format(
                    error=self.acceptance.material_error
                )
            )
        if problems:
            self.show_error(self.tr("已受理；") + self._listed(problems))
        self.tasks.run(
            lambda: payment_flow.acceptance_receipts(self.db, self.actor, number, settings=self.settings),
            show,
            failed,
        )
