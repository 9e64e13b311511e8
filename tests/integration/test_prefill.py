"""免填写 on the demo register: a first mortgage from its 抵押权预告登记 with no field typed, a cancellation from the
mortgage record, the sellers of a transfer from the register — each field naming its source; pending cases block;
corrections before and after acceptance keep the old value and the overridden source in the audit trail."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from registry_desk.demo.benchmarks.context import BenchContext
from registry_desk.config import Settings
from registry_desk.documents.pki import TrustStore, create_demo_pki
from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CaseStatus,
    CertificateStatus,
    IdType,
    MortgageCancelReason,
    MortgageMode,
    PartyRole,
    RightStatus,
    RightType,
)
from registry_desk.domain.cases import PartyInput
from registry_desk.domain.errors import NotFound, PermissionDenied, RuleViolation, ValidationError
from registry_desk.domain.money import Money
from registry_desk.resources_path import seed
from registry_desk.registration import certificates, intake, payment_status, recording
from registry_desk.kernel.context import SYSTEM
from registry_desk.domain.clock import CHINA_TZ
from registry_desk.registration.prefill import accept_prefilled, correct_field, identify, prefill
from registry_desk.registration.prefill_form import SELLER_SINCE, ContractData
from registry_desk.registration.prefill_paths import AREA, LOCATION
from registry_desk.demo.demo_contracts import make_demo_bank_contract
from registry_desk.exemptions.sealed_materials import attach_sealed_document
from registry_desk.storage.tables import AuditEvent, Case, Certificate, Party, Right, RightParty, Unit
from tests.integration.test_case_helpers import CASHIER, CLERK, MONDAY, REGISTRAR

BANK_SEALED = ("application", "mortgage_contract", "loan_contract")


@pytest.fixture(scope="module")
def pki_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The demo seals (centre and the three banks), made once for the module."""
    data_dir = tmp_path_factory.mktemp("data")
    settings = Settings(data_dir=data_dir, database_url="sqlite://")
    create_demo_pki(settings.keys_dir, json.loads(seed("organisations.json").read_text("utf-8")))
    return settings


@pytest.fixture(scope="module")
def trust(pki_settings: Settings) -> TrustStore:
    return TrustStore.load(pki_settings.keys_dir)


# ---------------------------------------------------------------------------------------------------------
# Helpers reading the register directly (independent of the code under test)


def _presale_unit(db) -> tuple[str, Right]:
    """A new flat with a 预售商品房抵押权预告登记 and the matching 买卖预告 (the buyer, still the developer's flat)."""
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        notice = s.scalars(
            select(Right)
            .where(
                Right.notice_kind == AdvanceNoticeKind.PRESALE_MORTGAGE, Right.status == RightStatus.CURRENT
            )
            .order_by(Right.id)
        ).first()
        number = s.scalar(select(Unit.unit_number).where(Unit.id == notice.unit_id))
        s.expunge(notice)
        return number, notice


def _cert_numbers(db, right_id: int) -> list[str]:
    with db.unit_of_work(write=False) as uow:
        return list(
            uow.session.scalars(
                select(Certificate.number).where(
                    Certificate.right_id == right_id, Certificate.status == CertificateStatus.CURRENT
                )
            )
        )


def _right(db, right_id: int) -> Right:
    with db.unit_of_work(write=False) as uow:
        right = uow.session.get(Right, right_id)
        uow.session.expunge(right)
        return right


def _events(db, case_number: str, action: str) -> list[AuditEvent]:
    with db.unit_of_work(write=False) as uow:
        rows = list(
            uow.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.record.startswith(case_number), AuditEvent.action == action)
                .order_by(AuditEvent.seq)
            )
        )
        for row in rows:
            uow.session.expunge(row)
        return rows


def _buyers_take_ownership(db, unit_number: str) -> str:
    """The presale buyers' transfer, prefilled and carried through (paper materials); returns the new 证号."""
    p = prefill(db, CLERK, "transfer", unit_number)
    accepted = accept_prefilled(db, CLERK, p, now=MONDAY)
    for material in accepted.missing_materials:
        intake.receive_material(db, CLERK, accepted.case_number, material.code, now=MONDAY)
    payment_status.confirm_payment(db, CASHIER, accepted.case_number, now=MONDAY)
    result = recording.record_case(db, REGISTRAR, accepted.case_number, now=MONDAY + timedelta(minutes=30))
    certificates.mark_certificate_ready(
        db, REGISTRAR, accepted.case_number, now=MONDAY + timedelta(minutes=40)
    )
    certificates.issue_certificate(
        db, CLERK, accepted.case_number, "刘凤琴", now=MONDAY + timedelta(minutes=45)
    )
    return result.issued_certificates[0]


