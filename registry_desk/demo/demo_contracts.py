"""The demo's banks (demo and training only): they draw their documents, seal them with their demo keys and
hand them to the counter as a real bank's system would, so that 免盖章 and 免填写 can be tried at once.

A bank's sealed materials (`make_demo_bank_contract`, pushed onto a case by `push_demo_bank_documents`, the
window's 模拟银行推送), its 抵押合同 with the contract data embedded (`make_demo_mortgage_contract`, the CLI's
`bank contract`), and the two contracts a fresh demo counter finds in bank_inbox (`deliver_demo_contracts`).
What the counter does with them — verifying seals, attaching, prefilling — is `registry_desk.exemptions`.
"""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import Any

from registry_desk.config import Settings
from registry_desk.demo.demo_cases import pick_demo_units
from registry_desk.documents.bank_document_pdf import render_bank_document
from registry_desk.documents.pki import load_pki
from registry_desk.documents.seal import PadesSealer, stamp_seal_image
from registry_desk.documents.seal_image import seal_image_png
from registry_desk.domain.cases import MATERIAL_MISSING, CaseSummary, IntakeRequest, request_from_case
from registry_desk.domain.codes import MortgageMode, PartyRole, RightType
from registry_desk.domain.errors import RuleViolation, ValidationError
from registry_desk.domain.money import Money
from registry_desk.exemptions.application_form import signers
from registry_desk.exemptions.bank_contracts import contract_json, embed_contract_data, inbox_file_name
from registry_desk.exemptions.sealed_materials import BANK_MATERIALS, RULE_SEALED, SealedMaterialResult
from registry_desk.exemptions.service import CaseMaterials, case_materials, import_sealed_file
from registry_desk.kernel.context import SYSTEM, Actor
from registry_desk.registration import issuing
from registry_desk.registration.queries import case_party_inputs
from registry_desk.registration.prefill import ContractData
from registry_desk.registration.register import unit_register
from registry_desk.storage.database import Database
from registry_desk.storage.exemptions import materials as material_rows

CONTRACT_SEAL_TEXT = "合同专用章"

# What the demo bank's document is called for each material it can seal.
DOCUMENT_TITLES = {
    "mortgage_contract": "抵押合同",
    "loan_contract": "借款合同（主债权合同）",
    "application": "不动产登记申请书（抵押权人签章页）",
    "extinction_proof": "贷款结清证明",
    "power_of_attorney": "授权委托书",
}


# ---------------------------------------------------------------------------------------------------------
# A bank's sealed materials


def _document_lines(source: Any) -> list[tuple[str, str]]:
    """(label, value) lines of the document from a Prefill, an IntakeRequest or a CaseSummary."""
    request: IntakeRequest | None = getattr(source, "request", None)
    if request is None and isinstance(source, IntakeRequest):
        request = source
    lines: list[tuple[str, str]] = []
    if request is not None:
        display = getattr(source, "display", {}) or {}
        for role, label in (
            (PartyRole.RIGHT_HOLDER, "抵押权人"),
            (PartyRole.OBLIGOR, "抵押人"),
            (PartyRole.DEBTOR, "债务人"),
        ):
            group = request.with_role(role)
            if group:
                lines.append((label, "、".join(f"{p.name}（{p.id_number}）" for p in group)))
        lines.append(("不动产单元号", request.unit_number))
        if display.get("坐落"):
            lines.append(("坐落", display["坐落"]))
        m = request.mortgage
        if m is not None:
            period = "债权确定期间" if m.mode is MortgageMode.MAXIMUM else "债务履行期限"
            lines += [
                ("抵押方式", m.mode.label),
                (m.amount_label, f"{m.amount}元" if m.amount is not None else ""),
                (period, f"{m.debt_start:%Y年%m月%d日}起{m.debt_end:%Y年%m月%d日}止"),
                ("担保范围", m.guarantee_scope),
                ("禁止转让", "是" if m.no_transfer else "否"),
            ]
            if m.mortgaged_area is not None:
                lines.append(("抵押面积", f"{m.mortgaged_area:.2f}㎡"))
        if request.cancellation is not None:
            lines += [
                ("抵押权证明号", request.cancellation.mortgage),
                ("注销原因", request.cancellation.reason.label),
            ]
        return lines
    if isinstance(source, CaseSummary):
        lines.append(("业务号", source.case_number))
        lines += [(role, f"{name}（{number}）") for role, name, number in source.parties]
        lines += [("不动产单元号", source.unit_number), ("坐落", source.location)]
        return lines
    raise TypeError(f"cannot make a contract from {type(source).__name__}")


def make_demo_bank_contract(
    settings: Settings,
    case_or_prefill: Any,
    bank_key: str,
    *,
    material_code: str = "mortgage_contract",
) -> bytes:
    """Plays the bank: renders its document for `material_code` from a Prefill, IntakeRequest or CaseSummary
    and seals it with the bank's demo key (seal image into the page, then the PAdES signature)."""
    title = DOCUMENT_TITLES.get(material_code)
    if title is None:
        raise ValidationError(
            f"演示银行不出具材料“{material_code}”（可选：{'、'.join(DOCUMENT_TITLES)}）",
            rule=RULE_SEALED,
            record=material_code,
        )
    identity = load_pki(settings.keys_dir).identity(bank_key)
    pdf = render_bank_document(title, identity.name, _document_lines(case_or_prefill))
    stamped = stamp_seal_image(pdf, seal_image_png(identity.name, CONTRACT_SEAL_TEXT))
    return PadesSealer.for_identity(identity).seal(stamped, reason=f"{title}签章", location="中卫市")


