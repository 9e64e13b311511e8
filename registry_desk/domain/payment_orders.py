"""The statuses of a payment order (缴款单), named once: payments issue and settle orders, and registration
reads them too (a case is recorded only once its orders are settled; cash is refused while one is disputed).

The values are what the `payment_orders.status` column stores; the labels are what the windows show.
"""

from __future__ import annotations

OPEN = "open"
REVIEW = "review"
SETTLED = "settled"
VOIDED = "voided"
REFUNDED = "refunded"
STATUS_LABELS = {
    OPEN: "待缴费",
    REVIEW: "待人工核查",
    SETTLED: "已缴清入库",
    VOIDED: "已作废",
    REFUNDED: "已退款",
}