def _walk_request_fields(request) -> dict[str, object]:
    """Every field of the request a form shows, walked from the dataclasses themselves (not the code's list)."""
    out: dict[str, object] = {"unit_number": request.unit_number}
    for index, party in enumerate(request.parties):
        for f in dataclasses.fields(party):
            if f.name in ("role", "share", "agent", "wants_own_certificate"):
                continue  # role is the block the party sits in; the rest do not apply to these parties
            if f.name == "legal_rep_name" and party.id_type is not IdType.USCC:
                continue
            out[f"parties[{index}].{f.name}"] = getattr(party, f.name)
    for group in ("mortgage", "cancellation"):
        part = getattr(request, group)
        if part is not None:
            for f in dataclasses.fields(part):
                if f.name != "note":
                    out[f"{group}.{f.name}"] = getattr(part, f.name)
    return out


# ---------------------------------------------------------------------------------------------------------
# The zero-typing proof


def test_first_mortgage_from_its_notice_with_no_field_typed(any_demo, pki_settings, trust):
    unit_number, notice = _presale_unit(any_demo)
    notice_number = _cert_numbers(any_demo, notice.id)[0]
    # Before the buyers own the flat the notice cannot become a mortgage: the prefill says why.
    with pytest.raises(RuleViolation, match="须先办理转移登记"):
        prefill(any_demo, CLERK, "mortgage_first", unit_number)
    ownership_number = _buyers_take_ownership(any_demo, unit_number)

    p = prefill(any_demo, CLERK, "mortgage_first", unit_number)

    fields = _walk_request_fields(p.request)
    assert len(fields) > 20
    empty = [path for path, value in fields.items() if value is None or value == ""]
    unsourced = [path for path in fields if path not in p.sources]
    assert empty == [] and unsourced == []
    assert p.unfilled() == ()
    assert p.display[LOCATION] and p.display[AREA].endswith("㎡")
    assert p.sources[LOCATION].text == f"来自 登记簿 不动产单元 {unit_number}"

    from_notice = f"来自 预告登记 预售商品房抵押权预告登记 {notice_number}"
    bank = p.request.with_role(PartyRole.RIGHT_HOLDER)[0]
    assert (bank.name, bank.id_number, bank.legal_rep_name) == (
        "黄河示范银行股份有限公司中卫分行",
        "91640500MA7HH00105",
        "马立新",
    )
    assert p.sources["parties[0].name"].text == from_notice
    mortgagors = p.request.with_role(PartyRole.OBLIGOR)
    assert [m.name for m in mortgagors] == ["刘凤琴", "丁勇建"]
    assert p.sources["parties[1].name"].text == f"来自 登记簿 房地产权 {ownership_number}"
    assert [d.name for d in p.request.with_role(PartyRole.DEBTOR)] == ["刘凤琴", "丁勇建"]
    terms = p.request.mortgage
    assert terms.mode is MortgageMode.GENERAL and terms.amount == notice.secured_amount
    assert (terms.debt_start, terms.debt_end) == (notice.debt_start, notice.debt_end)
    assert terms.guarantee_scope == notice.guarantee_scope and terms.no_transfer is False
    assert p.sources["mortgage.amount"].text == from_notice
    assert p.sources["mortgage.debt_end"].text == from_notice
    # Materials are satisfied only by attaching them, never by the prefill.
    assert dict(p.request.materials) == {}

    accepted = accept_prefilled(any_demo, CLERK, p, now=MONDAY + timedelta(hours=1))
    assert accepted.status is CaseStatus.AWAITING_PAYMENT
    assert {m.code for m in accepted.missing_materials} == {
        "application", "identity", "title_certificate", "mortgage_contract", "loan_contract"
    }  # fmt: skip
    event = _events(any_demo, accepted.case_number, "case.prefill_accepted")[0]
    assert event.after["fields"]["mortgage.amount"] == {
        "value": f"{notice.secured_amount}元",
        "source": from_notice,
    }
    assert event.after["corrections"] == []

    # 免盖章: the bank seals its contract, loan contract and application page.
    for code in BANK_SEALED:
        pdf = make_demo_bank_contract(pki_settings, p, "bank-hh", material_code=code)
        result = attach_sealed_document(any_demo, CLERK, accepted.case_number, code, pdf, trust=trust)
        assert result.signer_uscc == "91640500MA7HH00105"
        assert result.note.startswith("电子签章 已核验：黄河示范银行股份有限公司中卫分行（")
    # 免提交 stands in here for the e-certificate library: the new 权证 and the ID cards.
    intake.receive_material(
        any_demo, CLERK, accepted.case_number, "title_certificate", "ecert", ecert_id=ownership_number
    )
    summary = intake.receive_material(any_demo, CLERK, accepted.case_number, "identity", "paper")
    assert summary.missing_materials == ()
    assert {m.code: m.status for m in summary.materials}["mortgage_contract"] == "sealed"

    payment_status.confirm_payment(any_demo, CASHIER, accepted.case_number, now=MONDAY + timedelta(hours=2))
    recorded = recording.record_case(
        any_demo, REGISTRAR, accepted.case_number, now=MONDAY + timedelta(hours=3)
    )

    assert notice.id in recorded.ended_right_ids
    ended = _right(any_demo, notice.id)
    assert ended.status is RightStatus.HISTORICAL and "预告登记转为抵押权首次登记" in ended.end_reason
    mortgage = _right(any_demo, recorded.new_right_id)
    assert mortgage.right_type is RightType.MORTGAGE and mortgage.status is RightStatus.CURRENT
    assert mortgage.secured_amount == notice.secured_amount and mortgage.debt_end == notice.debt_end
    assert notice_number in recorded.cancelled_certificates  # the notice's 证明 goes with it
    with any_demo.unit_of_work(write=False) as uow:
        proof = uow.session.scalar(
            select(Certificate).where(Certificate.number == recorded.issued_certificates[0])
        )
        assert proof.fields["权利人(申请人)"] == "黄河示范银行股份有限公司中卫分行"
        assert f"被担保主债权数额：{notice.secured_amount}元" in proof.fields["其他"]


