"""免填写 for a mortgage without a notice: the bank's sealed 抵押合同 carries its data, and the window reads it.

A bank submits the mortgage contract as a PDF sealed with its electronic seal (免盖章). Inside the PDF, as an
embedded file named `CONTRACT_DATA_FILE`, is the contract's data in JSON, so that the registry takes the
figures the bank sealed instead of a clerk retyping them. The seal covers the embedded file like the pages:
a figure changed after sealing breaks the seal, and the file is refused.

The JSON (UTF-8) has `"format": FORMAT` and: contract_no, bank_uscc, bank_name, unit_number,
mortgagor_id_numbers [..], debtor_id_numbers [..] (empty: the mortgagors owe the debt), mode ("general" |
"maximum"), amount_yuan ("300000.00"), debt_start and debt_end (ISO dates), guarantee_scope, no_transfer
(bool), mortgaged_area ("89.50" ㎡ or null), assessed_value_yuan (or null).

This format is the project's own [unverified: the banks' real interface (不动产登记+金融服务平台) is not
public]; a bank system replaces `registry_desk.demo.demo_contracts` and the CLI's `bank contract` that play the
bank.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from registry_desk.documents.embedded_data import UnreadableEmbeddedFiles, embed_file, embedded_files
from registry_desk.documents.pki import TrustStore
from registry_desk.documents.seal import verify_pdf
from registry_desk.domain.codes import MortgageMode
from registry_desk.domain.errors import RuleViolation, ValidationError
from registry_desk.domain.money import Money, MoneyError
from registry_desk.registration.prefill_form import ContractData

FORMAT = "registry-desk/mortgage-contract-data/1"
CONTRACT_DATA_FILE = "mortgage-contract-data.json"
MAX_CONTRACT_BYTES = 20 * 2**20  # a few pages of contract; anything larger is not read into the window
RULE_CONTRACT = "免填写：抵押合同数据取自银行电子签章的抵押合同，须签章完好且为合同所载抵押权人本身"


@dataclass(frozen=True)
class BankContract:
    """A bank's sealed mortgage contract as read and verified: its data, for whom, and the file itself."""

    data: ContractData
    unit_number: str
    mortgagor_id_numbers: tuple[str, ...]
    signer_org: str
    pdf: bytes


def contract_json(data: ContractData, unit_number: str, mortgagor_id_numbers: tuple[str, ...]) -> bytes:
    """The embedded file's content for `data` (what the bank's system writes)."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "contract_no": data.contract_no,
        "bank_uscc": data.bank_uscc,
        "bank_name": data.bank_name,
        "unit_number": unit_number,
        "mortgagor_id_numbers": list(mortgagor_id_numbers),
        "debtor_id_numbers": list(data.debtor_id_numbers),
        "mode": data.mode.value,
        "amount_yuan": str(data.amount),
        "debt_start": data.debt_start.isoformat(),
        "debt_end": data.debt_end.isoformat(),
        "guarantee_scope": data.guarantee_scope,
        "no_transfer": data.no_transfer,
        "mortgaged_area": None if data.mortgaged_area is None else f"{data.mortgaged_area:.2f}",
        "assessed_value_yuan": None if data.assessed_value is None else str(data.assessed_value),
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def embed_contract_data(pdf: bytes, content: bytes) -> bytes:
    """The PDF with the contract data embedded (before it is sealed: the seal must cover it)."""
    return embed_file(pdf, CONTRACT_DATA_FILE, content)


def inbox_file_name(unit_number: str, contract_no: str) -> str:
    """How a contract is named in bank_inbox: the unit first, so the clerk finds the unit's contract."""
    return f"{unit_number}_{contract_no}.pdf"


def _refuse(message: str, record: str) -> RuleViolation:
    return RuleViolation(message, rule=RULE_CONTRACT, record=record)


