"""免填写 for a first mortgage without a notice: the bank's sealed 抵押合同 carries its data, verified before use."""

from __future__ import annotations

import io
import json
import shutil
from datetime import date

import pytest
from pypdf import PdfReader, PdfWriter

from registry_desk.config import Settings
from registry_desk.documents.pki import load_pki
from registry_desk.documents.seal import PadesSealer
from registry_desk.domain.codes import CaseStatus, MortgageMode, PartyRole
from registry_desk.domain.errors import RuleViolation, ValidationError
from registry_desk.domain.money import Money
from registry_desk.registration import issuing
from registry_desk.exemptions.bank_contracts import (
    CONTRACT_DATA_FILE,
    FORMAT,
    embed_contract_data,
    prefill_from_contract,
    read_bank_contract,
)
from registry_desk.demo.demo_cases import pick_demo_units
from registry_desk.demo.demo_contracts import make_demo_mortgage_contract
from registry_desk.registration.prefill import accept_prefilled
from registry_desk.documents.bank_document_pdf import render_bank_document
from registry_desk.storage.database import Database
from tests.integration.test_case_helpers import CASHIER, CLERK, MONDAY, REGISTRAR

HH = "91640500MA7HH00105"
XB = "91640500MA7XB0030P"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("bank_data")
    settings = Settings(data_dir=data_dir, database_url="sqlite://")
    issuing.centre_kit(settings)
    return settings


def _trust(settings: Settings):
    return issuing.centre_kit(settings).trust


def _contract(settings, db, unit, bank=HH, **kw) -> tuple[str, bytes]:
    return make_demo_mortgage_contract(
        settings, db, unit, bank, Money.yuan("360000.00"), start=date(2026, 3, 2), years=20, **kw
    )


def _sealed(settings: Settings, bank: str, data: dict) -> bytes:
    """A bank's sealed contract carrying exactly `data` (for the refusals)."""
    identity = load_pki(settings.keys_dir).identity(bank)
    pdf = render_bank_document("抵押合同", identity.name, [("合同编号", str(data.get("contract_no")))])
    pdf = embed_contract_data(pdf, json.dumps(data, ensure_ascii=False).encode("utf-8"))
    return PadesSealer.for_identity(identity).seal(pdf, reason="抵押合同签章", location="中卫市")


def _data_of(pdf: bytes) -> dict:
    return json.loads(PdfReader(io.BytesIO(pdf)).attachments[CONTRACT_DATA_FILE][0])


def test_a_second_mortgage_is_prefilled_from_the_banks_sealed_contract(any_demo, settings):
    demo = any_demo
    unit = pick_demo_units(demo).mortgaged[0]
    number, pdf = _contract(settings, demo, unit, bank=XB, mode=MortgageMode.MAXIMUM)

    contract = read_bank_contract(pdf, _trust(settings), unit_number=unit)
    assert contract.data.contract_no == number and contract.data.bank_uscc == XB
    assert contract.data.amount == Money.yuan("360000.00") and contract.data.mode is MortgageMode.MAXIMUM
    assert contract.data.debt_end == date(2046, 3, 2)
    assert contract.signer_org == "西部示范银行股份有限公司中卫支行"

    p = prefill_from_contract(demo, CLERK, contract)
    (bank,) = p.request.with_role(PartyRole.RIGHT_HOLDER)
    assert bank.id_number == XB
    assert p.request.mortgage.amount == Money.yuan("360000.00")
    assert p.sources["mortgage.amount"].text == f"来自 银行报送的抵押合同 {number}（{XB}）"
    assert p.sources["parties[1].name"].text.startswith("来自 登记簿")
    assert any("第2顺位" in w for w in p.warnings)
    accepted = accept_prefilled(demo, CLERK, p, now=MONDAY)
    assert accepted.status is CaseStatus.AWAITING_PAYMENT