def _singly_mortgaged_unit(db) -> tuple[str, Right]:
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        for m in s.scalars(
            select(Right)
            .where(Right.right_type == RightType.MORTGAGE, Right.status == RightStatus.CURRENT)
            .order_by(Right.id)
        ):
            others = s.scalars(
                select(Right.id).where(
                    Right.unit_id == m.unit_id,
                    Right.right_type == RightType.MORTGAGE,
                    Right.status == RightStatus.CURRENT,
                )
            ).all()
            if len(others) == 1:
                s.expunge(m)
                return s.scalar(select(Unit.unit_number).where(Unit.id == m.unit_id)), m
    raise AssertionError("demo register has no singly mortgaged unit")


def test_cancellation_from_the_mortgage_record_with_no_field_typed(any_demo, pki_settings, trust):
    unit_number, mortgage = _singly_mortgaged_unit(any_demo)
    proof_number = _cert_numbers(any_demo, mortgage.id)[0]

    p = prefill(any_demo, CLERK, "mortgage_cancel", unit_number)

    assert p.unfilled() == ()
    fields = _walk_request_fields(p.request)
    assert [path for path in fields if path not in p.sources] == []
    assert p.request.cancellation.mortgage == proof_number
    assert p.request.cancellation.reason is MortgageCancelReason.DEBT_EXTINGUISHED
    assert p.sources["cancellation.mortgage"].text == f"来自 登记簿 抵押权 {proof_number}"
    assert p.sources["cancellation.reason"].text.startswith("默认：主债权消灭")
    [bank] = p.request.parties
    assert bank.role is PartyRole.RIGHT_HOLDER and bank.id_type is IdType.USCC

    accepted = accept_prefilled(any_demo, CLERK, p, now=MONDAY)
    assert accepted.status is CaseStatus.IN_REVIEW  # 注销 is free
    for code in ("application", "extinction_proof"):
        pdf = make_demo_bank_contract(pki_settings, p, bank.id_number, material_code=code)
        attach_sealed_document(any_demo, CLERK, accepted.case_number, code, pdf, trust=trust)
    intake.receive_material(
        any_demo, CLERK, accepted.case_number, "proof_certificate", "ecert", ecert_id=proof_number
    )
    intake.receive_material(any_demo, CLERK, accepted.case_number, "identity", "ecert")
    recorded = recording.record_case(
        any_demo, REGISTRAR, accepted.case_number, now=MONDAY + timedelta(hours=1)
    )

    assert recorded.status is CaseStatus.ISSUED and recorded.ended_right_ids == (mortgage.id,)
    assert recorded.cancelled_certificates == (proof_number,)
    assert "主债权消灭" in _right(any_demo, mortgage.id).end_reason


