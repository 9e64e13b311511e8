"""`check`'s cross-check of business rows against their audit events: every recorded case, every certificate
issued and handed over, every settled order and every refund was written in one transaction with its event
(kernel.audit.append runs inside the use case's transaction), so a row without its event means the event was
deleted, or the row was written behind the application's back. The SQL is storage/hall/audit_coverage.py.
"""

from __future__ import annotations

from typing import Protocol

from registry_desk.domain.codes import CaseStatus
from registry_desk.domain.payment_orders import REFUNDED, SETTLED
from registry_desk.storage.hall import audit_coverage as find
from registry_desk.storage.session import Session

RULE_COVERED = "业务记录均有审计记录"
SAMPLE = 10
RECORDED = (CaseStatus.RECORDED, CaseStatus.CERTIFICATE_READY, CaseStatus.ISSUED)

# The events the use cases write (grep `audit.append(`): registration/recording.py, registration/handover.py,
# payments/settlement.py, payments/refunds.py and payments/review.py (a mismatched payment returned in full).
RECORDED_ACTION = "case.recorded"
HANDED_OVER_ACTION = "certificate.handed_over"
SETTLED_ACTION = "payment.settled"
REFUND_ACTIONS = ("payment.refunded", "payment.returned")


class _Report(Protocol):
    def add(self, rule: str, record: str, message: str) -> None: ...


def check_audit_coverage(s: Session, report: _Report) -> None:
    """Adds one problem per kind of business row that lacks its audit event (operations/invariants.py)."""
    found = (
        (
            "业务件",
            "已登簿，却没有登簿审计记录（case.recorded）",
            find.recorded_cases_without_event(s, RECORDED, RECORDED_ACTION, SAMPLE),
        ),
        (
            "证书证明",
            "由本系统登簿发出，其业务件却没有登簿审计记录",
            find.certificates_without_event(s, RECORDED_ACTION, SAMPLE),
        ),
        (
            "证书证明",
            "已记为发证，其业务件却没有发证审计记录（certificate.handed_over）",
            find.handed_over_without_event(s, HANDED_OVER_ACTION, SAMPLE),
        ),
        (
            "缴款单",
            "已入账，却没有清分入账审计记录（payment.settled）",
            find.settled_orders_without_event(s, (SETTLED, REFUNDED), SETTLED_ACTION, SAMPLE),
        ),
        (
            "退款记录",
            "有退款记录，却没有退款审计记录（payment.refunded／payment.returned）",
            find.refunds_without_event(s, REFUND_ACTIONS, SAMPLE),
        ),
    )
    for kind, message, (total, names) in found:
        if total:
            shown = "、".join(names) + (f" 等（共 {total} 项）" if total > len(names) else "")
            report.add(RULE_COVERED, kind, f"{total} 项{message}：{shown}")
