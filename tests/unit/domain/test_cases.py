"""Case data without a database: the status machine, due states, the stored form round trip, and the shipped
business-type policy (codes, limits within the 30-day ceiling, materials that e-certificates may satisfy)."""

from __future__ import annotations

import itertools
import json
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from registry_desk.domain.cases import (
    TRANSITIONS,
    CancellationTerms,
    IntakeRequest,
    MortgageTerms,
    NoticeTerms,
    PartyInput,
    check_closing_reason,
    check_transition,
    due_state,
    request_from_case,
)
from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CaseStatus,
    CertificateKind,
    CoOwnership,
    IdType,
    MortgageCancelReason,
    MortgageMode,
    PartyRole,
    RegistrationType,
    RightType,
)
from registry_desk.domain.errors import RuleViolation, ValidationError
from registry_desk.domain.money import Money
from registry_desk.resources_path import resource
from registry_desk.kernel.business_types import load_policy, parse_policy

S = CaseStatus


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        ([S.ACCEPTED, S.AWAITING_PAYMENT, S.IN_REVIEW, S.RECORDED, S.CERTIFICATE_READY, S.ISSUED], True),
        ([S.ACCEPTED, S.IN_REVIEW, S.RECORDED, S.ISSUED], True),  # free case, nothing to print
        ([S.ACCEPTED, S.AWAITING_PAYMENT, S.NOT_ACCEPTED], True),
        ([S.ACCEPTED, S.IN_REVIEW, S.WITHDRAWN], True),
        ([S.ACCEPTED, S.IN_REVIEW, S.REFUSED], True),
        ([S.ACCEPTED, S.AWAITING_PAYMENT, S.RECORDED], False),  # no recording before payment
        ([S.ACCEPTED, S.IN_REVIEW, S.NOT_ACCEPTED], False),  # 不予受理 is decided at intake
        ([S.ACCEPTED, S.IN_REVIEW, S.RECORDED, S.WITHDRAWN], False),  # the register has changed
        ([S.ACCEPTED, S.IN_REVIEW, S.REFUSED, S.IN_REVIEW], False),  # closed is closed
    ],
)
def test_status_paths(path, ok):
    def walk():
        for current, target in itertools.pairwise(path):
            check_transition("202603020001", current, target)

    if ok:
        walk()
    else:
        with pytest.raises(RuleViolation, match="业务 202603020001 当前状态为"):
            walk()


def test_refusal_says_where_the_case_stands_and_what_it_may_do():
    with pytest.raises(RuleViolation) as caught:
        check_transition("202603020001", S.AWAITING_PAYMENT, S.RECORDED)
    assert (
        caught.value.message
        == "业务 202603020001 当前状态为“待缴费”，不能登簿；当前只能转入审核、不予受理、撤回"
    )
    with pytest.raises(RuleViolation, match="该业务已终结，不能再变更"):
        check_transition("202603020001", S.ISSUED, S.CERTIFICATE_READY)


def test_every_terminal_status_is_closed_and_every_open_one_can_move():
    for status, targets in TRANSITIONS.items():
        assert (not targets) == (not status.is_open), status


def test_closing_needs_a_reason():
    with pytest.raises(ValidationError, match="驳回须填写原因"):
        check_closing_reason("202603020001", S.REFUSED, "   ")
    assert check_closing_reason("202603020001", S.WITHDRAWN, " 申请人撤回 ") == "申请人撤回"


@pytest.mark.parametrize(
    ("completed", "today", "state"),
    [
        (None, date(2026, 3, 4), "ok"),
        (None, date(2026, 3, 5), "due_today"),
        (None, date(2026, 3, 6), "overdue"),
        (date(2026, 3, 9), date(2026, 3, 10), "done"),
    ],
)
def test_due_state(completed, today, state):
    assert due_state(date(2026, 3, 5), completed, today) == state


def test_the_stored_form_gives_back_the_same_terms():
    person = PartyInput(
        PartyRole.RIGHT_HOLDER, "赵敏", IdType.RESIDENT_ID, "11010519491231002X", Fraction(1, 3)
    )
    terms = MortgageTerms(
        MortgageMode.MAXIMUM,
        Money.yuan("1234567.89"),
        date(2026, 3, 2),
        date(2031, 3, 1),
        no_transfer=True,
        mortgaged_area=Decimal("98.76"),
        assessed_value=Money.yuan("900000"),
    )
    request = IntakeRequest(
        business_type="advance_notice",
        unit_number="640502001001GB00001F00010101",
        parties=(person,),
        co_ownership=CoOwnership.BY_SHARES,
        price=Money.yuan("650000.10"),
        mortgage=terms,
        cancellation=CancellationTerms(
            "宁(2021)中卫市不动产证明第0000201号", MortgageCancelReason.OTHER, "法院裁定"
        ),
        notice=NoticeTerms(
            AdvanceNoticeKind.PRESALE_MORTGAGE, mortgage=terms, registrable_on=date(2026, 4, 1)
        ),
        note="按揭",
    )
    form = json.loads(json.dumps(request.terms_form()))  # as the JSON column stores it
    again = request_from_case(request.business_type, request.unit_number, request.parties, form)
    assert again == request


# --- the shipped policy -----------------------------------------------------------------------------------


def test_shipped_business_types_carry_the_codes_and_default_limits():
    policy = load_policy()
    rows = {
        b.key: (b.label, b.registration_type, b.right_type, b.time_limit_days, b.charged)
        for b in policy.types
    }
    assert rows == {
        "transfer": ("个人存量房转移登记", RegistrationType.TRANSFER, RightType.OWNERSHIP, 3, True),
        "mortgage_first": ("抵押权首次登记", RegistrationType.FIRST, RightType.MORTGAGE, 1, True),
        "mortgage_cancel": ("抵押权注销登记", RegistrationType.CANCELLATION, RightType.MORTGAGE, 0, False),
        "advance_notice": ("预告登记", RegistrationType.ADVANCE_NOTICE, RightType.ADVANCE_NOTICE, 1, False),
    }
    assert "unverified locally" in policy.note
    assert policy.get("mortgage_cancel").certificate_kind is None
    assert policy.get("transfer").certificate_kind is CertificateKind.RIGHT_CERTIFICATE
    assert policy.get("advance_notice").certificate_kind is CertificateKind.REGISTRATION_PROOF


def test_免提交_and_免盖章_materials_are_marked():
    policy = load_policy()
    title = {m.code: m for m in policy.get("mortgage_first").materials}["title_certificate"]
    assert title.ecert_ok  # the e-certificate replaces the paper certificate (免提交)
    contract = {m.code: m for m in policy.get("mortgage_first").materials}["mortgage_contract"]
    assert contract.sealed_ok  # the bank's electronically sealed contract (免盖章)
    proof = {m.code: m for m in policy.get("mortgage_cancel").materials}["proof_certificate"]
    assert proof.ecert_ok


def test_a_limit_above_the_statutory_ceiling_is_refused():
    data = json.loads(resource("policy", "business_types.json").read_text(encoding="utf-8"))
    data["types"][0]["time_limit_days"] = 31
    with pytest.raises(ValidationError, match="办结时限31个工作日超过上限30个工作日"):
        parse_policy(data)
    data["types"][0]["time_limit_days"] = 3
    data["types"][0]["key"] = "gift"
    with pytest.raises(ValidationError, match="业务类型键应为"):
        parse_policy(data)