def _two_owner_resale(db) -> tuple[str, int]:
    """A resale flat owned by two people and carrying nothing else (its unit number and ownership right):
    its transfer prefills two sellers."""
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        two_owner_rights = (
            select(RightParty.right_id)
            .join(Right, Right.id == RightParty.right_id)
            .where(Right.right_type == RightType.OWNERSHIP, Right.status == RightStatus.CURRENT)
            .group_by(RightParty.right_id)
            .having(func.count() == 2)
        )
        noticed = select(Right.unit_id).where(
            Right.right_type != RightType.OWNERSHIP, Right.status == RightStatus.CURRENT
        )
        unit_number, right_id = s.execute(
            select(Unit.unit_number, Right.id)
            .join(Unit, Unit.id == Right.unit_id)
            .where(Right.id.in_(two_owner_rights), Right.unit_id.not_in(noticed))
            .order_by(Right.id)
            .limit(1)
        ).one()
        return unit_number, right_id


def test_transfer_fills_all_sellers_with_their_contacts_and_leaves_buyers_to_the_clerk(demo):
    unit_number, right_id = _two_owner_resale(demo)
    with demo.unit_of_work(write=False) as uow:
        s = uow.session
        owners = [
            (party.name, party.id_number, party.address, party.phone)
            for party in s.scalars(
                select(Party)
                .join(RightParty, RightParty.party_id == Party.id)
                .where(RightParty.right_id == right_id)
                .order_by(RightParty.position)
            )
        ]

    p = prefill(demo, CLERK, "transfer", unit_number)

    sellers = p.request.with_role(PartyRole.OBLIGOR)
    assert [(s.name, s.id_number, s.address, s.phone) for s in sellers] == owners
    # When the sellers' ownership was entered (local date): the window counts their years held from it.
    with demo.unit_of_work(write=False) as uow:
        registered = uow.session.scalar(select(Right.registered_at).where(Right.id == right_id))
    assert p.display[SELLER_SINCE] == registered.astimezone(CHINA_TZ).date().isoformat()
    assert p.sources[SELLER_SINCE].text.startswith("来自 登记簿") and p.sources[SELLER_SINCE].text.endswith(
        "（登簿日期）"
    )
    assert p.request.with_role(PartyRole.RIGHT_HOLDER) == ()
    assert "parties[受让方]" in p.unfilled()
    assert any("受让方" in w for w in p.warnings)
    # The ID-card reader types a known person's number: the buyer comes from the party records.
    buyer = identify(demo, CLERK, "91640500MA7HH00105")
    assert (
        buyer is not None
        and buyer.name == "黄河示范银行股份有限公司中卫分行"
        and buyer.phone == "0955-7010001"
    )
    assert identify(demo, CLERK, "640502199001011234") is None
    with_buyer = p.with_party(buyer, source="刷身份证读取")
    assert with_buyer.sources[f"parties[{len(sellers)}].name"].text == "刷身份证读取"


# ---------------------------------------------------------------------------------------------------------
# Blocks and corrections


def test_a_pending_case_on_the_unit_blocks_the_prefill_naming_it(demo):
    unit_number, _m = _singly_mortgaged_unit(demo)
    first = accept_prefilled(demo, CLERK, prefill(demo, CLERK, "mortgage_cancel", unit_number), now=MONDAY)
    with pytest.raises(RuleViolation, match=first.case_number) as caught:
        prefill(demo, CLERK, "mortgage_cancel", unit_number)
    assert caught.value.rule == "同一不动产单元同时只能办理一件登记业务"
    with pytest.raises(RuleViolation, match=first.case_number):
        prefill(demo, CLERK, "transfer", unit_number)


def test_unknown_unit_and_a_unit_without_notice_or_contract_are_refused(demo):
    with pytest.raises(NotFound, match="640502999999GB99999F99999999"):
        prefill(demo, CLERK, "mortgage_cancel", "640502999999GB99999F99999999")
    unit_number, _m = _singly_mortgaged_unit(demo)
    with pytest.raises(ValidationError, match="没有抵押权预告登记可带入"):
        prefill(demo, CLERK, "mortgage_first", unit_number)
    with pytest.raises(PermissionDenied, match="无权"):
        prefill(demo, CASHIER, "transfer", unit_number)


