"""The registration rules on plain snapshots, without a database: who may sell, mortgage, cancel and give
notice, what blocks it, ranks, shares, and when a 预告登记 lapses."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest

from registry_desk.domain.cases import (
    BusinessType,
    CancellationTerms,
    IntakeRequest,
    MaterialSpec,
    MortgageTerms,
    NoticeTerms,
    PartyInput,
    RoleSpec,
)
from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CaseStatus,
    CoOwnership,
    IdType,
    MortgageCancelReason,
    MortgageMode,
    PartyRole,
    RegistrationType,
    RightType,
)
from registry_desk.domain.errors import RuleViolation, ValidationError
from registry_desk.domain.identifiers import resident_id_check_char
from registry_desk.domain.money import Money
from registry_desk.domain.rules import (
    OpenCase,
    PartySnapshot,
    RightSnapshot,
    UnitSnapshot,
    check_new_holders,
    check_request,
    lapse_warnings,
    lapsed_notices,
    next_mortgage_rank,
    notice_lapse_date,
)

H, O, D = PartyRole.RIGHT_HOLDER, PartyRole.OBLIGOR, PartyRole.DEBTOR
UNIT = "640502001001GB00001F00010101"
BANK = ("黄河示范银行股份有限公司中卫分行", "91640500MA7HH00105")
OTHER_BANK = ("沙坡头示范农村商业银行股份有限公司", "91640502MA7NP0020E")


def _rid(serial: str) -> str:
    body = f"64050219800101{serial}"
    return body + resident_id_check_char(body)


WANG, LI, ZHAO, CHEN = (
    ("王建国", _rid("011")),
    ("李秀兰", _rid("022")),
    ("赵敏", _rid("033")),
    ("陈静", _rid("044")),
)


def _type(who: tuple[str, str]) -> IdType:
    return IdType.USCC if not who[1][:17].isdigit() else IdType.RESIDENT_ID


def snap(who, role, share=None) -> PartySnapshot:
    return PartySnapshot(_type(who), who[1], who[0], role, share)


def inp(who, role, share=None) -> PartyInput:
    return PartyInput(role, who[0], _type(who), who[1], share)


def roles(*specs) -> tuple[RoleSpec, ...]:
    return tuple(RoleSpec(r, label, lo, hi, legal) for r, label, lo, hi, legal in specs)


BUSINESS = {
    "transfer": BusinessType(
        "transfer", "个人存量房转移登记", RegistrationType.TRANSFER, RightType.OWNERSHIP, 3, True,
        roles((O, "转让方（义务人）", 1, None, False), (H, "受让方（权利人）", 1, None, False)), (),
    ),
    "mortgage_first": BusinessType(
        "mortgage_first", "抵押权首次登记", RegistrationType.FIRST, RightType.MORTGAGE, 1, True,
        roles((H, "抵押权人", 1, 1, True), (O, "抵押人（义务人）", 1, None, False), (D, "债务人", 0, None, False)), (),
    ),
    "mortgage_cancel": BusinessType(
        "mortgage_cancel", "抵押权注销登记", RegistrationType.CANCELLATION, RightType.MORTGAGE, 0, False,
        roles((H, "抵押权人", 1, 1, True), (O, "抵押人", 0, None, False)), (),
    ),
    "advance_notice": BusinessType(
        "advance_notice", "预告登记", RegistrationType.ADVANCE_NOTICE, RightType.ADVANCE_NOTICE, 1, False,
        roles((H, "预告登记权利人", 1, None, False), (O, "预告登记义务人", 1, None, False)), (),
    ),
}  # fmt: skip


def ownership(*owners, right_id=1) -> RightSnapshot:
    return RightSnapshot(
        right_id,
        RightType.OWNERSHIP,
        tuple(snap(o, H) for o in owners),
        certificate_numbers=("宁(2021)中卫市不动产权第0000101号",),
    )


def mortgage_right(
    bank, owner, *, rank=1, no_transfer=False, right_id=2, proof="宁(2021)中卫市不动产证明第0000201号"
):
    return RightSnapshot(
        right_id,
        RightType.MORTGAGE,
        (snap(bank, H), snap(owner, O)),
        rank=rank,
        no_transfer=no_transfer,
        mortgage_mode=MortgageMode.GENERAL,
        certificate_numbers=(proof,),
    )


def notice_right(kind, holder, obligor, *, right_id=3, lapses=None) -> RightSnapshot:
    return RightSnapshot(
        right_id,
        RightType.ADVANCE_NOTICE,
        (snap(holder, H), snap(obligor, O)),
        notice_kind=kind,
        certificate_numbers=(f"宁(2021)中卫市不动产证明第000030{right_id}号",),
        notice_lapses_on=lapses,
    )


def unit(*rights, open_cases=()) -> UnitSnapshot:
    return UnitSnapshot(UNIT, "中卫市沙坡头区鼓楼东街1号", tuple(rights), tuple(open_cases))


def req(key, parties, **kw) -> IntakeRequest:
    return IntakeRequest(business_type=key, unit_number=UNIT, parties=tuple(parties), **kw)


def sale(sellers, buyers, **kw) -> IntakeRequest:
    return req("transfer", [inp(s, O) for s in sellers] + [inp(b, H, sh) for b, sh in buyers], **kw)


def terms(**kw) -> MortgageTerms:
    base = {
        "mode": MortgageMode.GENERAL,
        "amount": Money.yuan("400000"),
        "debt_start": date(2026, 3, 2),
        "debt_end": date(2046, 3, 1),
    }
    return MortgageTerms(**{**base, **kw})


def check(key, u, r, **kw):
    return check_request(BUSINESS[key], u, r, **kw)


# --- transfer ---------------------------------------------------------------------------------------------


def test_a_sole_owner_sells_and_an_existing_mortgage_follows_the_flat():
    m = mortgage_right(BANK, WANG)
    _req, plan = check("transfer", unit(ownership(WANG), m), sale([WANG], [(ZHAO, None)]))
    assert plan.ownership_id == 1
    assert plan.following_mortgages == (m,)


def test_every_co_owner_must_sell():
    with pytest.raises(RuleViolation, match="共有人李秀兰.*未作为转让方") as caught:
        check("transfer", unit(ownership(WANG, LI)), sale([WANG], [(ZHAO, None)]))
    assert caught.value.record == "宁(2021)中卫市不动产权第0000101号"


def test_a_stranger_cannot_sell():
    with pytest.raises(RuleViolation, match="赵敏.*不是单元.*现势权利人（登记簿记载的权利人：王建国）"):
        check("transfer", unit(ownership(WANG)), sale([ZHAO], [(CHEN, None)]))


def test_a_unit_without_a_current_ownership_cannot_be_sold():
    with pytest.raises(RuleViolation, match="没有现势的房屋所有权"):
        check("transfer", unit(), sale([WANG], [(ZHAO, None)]))


def test_seizure_blocks_sale_naming_the_court():
    seizure = RightSnapshot(
        9, RightType.SEIZURE, (), court="中卫市中级人民法院", court_document_no="（2026）宁05执1号"
    )
    with pytest.raises(RuleViolation, match="已被中卫市中级人民法院查封（（2026）宁05执1号）"):
        check("transfer", unit(ownership(WANG), seizure), sale([WANG], [(ZHAO, None)]))


def test_prohibited_transfer_clause_blocks_sale():
    with pytest.raises(RuleViolation, match="约定禁止转让") as caught:
        check(
            "transfer",
            unit(ownership(WANG), mortgage_right(BANK, WANG, no_transfer=True)),
            sale([WANG], [(ZHAO, None)]),
        )
    assert "民法典第四百零六条" in caught.value.rule


@pytest.mark.parametrize(
    ("standing", "blocked"),
    [
        (notice_right(AdvanceNoticeKind.OTHER_PURCHASE, ZHAO, WANG), False),  # the buyer's own notice
        (notice_right(AdvanceNoticeKind.OTHER_PURCHASE, CHEN, WANG), True),  # someone else's notice
        (
            notice_right(AdvanceNoticeKind.OTHER_MORTGAGE, BANK, ZHAO),
            False,
        ),  # bank's notice on the buyer's future right
        (
            notice_right(AdvanceNoticeKind.OTHER_MORTGAGE, BANK, WANG),
            True,
        ),  # bank's notice against the seller
    ],
)
def test_a_standing_notice_blocks_sale_unless_it_protects_the_buyer(standing, blocked):
    u = unit(ownership(WANG), standing)
    if blocked:
        with pytest.raises(RuleViolation, match="民法典第二百二十一条|未经预告登记权利人同意"):
            check("transfer", u, sale([WANG], [(ZHAO, None)]))
    else:
        _req, plan = check("transfer", u, sale([WANG], [(ZHAO, None)]))
        realised = standing.notice_kind is AdvanceNoticeKind.OTHER_PURCHASE
        assert plan.fulfilled_notices == ((standing,) if realised else ())


def test_another_open_case_blocks_intake_with_its_number():
    u = unit(ownership(WANG), open_cases=[OpenCase("202603020007", "抵押权首次登记", CaseStatus.IN_REVIEW)])
    with pytest.raises(RuleViolation, match=r"已有未办结业务 抵押权首次登记（业务号 202603020007，审核中）"):
        check("transfer", u, sale([WANG], [(ZHAO, None)]))


def test_at_recording_only_an_already_recorded_case_blocks():
    waiting = OpenCase("202603020007", "抵押权首次登记", CaseStatus.IN_REVIEW)
    check(
        "transfer",
        unit(ownership(WANG), open_cases=[waiting]),
        sale([WANG], [(ZHAO, None)]),
        this_case="202603020008",
    )
    recorded = OpenCase("202603020007", "抵押权首次登记", CaseStatus.RECORDED)
    with pytest.raises(RuleViolation, match="202603020007"):
        check(
            "transfer",
            unit(ownership(WANG), open_cases=[recorded]),
            sale([WANG], [(ZHAO, None)]),
            this_case="202603020008",
        )


@pytest.mark.parametrize(
    ("mode", "shares", "message"),
    [
        (
            CoOwnership.BY_SHARES,
            [Fraction(1, 2), Fraction(1, 3)],
            "合计应恰好为1，现为赵敏 1/2＋陈静 1/3＝5/6",
        ),
        (CoOwnership.BY_SHARES, [Fraction(1, 2), None], "陈静未填写"),
        (CoOwnership.BY_SHARES, [Fraction(3, 2), Fraction(-1, 2)], "份额须大于0且不超过1"),
        (CoOwnership.JOINT, [Fraction(1, 2), Fraction(1, 2)], "共同共有不分份额"),
        (CoOwnership.SOLE, [None, None], "单独所有只能有一位权利人"),
        (None, [None, None], "须选择共有方式"),
    ],
)
def test_buyers_shares(mode, shares, message):
    with pytest.raises(RuleViolation, match=message):
        check_new_holders(mode, (inp(ZHAO, H, shares[0]), inp(CHEN, H, shares[1])), UNIT)


def test_shares_sum_exactly_to_one_with_fractions_floats_would_miss():
    thirds = (inp(ZHAO, H, Fraction(1, 3)), inp(CHEN, H, Fraction(1, 3)), inp(LI, H, Fraction(1, 3)))
    assert check_new_holders(CoOwnership.BY_SHARES, thirds, UNIT) is CoOwnership.BY_SHARES
    assert check_new_holders(None, (inp(ZHAO, H),), UNIT) is CoOwnership.SOLE


def test_every_party_id_is_checked_and_normalised():
    bad = _rid("055")[:-1] + ("0" if _rid("055")[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="校验码"):
        check("transfer", unit(ownership(WANG)), sale([WANG], [(("赵敏", bad), None)]))
    lower = replace(inp(WANG, O), id_number=f" {WANG[1].lower()} ")
    checked, _ = check("transfer", unit(ownership(WANG)), req("transfer", [lower, inp(ZHAO, H)]))
    assert checked.parties[0].id_number == WANG[1]


# --- first mortgage ---------------------------------------------------------------------------------------


def test_rank_follows_the_current_mortgages():
    assert next_mortgage_rank(unit(ownership(WANG))) == 1
    assert next_mortgage_rank(unit(ownership(WANG), mortgage_right(BANK, WANG, rank=1))) == 2
    two = unit(
        ownership(WANG),
        mortgage_right(BANK, WANG, rank=1),
        mortgage_right(OTHER_BANK, WANG, rank=2, right_id=5),
    )
    assert next_mortgage_rank(two) == 3


def test_mortgage_needs_all_owners_and_a_bank_with_a_uscc():
    u = unit(ownership(WANG, LI))
    with pytest.raises(RuleViolation, match="共有人李秀兰"):
        check("mortgage_first", u, req("mortgage_first", [inp(BANK, H), inp(WANG, O)], mortgage=terms()))
    with pytest.raises(RuleViolation, match="抵押权人赵敏须为法人"):
        check(
            "mortgage_first",
            u,
            req("mortgage_first", [inp(ZHAO, H), inp(WANG, O), inp(LI, O)], mortgage=terms()),
        )
    _r, plan = check(
        "mortgage_first",
        u,
        req("mortgage_first", [inp(BANK, H), inp(WANG, O), inp(LI, O), inp(ZHAO, D)], mortgage=terms()),
    )
    assert plan.rank == 1 and plan.converted_notice is None


@pytest.mark.parametrize(
    ("t", "message"),
    [
        (terms(amount=Money.yuan("0")), "被担保主债权数额须大于0"),
        (terms(amount=None), "须填写被担保主债权数额"),
        (terms(mode=MortgageMode.MAXIMUM, amount=None), "最高额抵押须填写最高债权额"),
        (terms(debt_end=date(2026, 3, 2)), "债务履行期限结束日期2026年03月02日须晚于起始日期2026年03月02日"),
        (terms(mode=MortgageMode.MAXIMUM, debt_end=date(2026, 1, 1)), "债权确定期间结束日期"),
    ],
)
def test_mortgage_terms(t, message):
    with pytest.raises(ValidationError, match=message):
        check(
            "mortgage_first",
            unit(ownership(WANG)),
            req("mortgage_first", [inp(BANK, H), inp(WANG, O)], mortgage=t),
        )


def test_the_same_banks_mortgage_notice_is_converted_another_banks_blocks():
    standing = notice_right(AdvanceNoticeKind.PRESALE_MORTGAGE, BANK, WANG)
    u = unit(ownership(WANG), standing)
    _r, plan = check(
        "mortgage_first", u, req("mortgage_first", [inp(BANK, H), inp(WANG, O)], mortgage=terms())
    )
    assert plan.converted_notice == standing
    with pytest.raises(RuleViolation, match="存在黄河示范银行股份有限公司中卫分行的预售商品房抵押权预告登记"):
        check(
            "mortgage_first", u, req("mortgage_first", [inp(OTHER_BANK, H), inp(WANG, O)], mortgage=terms())
        )


# --- cancellation -----------------------------------------------------------------------------------------


def test_cancellation_finds_the_mortgage_by_proof_number_in_either_bracket_width_or_by_id():
    m = mortgage_right(BANK, WANG)
    u = unit(ownership(WANG), m)
    for ref in ("宁(2021)中卫市不动产证明第0000201号", "宁（2021）中卫市不动产证明第0000201号", "2"):
        terms_ = CancellationTerms(ref, MortgageCancelReason.DEBT_EXTINGUISHED)
        _r, plan = check("mortgage_cancel", u, req("mortgage_cancel", [inp(BANK, H)], cancellation=terms_))
        assert plan.target_right == m


def test_cancellation_refuses_a_cancelled_or_foreign_mortgage_and_another_bank():
    u = unit(ownership(WANG), mortgage_right(BANK, WANG))
    gone = CancellationTerms("宁(2021)中卫市不动产证明第0000999号", MortgageCancelReason.WAIVED)
    with pytest.raises(
        RuleViolation, match="没有证明号或权利记录号为“宁\\(2021\\)中卫市不动产证明第0000999号”的现势抵押权"
    ):
        check("mortgage_cancel", u, req("mortgage_cancel", [inp(BANK, H)], cancellation=gone))
    ok = CancellationTerms("2", MortgageCancelReason.WAIVED)
    with pytest.raises(
        RuleViolation, match="不是抵押权.*的抵押权人（登记簿记载：黄河示范银行股份有限公司中卫分行）"
    ):
        check("mortgage_cancel", u, req("mortgage_cancel", [inp(OTHER_BANK, H)], cancellation=ok))
    with pytest.raises(RuleViolation, match="赵敏.*不是抵押权.*的抵押人"):
        check("mortgage_cancel", u, req("mortgage_cancel", [inp(BANK, H), inp(ZHAO, O)], cancellation=ok))


# --- advance notice ---------------------------------------------------------------------------------------


def test_purchase_notice_needs_the_owner_as_seller():
    u = unit(ownership(WANG))
    kind1 = NoticeTerms(AdvanceNoticeKind.PRESALE_PURCHASE, price=Money.yuan("500000"))
    check("advance_notice", u, req("advance_notice", [inp(ZHAO, H), inp(WANG, O)], notice=kind1))
    with pytest.raises(RuleViolation, match="陈静.*不是单元.*现势权利人"):
        check("advance_notice", u, req("advance_notice", [inp(ZHAO, H), inp(CHEN, O)], notice=kind1))


def test_presale_mortgage_notice_by_the_buyer_who_holds_the_purchase_notice():
    u = unit(ownership(WANG), notice_right(AdvanceNoticeKind.PRESALE_PURCHASE, ZHAO, WANG))
    kind3 = NoticeTerms(AdvanceNoticeKind.PRESALE_MORTGAGE, mortgage=terms())
    check("advance_notice", u, req("advance_notice", [inp(BANK, H), inp(ZHAO, O)], notice=kind3))
    with pytest.raises(RuleViolation, match="义务人（抵押人）须为"):
        check("advance_notice", u, req("advance_notice", [inp(BANK, H), inp(CHEN, O)], notice=kind3))
    with pytest.raises(RuleViolation, match="须为一家抵押权人"):
        check("advance_notice", u, req("advance_notice", [inp(CHEN, H), inp(ZHAO, O)], notice=kind3))


def test_notice_lapses_ninety_days_after_registration_became_possible():
    assert notice_lapse_date(date(2026, 3, 2)) == date(2026, 5, 31)
    standing = notice_right(AdvanceNoticeKind.OTHER_PURCHASE, ZHAO, WANG, lapses=date(2026, 5, 31))
    undated = notice_right(AdvanceNoticeKind.OTHER_PURCHASE, CHEN, WANG, right_id=4)
    u = unit(ownership(WANG), standing, undated)
    assert lapsed_notices(u, date(2026, 5, 31)) == ()
    assert lapsed_notices(u, date(2026, 6, 1)) == (standing,)
    (warning,) = lapse_warnings(u, date(2026, 6, 1))
    assert warning.startswith(
        "预告登记失效提示：其它不动产买卖预告登记（宁(2021)中卫市不动产证明第0000303号，权利人赵敏）"
    )
    assert "2026年05月31日" in warning


# --- roles ------------------------------------------------------------------------------------------------


def test_role_counts_and_unknown_roles():
    u = unit(ownership(WANG), mortgage_right(BANK, WANG))
    with pytest.raises(RuleViolation, match="抵押权首次登记的抵押权人只能有1位，现填写了2位"):
        check(
            "mortgage_first",
            u,
            req("mortgage_first", [inp(BANK, H), inp(OTHER_BANK, H), inp(WANG, O)], mortgage=terms()),
        )
    with pytest.raises(ValidationError, match="个人存量房转移登记没有“债务人”这一申请人角色"):
        check("transfer", u, req("transfer", [inp(WANG, O), inp(ZHAO, H), inp(CHEN, D)]))
    with pytest.raises(ValidationError, match="作为受让方（权利人）重复填写了两次"):
        check("transfer", u, req("transfer", [inp(WANG, O), inp(ZHAO, H), inp(ZHAO, H)]))


def test_material_applies_by_agent_and_notice_kind():
    poa = MaterialSpec("power_of_attorney", "授权委托书", True, False, True, only_with_agent=True)
    assert not poa.applies(has_agent=False, notice_kind=None) and poa.applies(
        has_agent=True, notice_kind=None
    )
    presale = MaterialSpec("presale_contract", "预售合同", True, False, True, notice_kinds=frozenset({1, 3}))
    assert presale.applies(has_agent=False, notice_kind=AdvanceNoticeKind.PRESALE_MORTGAGE)
    assert not presale.applies(has_agent=False, notice_kind=AdvanceNoticeKind.OTHER_PURCHASE)