def demo_bank_materials(materials: CaseMaterials, *, applicants_sign_form: bool) -> list[str]:
    """The missing materials the case's bank would push: its contracts, and the application form only when
    no natural person signs it at the counter (the bank alone cancelling its mortgage)."""
    codes = []
    for m in materials.materials:
        if m.status != MATERIAL_MISSING or not m.sealed_ok:
            continue
        if m.code not in BANK_MATERIALS or m.code not in DOCUMENT_TITLES:
            continue
        if m.code == "application" and applicants_sign_form:
            continue
        codes.append(m.code)
    return codes


def push_demo_bank_documents(
    db: Database, actor: Actor, settings: Settings, case_number: str
) -> list[SealedMaterialResult]:
    """模拟银行推送 (demo only): the case's bank seals its documents and they are attached as a bank's would be."""
    issuing.centre_kit(settings)  # makes the demo seals (the banks' too) on first use
    materials = case_materials(db, actor, case_number)
    if materials.bank_uscc is None:
        raise RuleViolation(
            f"业务 {materials.case_number} 没有银行作为抵押权人，无从模拟银行推送",
            rule="免盖章：银行以电子签章推送合同",
            record=materials.case_number,
        )
    people_sign = any(s.needs_drawn_signature for s in signers(db, actor, case_number))
    codes = demo_bank_materials(materials, applicants_sign_form=people_sign)
    with db.unit_of_work(write=False) as uow:
        case = material_rows.the_case(uow.session, materials.case_number)
        request = request_from_case(
            case.business_type, case.unit.unit_number, case_party_inputs(case), case.form
        )
    results = []
    for code in codes:
        pdf = make_demo_bank_contract(settings, request, materials.bank_uscc, material_code=code)
        results.append(import_sealed_file(db, actor, settings, case_number, code, pdf))
    return results


# ---------------------------------------------------------------------------------------------------------
# A bank's mortgage contract with its data inside (免填写), and the demo counter's bank_inbox


def make_demo_mortgage_contract(
    settings: Any,
    db: Any,
    unit_number: str,
    bank_uscc: str,
    amount: Money,
    *,
    start: date,
    years: int = 20,
    mode: MortgageMode = MortgageMode.GENERAL,
    contract_no: str | None = None,
    no_transfer: bool = False,
) -> tuple[str, bytes]:
    """Plays the bank (demo and training only): the sealed 抵押合同 of a loan on `unit_number` to its
    current owners (or to the buyers of its purchase notice), with its data embedded. Returns (contract
    number, PDF)."""
    issuing.centre_kit(settings)  # the demo seals, the banks' too, made on first use
    identity = load_pki(settings.keys_dir).identity(bank_uscc)
    register = unit_register(db, SYSTEM, unit_number)
    if not register.owners:
        raise RuleViolation(
            f"单元 {register.unit_number} 在登记簿上没有现势的房屋所有权，不能设立抵押",
            rule="抵押人须为不动产的所有权人",
            record=register.unit_number,
        )
    # The mortgagors: the owners, or for a 期房 the buyers of its purchase notice (期房按揭).
    purchase = [r for r in register.current if r.right_type is RightType.ADVANCE_NOTICE and "买卖" in r.label]
    owners = purchase[0].holders if len(purchase) == 1 else register.owners[0].holders
    try:
        end = start.replace(year=start.year + years)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + years, day=28)
    number = contract_no or f"DY{start:%Y%m%d}{secrets.token_hex(3).upper()}"
    data = ContractData(
        contract_no=number,
        bank_uscc=identity.uscc,
        mode=mode,
        amount=amount,
        debt_start=start,
        debt_end=end,
        no_transfer=no_transfer,
        bank_name=identity.name,
    )
    period = "债权确定期间" if mode is MortgageMode.MAXIMUM else "债务履行期限"
    lines = [
        ("合同编号", number),
        ("抵押权人", f"{identity.name}（{identity.uscc}）"),
        ("抵押人", "、".join(f"{p.name}（{p.id_number}）" for p in owners)),
        ("不动产单元号", register.unit_number),
        ("坐落", register.location),
        ("抵押方式", mode.label),
        ("最高债权额" if mode is MortgageMode.MAXIMUM else "被担保主债权数额", f"{amount}元"),
        (period, f"{start:%Y年%m月%d日}起{end:%Y年%m月%d日}止"),
        ("担保范围", data.guarantee_scope),
        ("禁止转让", "是" if no_transfer else "否"),
    ]
    pdf = render_bank_document("抵押合同", identity.name, lines)
    pdf = embed_contract_data(
        pdf, contract_json(data, register.unit_number, tuple(p.id_number for p in owners))
    )
    stamped = stamp_seal_image(pdf, seal_image_png(identity.name, CONTRACT_SEAL_TEXT))
    return number, PadesSealer.for_identity(identity).seal(stamped, reason="抵押合同签章", location="中卫市")


def deliver_demo_contracts(db: Any, settings: Any, *, today: date) -> list[Path]:
    """A fresh demo counter finds two banks' contracts in bank_inbox, to try F6 at once: a first mortgage
    on a resold flat (一般抵押) and a second, 最高额 mortgage on a mortgaged one. Returns the files written."""
    units = pick_demo_units(db)
    wanted = [
        (units.plain, "bank-hh", Money.yuan("350000"), 20, MortgageMode.GENERAL),
        (units.mortgaged, "bank-xb", Money.yuan("500000"), 5, MortgageMode.MAXIMUM),
    ]
    folder = settings.bank_inbox_dir
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for candidates, bank, amount, years, mode in wanted:
        if not candidates:
            continue
        unit = candidates[-1]
        number, pdf = make_demo_mortgage_contract(
            settings, db, unit, bank, amount, start=today, years=years, mode=mode
        )
        path = folder / inbox_file_name(unit, number)
        path.write_bytes(pdf)
        written.append(path)
    return written