def test_second_mortgage_from_the_banks_contract_data(demo):
    unit_number, _existing = _singly_mortgaged_unit(demo)
    contract = ContractData(
        contract_no="XB-2026-0001",
        bank_uscc="91640500MA7XB0030P",
        mode=MortgageMode.MAXIMUM,
        amount=Money.yuan("300000.00"),
        debt_start=date(2026, 3, 2),
        debt_end=date(2031, 3, 1),
    )
    p = prefill(demo, CLERK, "mortgage_first", unit_number, mortgage=contract)
    assert p.unfilled() == ("mortgage.assessed_value",)  # the bank did not send it: the clerk is told
    assert p.request.parties[0].name == "西部示范银行股份有限公司中卫支行"
    assert p.sources["mortgage.amount"].text == "来自 银行报送的抵押合同 XB-2026-0001（91640500MA7XB0030P）"
    assert p.sources["mortgage.mortgaged_area"].text == f"来自 登记簿 不动产单元 {unit_number}"
    assert any("本次抵押登簿后为第2顺位" in w for w in p.warnings)
    accepted = accept_prefilled(demo, CLERK, p, now=MONDAY)
    assert accepted.status is CaseStatus.AWAITING_PAYMENT


def test_correction_before_acceptance_is_audited_with_old_value_and_source(demo):
    unit_number, _m = _singly_mortgaged_unit(demo)
    p = prefill(demo, CLERK, "mortgage_cancel", unit_number)
    old_phone = p.request.parties[0].phone
    old_source = p.sources["parties[0].phone"].text

    fixed = p.corrected("parties[0].phone", "0955-7019999").corrected(
        "cancellation.reason", "抵押权人放弃抵押权"
    )

    assert fixed.request.parties[0].phone == "0955-7019999"
    assert fixed.request.cancellation.reason is MortgageCancelReason.WAIVED
    assert (
        fixed.sources["parties[0].phone"].text == f"窗口人员更正（原值：{old_phone}，原来源：{old_source}）"
    )
    assert p.request.parties[0].phone == old_phone  # the original prefill is untouched
    with pytest.raises(ValidationError, match="不动产单元"):
        p.corrected(LOCATION, "别处")
    with pytest.raises(ValidationError, match="格式不对"):
        p.corrected("cancellation.reason", "不想要了")

    accepted = accept_prefilled(demo, CLERK, fixed, now=MONDAY)
    event = _events(demo, accepted.case_number, "case.prefill_accepted")[0]
    assert {"field": "parties[0].phone", "old_value": old_phone, "new_value": "0955-7019999",
            "overridden_source": old_source} in event.after["corrections"]  # fmt: skip
    assert event.after["fields"]["cancellation.reason"]["value"] == "抵押权人放弃抵押权"


def test_correction_after_acceptance_changes_the_case_and_audits_the_overridden_source(
    demo, pki_settings, trust
):
    unit_number, notice = _presale_unit(demo)
    notice_number = _cert_numbers(demo, notice.id)[0]
    _buyers_take_ownership(demo, unit_number)
    p = prefill(demo, CLERK, "mortgage_first", unit_number)
    accepted = accept_prefilled(demo, CLERK, p, now=MONDAY + timedelta(hours=1))

    correct_field(
        demo, CLERK, accepted.case_number, "mortgage.amount", "400000.00", source="银行出具的更正函"
    )
    correct_field(
        demo, CLERK, accepted.case_number, "parties[1].phone", "13800000001", source="申请人当场告知"
    )

    [amount_event, phone_event] = _events(demo, accepted.case_number, "case.correct_prefill")
    assert amount_event.before == {
        "field": "mortgage.amount",
        "value": f"{notice.secured_amount}元",
        "source": f"来自 预告登记 预售商品房抵押权预告登记 {notice_number}",
    }
    assert amount_event.after == {
        "field": "mortgage.amount",
        "value": "400000.00元",
        "source": "窗口人员更正：银行出具的更正函",
    }
    assert phone_event.before["source"].startswith("来自 当事人档案 刘凤琴")
    with demo.unit_of_work(write=False) as uow:
        case = uow.session.scalar(select(Case).where(Case.case_number == accepted.case_number))
        assert case.form["mortgage"]["amount_fen"] == 40_000_000
        assert uow.session.scalar(select(Party.phone).where(Party.name == "刘凤琴")) == "13800000001"

    # A second correction of the same field overrides the first correction, and says so.
    correct_field(demo, CLERK, accepted.case_number, "mortgage.amount", "410000.00", source="银行再次更正")
    assert (
        _events(demo, accepted.case_number, "case.correct_prefill")[-1].before["source"]
        == "窗口人员更正：银行出具的更正函"
    )

    with pytest.raises(RuleViolation, match="身份"):
        correct_field(
            demo, CLERK, accepted.case_number, "parties[1].id_number", "640502199001011234", source="x"
        )
    with pytest.raises(ValidationError, match="须晚于"):
        correct_field(demo, CLERK, accepted.case_number, "mortgage.debt_end", "2000-01-01", source="x")
    with pytest.raises(ValidationError, match="依据"):
        correct_field(demo, CLERK, accepted.case_number, "mortgage.amount", "1.00", source=" ")

    # The corrected amount is what gets registered (paper materials here); once recorded, corrections are refused.
    for code in (*BANK_SEALED, "title_certificate", "identity"):
        intake.receive_material(demo, CLERK, accepted.case_number, code, "paper")
    payment_status.confirm_payment(demo, CASHIER, accepted.case_number)
    recorded = recording.record_case(demo, REGISTRAR, accepted.case_number)
    assert _right(demo, recorded.new_right_id).secured_amount == Money.yuan("410000.00")
    with pytest.raises(RuleViolation, match="更正登记"):
        correct_field(demo, CLERK, accepted.case_number, "mortgage.amount", "1.00", source="太晚了")