def read_bank_contract(
    pdf: bytes, trust: TrustStore, *, unit_number: str, source: str = "文件"
) -> BankContract:
    """Verifies the bank's seal on the contract, then reads its data; refuses, naming why, anything else.

    Refused: not a PDF, no seal, a seal broken or not trusted, no contract data inside, data in another
    format, a signer other than the bank the data names, a contract for another unit.
    """
    if not pdf.startswith(b"%PDF"):
        raise _refuse(f"{source} 不是 PDF 文件，不能作为银行电子签章的抵押合同", source)
    if len(pdf) > MAX_CONTRACT_BYTES:
        raise _refuse(
            f"{source} 有 {len(pdf) / 2**20:.1f} MB，超过抵押合同文件上限 {MAX_CONTRACT_BYTES // 2**20} MB",
            source,
        )
    report = verify_pdf(pdf, trust)
    if not report.signatures or not report.ok:
        reason = "；".join(report.problems) or "文件没有电子签章"
        raise _refuse(f"{source} 未通过电子签章核验：{reason}", source)
    try:
        contents = embedded_files(pdf, CONTRACT_DATA_FILE)
    except UnreadableEmbeddedFiles as exc:
        raise _refuse(f"{source} 的附件无法读取：{exc.reason}", source) from exc
    if len(contents) != 1:
        raise _refuse(
            f"{source} 中没有抵押合同数据（附件 {CONTRACT_DATA_FILE}）：可作为材料收取，但不能据以预填",
            source,
        )
    data, unit, mortgagors = parse_contract_json(contents[0], source)
    signers = {c.signer_uscc.upper(): c.signer_org for c in report.signatures}
    if data.bank_uscc not in signers:
        listed = "、".join(f"{org}（{uscc or '无统一社会信用代码'}）" for uscc, org in signers.items())
        raise _refuse(
            f"抵押合同 {data.contract_no} 载明的抵押权人为统一社会信用代码 {data.bank_uscc}，"
            f"但文件由{listed}签章：不是抵押权人本身的签章",
            data.contract_no,
        )
    if unit.upper() != unit_number.strip().upper():
        raise _refuse(
            f"抵押合同 {data.contract_no} 所载不动产单元为 {unit}，不是本次受理的单元 {unit_number}",
            data.contract_no,
        )
    return BankContract(data, unit, mortgagors, signers[data.bank_uscc], pdf)


def parse_contract_json(content: bytes, source: str) -> tuple[ContractData, str, tuple[str, ...]]:
    """The contract data file read and checked: (data, unit number, mortgagors' ID numbers)."""
    try:
        document = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationError(
            f"{source} 中的抵押合同数据不是有效的 JSON：{exc}", rule=RULE_CONTRACT, record=source
        ) from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise ValidationError(
            f"{source} 中的抵押合同数据格式为“{found}”，本系统读取“{FORMAT}”",
            rule=RULE_CONTRACT,
            record=source,
        )
    record = str(document.get("contract_no") or source)

    def text(key: str, *, required: bool = True) -> str:
        value = document.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise ValidationError(
                    f"抵押合同 {record} 的数据缺少“{key}”", rule=RULE_CONTRACT, record=record
                )
            return ""
        if not isinstance(value, str):
            raise ValidationError(f"抵押合同 {record} 的“{key}”应为文字", rule=RULE_CONTRACT, record=record)
        return value.strip()

    def numbers(key: str) -> tuple[str, ...]:
        value = document.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise ValidationError(
                f"抵押合同 {record} 的“{key}”应为证件号列表", rule=RULE_CONTRACT, record=record
            )
        return tuple(v.strip().upper() for v in value)

    try:
        mode = MortgageMode(text("mode"))
        amount = Money.yuan(text("amount_yuan"))
        start, end = date.fromisoformat(text("debt_start")), date.fromisoformat(text("debt_end"))
        area_text = text("mortgaged_area", required=False)
        area = Decimal(area_text) if area_text else None
        value_text = text("assessed_value_yuan", required=False)
        assessed = Money.yuan(value_text) if value_text else None
    except (ValueError, InvalidOperation, MoneyError) as exc:
        raise ValidationError(
            f"抵押合同 {record} 的数据有误：{exc}", rule=RULE_CONTRACT, record=record
        ) from exc
    no_transfer = document.get("no_transfer", False)
    if not isinstance(no_transfer, bool):
        raise ValidationError(
            f"抵押合同 {record} 的“no_transfer”应为是或否", rule=RULE_CONTRACT, record=record
        )
    data = ContractData(
        contract_no=text("contract_no"),
        bank_uscc=text("bank_uscc").upper(),
        mode=mode,
        amount=amount,
        debt_start=start,
        debt_end=end,
        guarantee_scope=text("guarantee_scope", required=False) or ContractData.guarantee_scope,
        no_transfer=no_transfer,
        debtor_id_numbers=numbers("debtor_id_numbers"),
        mortgaged_area=area,
        assessed_value=assessed,
        bank_name=text("bank_name", required=False) or None,
    )
    return data, text("unit_number"), numbers("mortgagor_id_numbers")


