"""A case's history as the case detail shows it: each step from the audit trail, with when and by whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from registry_desk.domain.cases import MATERIAL_STATUS_LABELS
from registry_desk.domain.codes import CaseStatus
from registry_desk.domain.errors import NotFound
from registry_desk.kernel.context import Actor
from registry_desk.registration.queries import READERS
from registry_desk.storage.database import Database
from registry_desk.storage.register.history import case_events, case_id_of_number

ACTION_LABELS = {
    "case.accepted": "受理",
    "case.prefill_accepted": "预填内容核对受理",
    "case.correct_prefill": "更正预填内容",
    "case.paid": "确认缴费",
    "case.material_received": "补正材料",
    "case.sealed_material": "收到电子签章材料",
    "case.recorded": "审核登簿",
    "case.certificate_ready": "缮证",
    "certificate.handed_over": "发证",
    "certificate.render": "打印证书证明",
    "case.not_accepted": "不予受理",
    "case.withdrawn": "撤回",
    "case.refused": "驳回",
    "case.material_ecert": "调取电子证照",
    "case.application_signed": "申请人签名（申请书加盖电子签章）",
    "ecert.issue": "签发电子证照",
    "ecert.backfill": "存量证照电子化",
    "ecert.publish_failed": "电子证照入库未完成（待补发）",
    "payment.settled": "税费到账清分",
    "payment.review": "缴款待人工核查",
    "payment.returned": "金额不符的缴款全额退回（缴款单作废）",
    "payment.voided": "作废缴款单",
    "payment.refunded": "退还税费",
    "kiosk.identified": "自助机身份核验",
    "kiosk.identify_failed": "自助机身份核验失败",
    "kiosk.locked": "自助机锁定",
    "kiosk.organisation_refused": "单位在自助机核验身份被拒（须到窗口或以电子证照领取）",
    "kiosk.pickup_code_used": "自助机领证（取件码已使用）",
    "receipt.pickup_code_issued": "打印受理凭证（发放取件码）",
    "receipt.pickup_code_reissued": "补打受理凭证（重新发放取件码，原码作废）",
}
# Bookkeeping markers the clerk has no use for (they say that the step above them has finished; the first
# pickup code comes with every acceptance, only a reissue is worth a line).
HIDDEN_ACTIONS = frozenset({"ecert.published", "receipt.pickup_code_issued"})


@dataclass(frozen=True)
class HistoryLine:
    at: datetime  # UTC
    actor: str
    action: str  # the audit action code
    label: str  # what the clerk reads
    detail: str


def _status_label(value: Any) -> str:
    try:
        return CaseStatus(value).label
    except ValueError:
        return str(value)


def _listed(value: Any) -> str:
    # Audit payloads are written by many services over the years: read them leniently.
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value)
    return str(value)


def _detail(action: str, after: dict[str, Any]) -> str:
    parts = []
    if "status" in after:
        parts.append(f"状态：{_status_label(after['status'])}")
    if after.get("reason"):
        parts.append(f"原因：{after['reason']}")
    if after.get("receiver"):
        parts.append(f"领证人：{after['receiver']}")
    if after.get("issued_certificates"):
        parts.append("证号：" + _listed(after["issued_certificates"]))
    certificates = after.get("certificates")
    if isinstance(certificates, int) and not isinstance(certificates, bool):
        parts.append(f"电子证照：{certificates} 份")  # publishing events count, recording events list
    elif certificates:
        parts.append("证号：" + _listed(certificates))
    if after.get("missing_materials"):
        parts.append("待补正：" + _listed(after["missing_materials"]))
    if action == "case.material_received" and after.get("status"):
        parts = [f"材料状态：{MATERIAL_STATUS_LABELS.get(after['status'], after['status'])}"]
    return "；".join(parts)


def case_history(db: Database, actor: Actor, case_number: str) -> tuple[HistoryLine, ...]:
    """Every audited step of the case, oldest first."""
    actor.require(*READERS, operation="查看业务")
    number = case_number.strip()
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        case_id = case_id_of_number(s, number)
        if case_id is None:
            raise NotFound(f"没有业务号为 {number} 的业务", rule="业务查询", record=number)
        rows = case_events(s, case_id)
    lines = []
    for at, who, action, after in rows:
        if action in HIDDEN_ACTIONS:
            continue
        moment = at if at.tzinfo else at.replace(tzinfo=UTC)
        lines.append(
            HistoryLine(moment, who, action, ACTION_LABELS.get(action, action), _detail(action, after or {}))
        )
    return tuple(lines)