# ---------------------------------------------------------------------------------------------------------
# The benchmark figures' setup runs on any register (here the demo one) and both sides agree


def test_exemption_figures_set_up_on_the_demo_register(demo, pki_settings, tmp_path):
    from registry_desk.demo.benchmarks import exemption_figures

    ctx = BenchContext(demo, pki_settings, SYSTEM, tmp_path, units=0, repeat=3, quick=True)
    figures = exemption_figures.figures(ctx)
    again = exemption_figures.figures(ctx)  # idempotent: no second notice on the sample units
    assert [f.name for f in figures] == [f.name for f in again]
    for figure in figures:
        figure.candidate(0)
        figure.baseline(0)
    with demo.unit_of_work(write=False) as uow:
        per_unit = uow.session.execute(
            select(Right.unit_id, func.count())
            .where(
                Right.notice_kind == AdvanceNoticeKind.PRESALE_MORTGAGE, Right.status == RightStatus.CURRENT
            )
            .group_by(Right.unit_id)
        ).all()
    assert per_unit and all(count == 1 for _unit, count in per_unit)


# ---------------------------------------------------------------------------------------------------------
# The window's path: the form as submitted, reconciled with the prefill it started from


def test_the_form_as_submitted_keeps_each_sources_and_turns_changes_into_corrections(demo):
    p = prefill(demo, CLERK, "transfer", _two_owner_resale(demo)[0])
    assert len(p.request.parties) == 2

    # Submitted untouched, with the rows in another order: nothing was corrected, every source stays.
    swapped = dataclasses.replace(p.request, parties=tuple(reversed(p.request.parties)))
    same = p.as_accepted(swapped)
    assert same.corrections == ()
    last = len(p.request.parties) - 1
    assert same.sources[f"parties[{last}].name"] == p.sources["parties[0].name"]

    # The clerk changed a phone number on the form and took out the last applicant.
    old_phone, old_source = p.request.parties[0].phone, p.sources["parties[0].phone"].text
    edited = list(p.request.parties[:-1])
    edited[0] = dataclasses.replace(edited[0], phone="0955-7018888")
    gone = p.request.parties[-1]
    changed = p.as_accepted(dataclasses.replace(p.request, parties=tuple(edited)))
    assert [(c.path, c.old_value, c.new_value, c.overridden_source) for c in changed.corrections] == [
        ("parties[0].phone", old_phone, "0955-7018888", old_source),
        (f"parties[{last}]", f"{gone.name}（{gone.id_number}）", "", p.sources[f"parties[{last}].name"].text),
    ]
    assert (
        changed.sources["parties[0].phone"].text == f"窗口人员更正（原值：{old_phone}，原来源：{old_source}）"
    )
    assert f"parties[{last}].name" not in changed.sources

    # A person the register does not know, added at the window, is 窗口录入.
    newcomer = dataclasses.replace(p.request.parties[0], name="新申请人", id_number="640502199001011237")
    grown = p.as_accepted(dataclasses.replace(p.request, parties=(*p.request.parties, newcomer)))
    assert grown.sources[f"parties[{last + 1}].name"].text == "窗口录入"
    assert grown.corrections == ()

    with pytest.raises(ValidationError, match="预填内容属于"):
        p.as_accepted(dataclasses.replace(p.request, business_type="mortgage_first"))