# ---------------------------------------------------------------------------------------------------------
# The window: prefill a first mortgage from the contract


def prefill_from_contract(
    db: Any,
    actor: Any,
    contract: BankContract,
    *,
    business_type: str = "mortgage_first",
    notice_kind: Any = None,
) -> Any:
    """The application from a verified contract: the bank and the terms from the contract, the mortgagors
    from the register — for 抵押权首次登记, or an 抵押权预告登记 (`business_type` "advance_notice" with
    `notice_kind` 3 or 4). The contract's mortgagors must be the ones the register gives: the owners, or
    for a 期房 the buyers of its purchase notice."""
    from registry_desk.domain.codes import PartyRole
    from registry_desk.registration.prefill import prefill

    result = prefill(
        db, actor, business_type, contract.unit_number, mortgage=contract.data, notice_kind=notice_kind
    )
    used_by = case_using_contract(db, contract.pdf, business_type=business_type)
    if used_by is not None:
        raise _refuse(
            f"抵押合同 {contract.data.contract_no} 的这份文件已用于业务 {used_by}，不能再用于新的业务："
            "同一抵押合同只能办理一次登记（如该业务已撤回或驳回，可重新使用）",
            contract.data.contract_no,
        )
    mortgagors = {p.id_number.upper() for p in result.request.with_role(PartyRole.OBLIGOR)}
    named = set(contract.mortgagor_id_numbers)
    if named and named != mortgagors:
        raise _refuse(
            f"抵押合同 {contract.data.contract_no} 所载抵押人（证件号 {'、'.join(sorted(named))}）与单元 "
            f"{contract.unit_number} 登记簿记载的抵押人（证件号 {'、'.join(sorted(mortgagors))}）不一致："
            "抵押人须为全体所有权人（期房为买卖预告登记的买受人）",
            contract.data.contract_no,
        )
    return result


def case_using_contract(db: Any, pdf: bytes, *, business_type: str) -> str | None:
    """The case of `business_type` that holds this very file as a sealed material and still stands (not
    withdrawn, refused or not accepted), if any: a contract serves one registration of a kind (attaching
    refuses it too); the notice and the mortgage converting it share theirs."""
    import hashlib

    from registry_desk.exemptions.sealed_materials import case_holding_document

    with db.lookup() as connection:
        return case_holding_document(connection, hashlib.sha256(pdf).hexdigest(), business_type=business_type)


def file_away(path: Any, settings: Any) -> Any:
    """Moves a contract read from bank_inbox into bank_inbox/已受理 once its case is accepted, so the inbox
    lists what still waits. A file chosen elsewhere stays where it is. Returns the new path, or None."""
    from pathlib import Path

    inbox = Path(settings.bank_inbox_dir).resolve()
    source = Path(path).resolve()
    if source.parent != inbox:
        return None
    target = inbox / "已受理" / source.name
    try:
        target.parent.mkdir(exist_ok=True)
        source.replace(target)
    except OSError:
        return None  # a read-only share: the file stays; the reuse check still stands
    return target