def test_a_figure_changed_after_sealing_breaks_the_seal(demo, settings):
    unit = pick_demo_units(demo).plain[0]
    _number, pdf = _contract(settings, demo, unit)
    data = _data_of(pdf)
    data["amount_yuan"] = "3600000.00"  # a zero added after the bank sealed
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    writer.add_attachment(CONTRACT_DATA_FILE, json.dumps(data).encode("utf-8"))
    changed = io.BytesIO()
    writer.write(changed)
    with pytest.raises(RuleViolation, match="未通过电子签章核验") as caught:
        read_bank_contract(changed.getvalue(), _trust(settings), unit_number=unit, source="合同.pdf")
    assert caught.value.record == "合同.pdf"


def test_refusals_name_the_rule_and_the_contract(demo, settings):
    units = pick_demo_units(demo)
    unit, other = units.plain[0], units.plain[1]
    trust = _trust(settings)
    _number, pdf = _contract(settings, demo, unit)
    good = _data_of(pdf)

    with pytest.raises(RuleViolation, match=f"不是本次受理的单元 {other}"):
        read_bank_contract(pdf, trust, unit_number=other)
    with pytest.raises(RuleViolation, match="不是 PDF"):
        read_bank_contract(b"PK\x03\x04", trust, unit_number=unit)
    with pytest.raises(RuleViolation, match="超过抵押合同文件上限 20 MB"):
        read_bank_contract(pdf + b"\0" * (20 * 2**20), trust, unit_number=unit)
    with pytest.raises(RuleViolation, match="文件没有电子签章"):
        read_bank_contract(render_bank_document("抵押合同", "某银行", []), trust, unit_number=unit)

    # Sealed by another bank than the one the data names.
    with pytest.raises(RuleViolation, match="不是抵押权人本身的签章") as caught:
        read_bank_contract(_sealed(settings, XB, good), trust, unit_number=unit)
    assert caught.value.record == good["contract_no"]

    # A sealed document without data is a material, not a source for the prefill.
    identity = load_pki(settings.keys_dir).identity(HH)
    plain = PadesSealer.for_identity(identity).seal(
        render_bank_document("抵押合同", identity.name, []), reason="签章"
    )
    with pytest.raises(RuleViolation, match="没有抵押合同数据"):
        read_bank_contract(plain, trust, unit_number=unit)

    with pytest.raises(ValidationError, match="本系统读取"):
        read_bank_contract(_sealed(settings, HH, {**good, "format": "other/2"}), trust, unit_number=unit)
    with pytest.raises(ValidationError, match="数据有误"):
        read_bank_contract(_sealed(settings, HH, {**good, "amount_yuan": "12.345"}), trust, unit_number=unit)
    with pytest.raises(ValidationError, match="缺少“debt_end”"):
        read_bank_contract(_sealed(settings, HH, {**good, "debt_end": None}), trust, unit_number=unit)
    assert good["format"] == FORMAT


def test_mortgagors_other_than_the_registered_owners_are_refused(demo, settings):
    unit = pick_demo_units(demo).plain[0]
    _number, pdf = _contract(settings, demo, unit)
    data = {**_data_of(pdf), "mortgagor_id_numbers": ["640502199001011239"]}
    contract = read_bank_contract(_sealed(settings, HH, data), _trust(settings), unit_number=unit)
    with pytest.raises(RuleViolation, match="抵押人须为全体所有权人") as caught:
        prefill_from_contract(demo, CLERK, contract)
    assert caught.value.record == data["contract_no"]