def test_accepting_at_the_window_audits_the_prefill_as_submitted(demo, tmp_path):
    from registry_desk.payments.local_channel import LocalChannel
    from registry_desk.payments import service as payment_flow

    unit_number, _m = _singly_mortgaged_unit(demo)
    p = prefill(demo, CLERK, "mortgage_cancel", unit_number)
    old_phone = p.request.parties[0].phone
    parties = list(p.request.parties)
    parties[0] = dataclasses.replace(parties[0], phone="0955-7017777")
    submitted = dataclasses.replace(p.request, parties=tuple(parties))

    accepted = payment_flow.accept_and_bill(
        demo,
        CLERK,
        submitted,
        LocalChannel(tmp_path / "channel"),
        now=MONDAY,
        prefilled=p.as_accepted(submitted),
    )
    (event,) = _events(demo, accepted.summary.case_number, "case.prefill_accepted")
    assert event.after["fields"]["parties[0].phone"]["value"] == "0955-7017777"
    assert [c["field"] for c in event.after["corrections"]] == ["parties[0].phone"]
    assert event.after["corrections"][0]["old_value"] == old_phone


def test_a_case_is_never_saved_without_its_prefill_sources(demo, tmp_path):
    """The sources are written in the acceptance's transaction: when they cannot be written, no case,
    party, material or audit event of the attempt remains, and the case number is not used up."""
    from registry_desk.payments.local_channel import LocalChannel
    from registry_desk.payments import service as payment_flow
    from registry_desk.storage.tables import AuditEvent, Case

    unit_number, _m = _singly_mortgaged_unit(demo)
    p = prefill(demo, CLERK, "mortgage_cancel", unit_number)
    broken = dataclasses.replace(p, warnings=(object(),))  # not writable to the audit trail

    def counts():
        with demo.unit_of_work(write=False) as uow:
            s = uow.session
            return s.scalar(select(func.count(Case.id))), s.scalar(select(func.count(AuditEvent.seq)))

    before = counts()
    with pytest.raises(TypeError):
        payment_flow.accept_and_bill(
            demo, CLERK, p.request, LocalChannel(tmp_path / "channel"), now=MONDAY, prefilled=broken
        )
    assert counts() == before

    accepted = payment_flow.accept_and_bill(
        demo,
        CLERK,
        p.request,
        LocalChannel(tmp_path / "channel"),
        now=MONDAY,
        prefilled=p.as_accepted(p.request),
    )
    assert len(_events(demo, accepted.summary.case_number, "case.prefill_accepted")) == 1


# ---------------------------------------------------------------------------------------------------------
# 预告登记


def _carry_through(db, accepted) -> str:
    """Paper for what is missing, payment if charged, 登簿, 缮证, 发证; returns the 证明 number."""
    number = accepted.case_number
    for material in accepted.missing_materials:
        intake.receive_material(db, CLERK, number, material.code, now=MONDAY)
    if accepted.status is CaseStatus.AWAITING_PAYMENT:
        payment_status.confirm_payment(db, CASHIER, number, now=MONDAY)
    result = recording.record_case(db, REGISTRAR, number, now=MONDAY + timedelta(minutes=30))
    certificates.mark_certificate_ready(db, REGISTRAR, number, now=MONDAY + timedelta(minutes=40))
    certificates.issue_certificate(db, CLERK, number, "领证人", now=MONDAY + timedelta(minutes=45))
    return result.issued_certificates[0]


