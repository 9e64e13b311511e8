"""Every rule refuses through the services with a Chinese message naming the rule and the record, and a
refusal saves nothing (row counts and counters unchanged); roles and the status machine are enforced."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import date, datetime, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CaseStatus,
    CoOwnership,
    MortgageMode,
    PartyRole,
    RightStatus,
    RightType,
)
from registry_desk.domain.errors import DomainError, PermissionDenied, RuleViolation, ValidationError
from registry_desk.registration import certificates, closing, intake, payment_status, queries, recording
from registry_desk.domain.clock import CHINA_TZ
from registry_desk.storage.database import Database
from registry_desk.storage.migrate import upgrade
from registry_desk.storage.tables import Right, Unit
from tests.conftest import postgres_base_url
from tests.integration import test_case_helpers as _helpers
from tests.integration.test_case_helpers import (
    BANK_HH,
    BANK_SP,
    CASHIER,
    CHEN,
    CLERK,
    DEVELOPER,
    KIOSK,
    LI,
    LIU,
    MA,
    MONDAY,
    REGISTRAR,
    WANG,
    ZHANG,
    ZHAO,
    bad_check,
    build_register,
    cancellation,
    mortgage,
    notice,
    person,
    rid,
    row_counts,
    terms,
    transfer,
)

# The shared fixtures: the tiny register built once per module and copied for each test.
register_template = _helpers.register_template
sqlite_register = _helpers.sqlite_register
any_register = _helpers.any_register


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def shared(request, tmp_path_factory):
    """One register per backend for the whole module: refusals change nothing, so the tests can share it."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path_factory.mktemp('rules')}/register.sqlite3")
        upgrade(db.engine)
        yield db, build_register(db)
        db.dispose()
        return
    base = postgres_base_url()
    if not base:
        pytest.skip("PostgreSQL tests skipped: set REGISTRY_DESK_TEST_DATABASE_URL")
    schema = f"rd_test_{secrets.token_hex(6)}"
    admin = create_engine(base, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = Database(f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3D{schema}")
    try:
        upgrade(db.engine)
        yield db, build_register(db)
    finally:
        db.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _reg_request(name: str, reg):
    """The refused requests, by the rule they break."""
    both = [Fraction(1, 2), Fraction(1, 3)]
    known = {
        # 个人存量房转移登记
        "seized": transfer(reg.seized, [LIU], [ZHAO]),
        "others_notice": transfer(reg.noticed, [CHEN], [ZHAO]),
        "no_transfer": transfer(reg.no_transfer, [ZHAO], [CHEN]),
        "not_all_co_owners": transfer(reg.couple, [WANG], [ZHANG]),
        "seller_not_holder": transfer(reg.plain, [ZHANG], [ZHAO]),
        "shares_not_one": transfer(reg.plain, [WANG], [ZHAO, CHEN], co=CoOwnership.BY_SHARES, shares=both),
        "joint_with_shares": transfer(
            reg.plain, [WANG], [ZHAO, CHEN], co=CoOwnership.JOINT, shares=[Fraction(1, 2)] * 2
        ),
        "sole_two_buyers": transfer(reg.plain, [WANG], [ZHAO, CHEN], co=CoOwnership.SOLE),
        "no_co_ownership": transfer(reg.plain, [WANG], [ZHAO, CHEN]),
        "bad_check_digit": transfer(reg.plain, [WANG], [("赵敏", bad_check(ZHAO[1]))]),
        "name_mismatch": transfer(reg.plain, [WANG], [("赵小敏", ZHAO[1])]),
        "transfer_debtor_role": replace(
            transfer(reg.plain, [WANG], [ZHAO]),
            parties=transfer(reg.plain, [WANG], [ZHAO]).parties + (person(PartyRole.DEBTOR, CHEN),),
        ),
        # 抵押权首次登记
        "mortgagor_not_owner": mortgage(reg.plain, BANK_HH, [ZHANG]),
        "mortgagor_one_of_two": mortgage(reg.couple, BANK_HH, [WANG]),
        "mortgagee_natural_person": mortgage(reg.plain, ("孙磊", rid("19800101", "088")), [WANG]),
        "amount_zero": mortgage(reg.plain, BANK_HH, [WANG], mortgage_terms=terms(amount="0")),
        "term_backwards": mortgage(
            reg.plain, BANK_HH, [WANG], mortgage_terms=terms(start=date(2026, 3, 2), end=date(2026, 3, 1))
        ),
        "maximum_without_amount": mortgage(
            reg.plain, BANK_HH, [WANG], mortgage_terms=terms(mode=MortgageMode.MAXIMUM, amount=None)
        ),
        "mortgage_seized": mortgage(reg.seized, BANK_HH, [LIU]),
        "mortgage_over_buyers_notice": mortgage(reg.presale, BANK_SP, [DEVELOPER]),
        "mortgage_without_bank": replace(
            mortgage(reg.plain, BANK_HH, [WANG]), parties=(person(PartyRole.OBLIGOR, WANG),)
        ),
        # 抵押权注销登记
        "cancel_unknown_proof": cancellation(reg.mortgaged, BANK_HH, "宁(2021)中卫市不动产证明第0009999号"),
        "cancel_wrong_bank": cancellation(reg.mortgaged, BANK_SP, reg.mortgage_proof),
        "cancel_other_units_proof": cancellation(reg.plain, BANK_HH, reg.mortgage_proof),
        # 预告登记
        "notice_obligor_not_owner": notice(
            reg.plain, AdvanceNoticeKind.PRESALE_PURCHASE, [ZHANG], [DEVELOPER]
        ),
        "notice_bank_not_legal": notice(
            reg.plain, AdvanceNoticeKind.OTHER_MORTGAGE, [ZHAO], [WANG], mortgage=terms()
        ),
        "notice_seized": notice(reg.seized, AdvanceNoticeKind.OTHER_PURCHASE, [ZHAO], [LIU]),
        "notice_double_sale": notice(reg.noticed, AdvanceNoticeKind.OTHER_PURCHASE, [ZHAO], [CHEN]),
        "notice_without_kind": replace(
            notice(reg.plain, AdvanceNoticeKind.OTHER_PURCHASE, [ZHAO], [WANG]), notice=None
        ),
        # 材料
        "unknown_material": replace(transfer(reg.plain, [WANG], [ZHAO]), materials={"horoscope": "paper"}),
        "ecert_not_allowed": replace(transfer(reg.plain, [WANG], [ZHAO]), materials={"application": "ecert"}),
    }
    return known[name]


REFUSALS = [
    (
        "seized",
        RuleViolation,
        r"已被中卫市沙坡头区人民法院查封（（2025）宁0502执123号），查封期间不能办理个人存量房转移登记",
    ),
    ("others_notice", RuleViolation, r"存在马丽的其它不动产买卖预告登记.*未经预告登记权利人同意"),
    ("no_transfer", RuleViolation, r"约定禁止转让.*不能办理个人存量房转移登记.*民法典第四百零六条"),
    ("not_all_co_owners", RuleViolation, r"共有人李秀兰.*未作为转让方（义务人）申请"),
    ("seller_not_holder", RuleViolation, r"张伟.*不是单元 640502001001GB00001F00010101 的现势权利人"),
    ("shares_not_one", RuleViolation, r"份额合计应恰好为1，现为赵敏 1/2＋陈静 1/3＝5/6"),
    ("joint_with_shares", RuleViolation, r"共同共有不分份额"),
    ("sole_two_buyers", RuleViolation, r"单独所有只能有一位权利人，现填写了2位"),
    ("no_co_ownership", RuleViolation, r"须选择共有方式"),
    ("bad_check_digit", ValidationError, r"校验码"),
    ("name_mismatch", ValidationError, r"姓名/名称为“赵敏”，与填写的“赵小敏”不符"),
    ("transfer_debtor_role", ValidationError, r"个人存量房转移登记没有“债务人”这一申请人角色"),
    ("mortgagor_not_owner", RuleViolation, r"张伟.*不是单元 .* 的现势权利人.*不能作为抵押人"),
    ("mortgagor_one_of_two", RuleViolation, r"共有人李秀兰.*未作为抵押人（义务人）申请"),
    ("mortgagee_natural_person", RuleViolation, r"抵押权人孙磊须为法人"),
    ("amount_zero", ValidationError, r"被担保主债权数额须大于0"),
    ("term_backwards", ValidationError, r"债务履行期限结束日期2026年03月01日须晚于起始日期2026年03月02日"),
    ("maximum_without_amount", ValidationError, r"最高额抵押须填写最高债权额"),
    ("mortgage_seized", RuleViolation, r"查封期间不能办理抵押权首次登记"),
    ("mortgage_over_buyers_notice", RuleViolation, r"存在马丽的预售商品房买卖预告登记"),
    ("mortgage_without_bank", RuleViolation, r"抵押权首次登记须有抵押权人，至少1人，现填写0人"),
    (
        "cancel_unknown_proof",
        RuleViolation,
        r"没有证明号或权利记录号为“宁\(2021\)中卫市不动产证明第0009999号”的现势抵押权",
    ),
    ("cancel_wrong_bank", RuleViolation, r"沙坡头示范农村商业银行股份有限公司.*不是抵押权.*的抵押权人"),
    ("cancel_other_units_proof", RuleViolation, r"没有证明号或权利记录号为"),
    ("notice_obligor_not_owner", RuleViolation, r"中卫市美利示范置业有限公司.*不是单元.*现势权利人"),
    ("notice_bank_not_legal", RuleViolation, r"其它不动产抵押权预告登记的权利人须为一家抵押权人"),
    ("notice_seized", RuleViolation, r"查封期间不能办理其它不动产买卖预告登记"),
    ("notice_double_sale", RuleViolation, r"存在马丽的其它不动产买卖预告登记"),
    ("notice_without_kind", ValidationError, r"预告登记须选择预告登记种类"),
    ("unknown_material", ValidationError, r"不需要材料“horoscope”"),
    ("ecert_not_allowed", ValidationError, r"不动产登记申请书”不能以电子证照已核验代替纸质件"),
]


@pytest.mark.parametrize(("name", "error", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_rule_refuses_acceptance_and_saves_nothing(shared, name, error, message):
    db, reg = shared
    before = row_counts(db)
    with pytest.raises(error, match=message) as caught:
        intake.accept_case(db, CLERK, _reg_request(name, reg), now=MONDAY)
    assert caught.value.rule, "the refusal names its rule"
    assert caught.value.record, "the refusal names its record"
    assert row_counts(db) == before


def test_a_year_without_a_confirmed_holiday_schedule_refuses_acceptance(shared):
    db, reg = shared
    before = row_counts(db)
    new_year_2027 = datetime(2027, 1, 4, 9, 0, tzinfo=CHINA_TZ)
    with pytest.raises(RuleViolation, match="2027年的节假日安排尚未确认"):
        intake.accept_case(db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=new_year_2027)
    # Late December 2026 with a 3-day limit already needs January 2027.
    with pytest.raises(RuleViolation, match="需要用到2027年1月1日.*2027年的节假日安排尚未确认"):
        intake.accept_case(
            db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=datetime(2026, 12, 29, 9, tzinfo=CHINA_TZ)
        )
    assert row_counts(db) == before


@pytest.mark.parametrize("actor", [CASHIER, KIOSK, REGISTRAR], ids=lambda a: a.role.value)
def test_only_a_clerk_accepts(shared, actor):
    db, reg = shared
    with pytest.raises(PermissionDenied, match="无权执行“受理登记申请”"):
        intake.accept_case(db, actor, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY)


# ---------------------------------------------------------------------------------------------------------
# Rules that need a case on the register (fresh database each)
# ---------------------------------------------------------------------------------------------------------


def test_second_window_is_told_which_case_holds_the_unit(any_register):
    any_db, reg = any_register
    first = intake.accept_case(any_db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY)
    before = row_counts(any_db)
    with pytest.raises(RuleViolation) as caught:
        intake.accept_case(
            any_db, CLERK, mortgage(reg.plain, BANK_HH, [WANG]), now=MONDAY + timedelta(minutes=3)
        )
    assert caught.value.message.startswith(
        f"单元 {reg.plain} 已有未办结业务 个人存量房转移登记（业务号 {first.case_number}，待缴费）"
    )
    assert caught.value.record == first.case_number
    assert row_counts(any_db) == before
    # Once withdrawn (with a reason) the unit is free again.
    with pytest.raises(ValidationError, match="撤回须填写原因"):
        closing.withdraw_case(any_db, CLERK, first.case_number, "  ")
    closed = closing.withdraw_case(any_db, CLERK, first.case_number, "申请人书面申请撤回", now=MONDAY)
    assert closed.status is CaseStatus.WITHDRAWN and closed.closed_reason == "申请人书面申请撤回"
    intake.accept_case(any_db, CLERK, mortgage(reg.plain, BANK_HH, [WANG]), now=MONDAY + timedelta(minutes=5))


@pytest.mark.parametrize("actor", [CLERK, KIOSK, CASHIER], ids=lambda a: a.role.value)
def test_clerk_kiosk_and_cashier_cannot_record(sqlite_register, actor):
    sqlite_db, reg = sqlite_register
    number = intake.accept_case(
        sqlite_db, CLERK, cancellation(reg.mortgaged, BANK_HH, reg.mortgage_proof)
    ).case_number
    before = row_counts(sqlite_db)
    with pytest.raises(PermissionDenied, match="无权执行“审核登簿”，该操作仅限登簿人员"):
        recording.record_case(sqlite_db, actor, number)
    assert row_counts(sqlite_db) == before


def test_the_status_machine_refuses_steps_out_of_order(sqlite_register):
    sqlite_db, reg = sqlite_register
    number = intake.accept_case(sqlite_db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=MONDAY).case_number
    with pytest.raises(PermissionDenied):
        payment_status.confirm_payment(sqlite_db, CLERK, number)
    with pytest.raises(
        RuleViolation, match=f"业务 {number} 当前状态为“待缴费”，不能登簿；当前只能转入审核、不予受理、撤回"
    ):
        recording.record_case(sqlite_db, REGISTRAR, number, now=MONDAY)
    with pytest.raises(RuleViolation, match="当前状态为“待缴费”，不能缮证"):
        certificates.mark_certificate_ready(sqlite_db, REGISTRAR, number, now=MONDAY)
    with pytest.raises(RuleViolation, match="当前状态为“待缴费”，不能发证"):
        certificates.issue_certificate(sqlite_db, CLERK, number, "赵敏", now=MONDAY)
    payment_status.confirm_payment(sqlite_db, CASHIER, number, now=MONDAY)
    with pytest.raises(RuleViolation, match="当前状态为“审核中”"):
        payment_status.confirm_payment(sqlite_db, CASHIER, number, now=MONDAY)
    with pytest.raises(RuleViolation, match="当前状态为“审核中”，不能不予受理"):
        closing.not_accept_case(sqlite_db, CLERK, number, "材料不全")
    with pytest.raises(PermissionDenied, match="驳回登记申请"):
        closing.refuse_case(sqlite_db, CLERK, number, "权属有争议")
    refused = closing.refuse_case(sqlite_db, REGISTRAR, number, "权属有争议，不予登记", now=MONDAY)
    assert refused.status is CaseStatus.REFUSED
    with pytest.raises(RuleViolation, match="该业务已终结"):
        recording.record_case(sqlite_db, REGISTRAR, number, now=MONDAY)


def test_missing_materials_are_told_once_and_block_recording_until_supplied(sqlite_register):
    sqlite_db, reg = sqlite_register
    request = replace(
        cancellation(reg.mortgaged, BANK_HH, reg.mortgage_proof), materials={"application": "sealed"}
    )
    accepted = intake.accept_case(sqlite_db, CLERK, request, now=MONDAY)
    assert [m.name for m in accepted.missing_materials] == [
        "抵押权人营业执照及经办人身份证明",
        "不动产登记证明（抵押权）",
        "抵押权消灭的材料（如贷款结清证明）",
    ]
    before = row_counts(sqlite_db)
    with pytest.raises(
        RuleViolation, match="尚缺申请材料：抵押权人营业执照及经办人身份证明、不动产登记证明（抵押权）"
    ):
        recording.record_case(sqlite_db, REGISTRAR, accepted.case_number, now=MONDAY)
    assert row_counts(sqlite_db) == before
    intake.receive_material(sqlite_db, CLERK, accepted.case_number, "identity", "ecert", now=MONDAY)
    intake.receive_material(
        sqlite_db,
        CLERK,
        accepted.case_number,
        "proof_certificate",
        "ecert",
        ecert_id="1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9",
        now=MONDAY,
    )
    summary = intake.receive_material(sqlite_db, CLERK, accepted.case_number, "extinction_proof", "sealed")
    assert summary.missing_materials == ()
    assert (
        recording.record_case(sqlite_db, REGISTRAR, accepted.case_number, now=MONDAY).status
        is CaseStatus.ISSUED
    )


def test_recording_rechecks_the_rules_against_the_register_as_it_is_now(any_register):
    any_db, reg = any_register
    number = intake.accept_case(any_db, CLERK, mortgage(reg.plain, BANK_HH, [WANG]), now=MONDAY).case_number
    payment_status.confirm_payment(any_db, CASHIER, number, now=MONDAY)
    with any_db.unit_of_work() as uow:  # the court's seizure arrives while the case is in review
        unit = uow.session.query(Unit).filter_by(unit_number=reg.plain).one()
        uow.session.add(
            Right(
                unit_id=unit.id,
                right_type=RightType.SEIZURE,
                status=RightStatus.CURRENT,
                registered_at=MONDAY,
                court="中卫市中级人民法院",
                court_document_no="（2026）宁05执保7号",
            )
        )
        uow.commit()
    before = row_counts(any_db)
    with pytest.raises(RuleViolation, match="已被中卫市中级人民法院查封"):
        recording.record_case(any_db, REGISTRAR, number, now=MONDAY + timedelta(hours=1))
    assert row_counts(any_db) == before
    assert queries.get_case(any_db, REGISTRAR, number).status is CaseStatus.IN_REVIEW


def test_a_party_is_found_by_id_not_duplicated_and_ids_are_normalised(sqlite_register):
    sqlite_db, reg = sqlite_register
    lower_x = next(n for n in (rid("19491231", f"{i:03d}") for i in range(100)) if n.endswith("X"))
    buyer = ("钱昇", lower_x.lower())
    intake.accept_case(sqlite_db, CLERK, transfer(reg.plain, [WANG], [buyer]), now=MONDAY)
    counts = row_counts(sqlite_db)
    summary = queries.get_case(sqlite_db, CLERK, "202603020001")
    assert ("受让方（权利人）", "钱昇", lower_x.upper()) in summary.parties
    assert counts["parties"] == row_counts(sqlite_db)["parties"]


def test_errors_name_rule_and_record_in_their_text(shared):
    db, reg = shared
    with pytest.raises(DomainError) as caught:
        intake.accept_case(db, CLERK, transfer(reg.seized, [LIU], [ZHAO]), now=MONDAY)
    assert "（依据：查封期间不得办理转移、抵押、预告等处分登记）" in str(caught.value)
    assert f"［记录：{reg.seized}］" in str(caught.value)


def test_a_buyer_holding_the_notice_is_not_blocked_by_it_but_a_stranger_is(sqlite_register):
    sqlite_db, reg = sqlite_register
    with pytest.raises(RuleViolation, match="存在马丽的其它不动产买卖预告登记"):
        intake.accept_case(sqlite_db, CLERK, transfer(reg.noticed, [CHEN], [LI]), now=MONDAY)
    accepted = intake.accept_case(sqlite_db, CLERK, transfer(reg.noticed, [CHEN], [MA]), now=MONDAY)
    payment_status.confirm_payment(sqlite_db, CASHIER, accepted.case_number, now=MONDAY)
    result = recording.record_case(sqlite_db, REGISTRAR, accepted.case_number, now=MONDAY)
    assert "宁(2021)中卫市不动产证明第0000401号" in result.cancelled_certificates  # the notice is realised