def test_the_bank_contract_command_delivers_a_readable_contract_to_the_inbox(demo_file, tmp_path, capsys):
    from registry_desk import cli

    shutil.copyfile(demo_file, tmp_path / "register.sqlite3")
    base = ["--database-url", f"sqlite:///{tmp_path / 'register.sqlite3'}", "--data-dir", str(tmp_path)]
    db = Database(f"sqlite:///{tmp_path / 'register.sqlite3'}")
    try:
        unit = pick_demo_units(db).plain[0]
    finally:
        db.dispose()
    code = cli.main(
        [
            *base,
            "bank",
            "contract",
            unit,
            "--bank",
            "bank-sp",
            "--amount",
            "150000",
            "--years",
            "10",
            "--start",
            "2026-03-02",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    (delivered,) = (tmp_path / "bank_inbox").glob("*.pdf")
    assert str(delivered) in out and "一般抵押 150000.00元" in out
    settings = Settings(data_dir=tmp_path, database_url="sqlite://")
    contract = read_bank_contract(delivered.read_bytes(), _trust(settings), unit_number=unit)
    assert contract.data.debt_end == date(2036, 3, 2) and contract.data.bank_uscc == "91640502MA7NP0020E"

    assert (
        cli.main([*base, "bank", "contract", unit, "--bank", "bank-sp", "--amount", "1", "--years", "99"])
        == 2
    )
    assert "不在 1 至 50 年之间" in capsys.readouterr().err


def test_a_contract_serves_one_registration(demo, settings):
    """The same file read again for a new case is refused naming the case that holds it, until that case is
    withdrawn."""
    from registry_desk.registration import certificates, closing, intake, payment_status, queries, recording
    from registry_desk.payments import service as payment_flow
    from registry_desk.exemptions.bank_contracts import case_using_contract, file_away, inbox_file_name

    unit = pick_demo_units(demo).plain[0]
    number, pdf = _contract(settings, demo, unit)
    contract = read_bank_contract(pdf, _trust(settings), unit_number=unit)
    p = prefill_from_contract(demo, CLERK, contract)
    accepted = payment_flow.accept_and_bill(
        demo, CLERK, p.request, payment_flow.channel_for(settings), now=MONDAY
    )
    accepted = payment_flow.attach_bank_contract(demo, CLERK, settings, accepted, pdf)
    assert accepted.material_error is None
    case_number = accepted.summary.case_number
    assert case_using_contract(demo, pdf, business_type="mortgage_first") == case_number
    assert case_using_contract(demo, pdf, business_type="advance_notice") is None  # a notice may share it

    closing.withdraw_case(demo, CLERK, case_number, "申请人撤回", now=MONDAY)
    assert case_using_contract(demo, pdf, business_type="mortgage_first") is None
    again = accept_prefilled(demo, CLERK, prefill_from_contract(demo, CLERK, contract), now=MONDAY)
    payment_flow.attach_bank_contract(demo, CLERK, settings, payment_flow.Acceptance(again), pdf)
    # Carried through to 发证: the unit is free again, and the mortgage stands on the register.
    for material in queries.get_case(demo, CLERK, again.case_number).missing_materials:
        intake.receive_material(demo, CLERK, again.case_number, material.code, now=MONDAY)
    payment_status.confirm_payment(demo, CASHIER, again.case_number, now=MONDAY)
    recording.record_case(demo, REGISTRAR, again.case_number, now=MONDAY)
    certificates.mark_certificate_ready(demo, REGISTRAR, again.case_number, now=MONDAY)
    certificates.issue_certificate(demo, CLERK, again.case_number, "银行经办人", now=MONDAY)
    with pytest.raises(RuleViolation, match=f"已用于业务 {again.case_number}") as caught:
        prefill_from_contract(demo, CLERK, contract)
    assert caught.value.record == number
    # Nor can the file be attached by hand to a new case of the same kind (the materials' 导入).
    from registry_desk.registration.prefill import prefill

    third = accept_prefilled(
        demo, CLERK, prefill(demo, CLERK, "mortgage_first", unit, mortgage=contract.data)
    )
    refused = payment_flow.attach_bank_contract(demo, CLERK, settings, payment_flow.Acceptance(third), pdf)
    assert f"已是业务 {again.case_number} 的材料" in refused.material_error

    # Filing away: only a file read from the inbox moves, into 已受理.
    inbox = settings.bank_inbox_dir
    inbox.mkdir(parents=True, exist_ok=True)
    delivered = inbox / inbox_file_name(unit, number)
    delivered.write_bytes(pdf)
    assert file_away(delivered, settings) == inbox / "已受理" / delivered.name and not delivered.exists()
    elsewhere = settings.data_dir / "elsewhere.pdf"
    elsewhere.write_bytes(pdf)
    assert file_away(elsewhere, settings) is None and elsewhere.exists()