def test_presale_notices_take_the_developer_then_the_buyer_from_the_register(any_demo):
    from registry_desk.demo.demo_cases import pick_demo_units
    from tests.integration.test_case_helpers import terms

    db = any_demo
    unit_number = pick_demo_units(db).developer[0]
    with db.unit_of_work(write=False) as uow:
        s = uow.session
        developer = s.execute(
            select(Party.name, Party.id_number, Party.legal_rep_name)
            .join(RightParty, RightParty.party_id == Party.id)
            .join(Right, Right.id == RightParty.right_id)
            .join(Unit, Unit.id == Right.unit_id)
            .where(
                Unit.unit_number == unit_number,
                Right.right_type == RightType.OWNERSHIP,
                Right.status == RightStatus.CURRENT,
            )
        ).one()

    # 预售商品房买卖预告: the developer, the unit's owner, is the obligor with its 法定代表人; the buyer is new.
    p = prefill(db, CLERK, "advance_notice", unit_number, notice_kind=AdvanceNoticeKind.PRESALE_PURCHASE)
    (seller,) = p.request.parties
    assert (seller.role, seller.name, seller.id_number, seller.legal_rep_name) == (
        PartyRole.OBLIGOR,
        *developer,
    )
    assert p.sources["parties[0].name"].text.startswith("来自 登记簿 ")
    assert p.request.notice.kind is AdvanceNoticeKind.PRESALE_PURCHASE
    assert any("买受人须由窗口录入" in w for w in p.warnings)
    buyer = PartyInput(PartyRole.RIGHT_HOLDER, "预告买受人", IdType.RESIDENT_ID, "640502199001011239")
    submitted = dataclasses.replace(
        p.request,
        parties=(*p.request.parties, buyer),
        notice=dataclasses.replace(p.request.notice, price=Money.yuan("612000")),
        materials={m: "paper" for m in ("application", "identity", "presale_contract")},
    )
    purchase = accept_prefilled(db, CLERK, p.as_accepted(submitted), now=MONDAY)
    (event,) = _events(db, purchase.case_number, "case.prefill_accepted")
    assert event.after["fields"]["parties[0].id_number"]["source"] == p.sources["parties[0].id_number"].text
    assert event.after["fields"]["parties[1].name"]["source"] == "窗口录入"
    assert event.after["corrections"] == []
    proof = _carry_through(db, purchase)
    assert "不动产证明第" in proof

    # 预售商品房抵押权预告 (期房按揭): the mortgagor is the buyer of the purchase notice, not the developer.
    m = prefill(db, CLERK, "advance_notice", unit_number, notice_kind=AdvanceNoticeKind.PRESALE_MORTGAGE)
    (mortgagor,) = m.request.parties
    assert (mortgagor.role, mortgagor.name, mortgagor.id_number) == (
        PartyRole.OBLIGOR,
        "预告买受人",
        buyer.id_number,
    )
    assert m.sources["parties[0].name"].text == f"来自 预告登记 预售商品房买卖预告登记 {proof}"
    assert any("抵押权人（银行）" in w for w in m.warnings)
    bank = identify(db, CLERK, "91640500MA7HH00105", role=PartyRole.RIGHT_HOLDER)
    assert bank is not None
    bank_notice = dataclasses.replace(
        m.request,
        parties=(bank, *m.request.parties),
        notice=dataclasses.replace(m.request.notice, mortgage=terms(amount="400000")),
        materials={
            m_: "paper" for m_ in ("application", "identity", "presale_contract", "mortgage_contract")
        },
    )
    accepted = accept_prefilled(
        db, CLERK, m.with_party(bank, source="窗口录入").as_accepted(bank_notice), now=MONDAY
    )
    assert "不动产证明第" in _carry_through(db, accepted)


def test_a_notice_prefill_needs_its_kind_and_reads_a_contract_only_for_a_mortgage_notice(demo):
    from registry_desk.demo.demo_cases import pick_demo_units

    unit_number = pick_demo_units(demo).developer[0]
    with pytest.raises(ValidationError, match="请先选择预告登记种类"):
        prefill(demo, CLERK, "advance_notice", unit_number)
    with pytest.raises(ValidationError, match="预告登记种类“9”不存在"):
        prefill(demo, CLERK, "advance_notice", unit_number, notice_kind=9)
    with pytest.raises(ValidationError, match="只能给出银行报送的抵押合同数据"):
        prefill(demo, CLERK, "advance_notice", unit_number, notice_kind=3, mortgage="不动产证明第0000001号")
    contract = ContractData(
        contract_no="YG-2026-0001",
        bank_uscc="91640500MA7HH00105",
        mode=MortgageMode.GENERAL,
        amount=Money.yuan("420000.00"),
        debt_start=date(2026, 3, 2),
        debt_end=date(2046, 3, 1),
    )
    with pytest.raises(ValidationError, match="不是抵押权预告登记，不能读取抵押合同数据") as caught:
        prefill(demo, CLERK, "advance_notice", unit_number, notice_kind=1, mortgage=contract)
    assert caught.value.record == "YG-2026-0001"

    # For the bank's own notice on the developer's flat (其它不动产抵押权预告, the owner mortgaging), the
    # contract fills the bank and every term, each under notice.mortgage, and a correction reaches it too.
    p = prefill(demo, CLERK, "advance_notice", unit_number, notice_kind=4, mortgage=contract)
    assert [party.role for party in p.request.parties] == [PartyRole.RIGHT_HOLDER, PartyRole.OBLIGOR]
    assert p.request.notice.mortgage.amount == Money.yuan("420000.00")
    assert (
        p.sources["notice.mortgage.amount"].text
        == "来自 银行报送的抵押合同 YG-2026-0001（91640500MA7HH00105）"
    )
    assert p.sources["notice.mortgage.mortgaged_area"].text == f"来自 登记簿 不动产单元 {unit_number}"
    corrected = p.corrected("notice.mortgage.amount", "400000")
    assert corrected.request.notice.mortgage.amount == Money.yuan("400000.00")
    assert corrected.request.notice.kind is AdvanceNoticeKind.OTHER_MORTGAGE
    assert corrected.corrections[-1].path == "notice.mortgage.amount"
