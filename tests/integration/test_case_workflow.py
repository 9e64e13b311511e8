"""Each business type end to end through the services, on SQLite and PostgreSQL: accept → (pay) → record →
certificate or 证明 with the printed fields of REFERENCE §4 → 缮证 → 发证, and what the register shows after."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest
from sqlalchemy import func, select

from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CaseStatus,
    CertificateStatus,
    CoOwnership,
    MortgageCancelReason,
    MortgageMode,
    PartyRole,
    RightStatus,
    RightType,
)
from registry_desk.domain.errors import RuleViolation
from registry_desk.registration import certificates, closing, intake, payment_status, queries, recording
from registry_desk.domain.cases import CaseSummary
from registry_desk.registration.register import unit_register
from registry_desk.storage.tables import AuditEvent, Certificate, Party, Right
from tests.integration import test_case_helpers as _helpers
from tests.integration.test_case_helpers import (
    BANK_HH,
    BANK_SP,
    CASHIER,
    CHEN,
    CLERK,
    KIOSK,
    DEVELOPER,
    LI,
    MA,
    MONDAY,
    REGISTRAR,
    WANG,
    ZHANG,
    ZHAO,
    build_register,
    cancellation,
    mortgage,
    notice,
    terms,
    transfer,
)

# The shared fixtures: the tiny register built once per module and copied for each test.
register_template = _helpers.register_template
sqlite_register = _helpers.sqlite_register
any_register = _helpers.any_register

RIGHT_CERTIFICATE_FIELDS = [
    "权利人",
    "共有情况",
    "坐落",
    "不动产单元号",
    "权利类型",
    "权利性质",
    "用途",
    "面积",
    "使用期限",
    "权利其他状况",
    "附记",
]
PROOF_FIELDS = ["证明权利或事项", "权利人(申请人)", "义务人", "坐落", "不动产单元号", "其他", "附记"]


@pytest.fixture
def any_db(any_register):
    return any_register[0]


@pytest.fixture
def reg(any_register):
    return any_register[1]


def _cert(db, number: str) -> Certificate:
    with db.unit_of_work(write=False) as uow:
        cert = uow.session.scalar(select(Certificate).where(Certificate.number == number))
        uow.session.expunge(cert)  # keep the loaded values after the read transaction ends
        return cert


def _actions(db, case_number: str) -> list[str]:
    with db.unit_of_work(write=False) as uow:
        return list(
            uow.session.scalars(
                select(AuditEvent.action).where(AuditEvent.record == case_number).order_by(AuditEvent.seq)
            )
        )


def _finish(db, case_number: str, receiver: str) -> CaseSummary:
    later = MONDAY + timedelta(hours=2)
    certificates.mark_certificate_ready(db, REGISTRAR, case_number, now=later)
    return certificates.issue_certificate(db, CLERK, case_number, receiver, now=later + timedelta(minutes=5))


def test_transfer_of_a_mortgaged_flat_to_two_buyers_by_shares(any_db, reg):
    request = transfer(
        reg.mortgaged,
        [ZHANG],
        [ZHAO, CHEN],
        co=CoOwnership.BY_SHARES,
        shares=[Fraction(1, 3), Fraction(2, 3)],
    )
    accepted = intake.accept_case(any_db, CLERK, request, now=MONDAY)
    assert accepted.case_number == "202603020001"
    assert accepted.status is CaseStatus.AWAITING_PAYMENT  # taxes and the 登记费 come first
    assert accepted.time_limit_days == 3 and accepted.due_date == date(2026, 3, 5)
    assert [m.name for m in accepted.missing_materials] == []

    paid = payment_status.confirm_payment(any_db, CASHIER, accepted.case_number, now=MONDAY)
    assert paid.status is CaseStatus.IN_REVIEW

    result = recording.record_case(any_db, REGISTRAR, accepted.case_number, now=MONDAY + timedelta(hours=1))
    assert result.status is CaseStatus.RECORDED
    assert result.issued_certificates == ("宁(2026)中卫市不动产权第0000001号",)
    assert result.cancelled_certificates == ("宁(2021)中卫市不动产权第0000201号",)

    fields = _cert(any_db, result.issued_certificates[0]).fields
    assert list(fields) == RIGHT_CERTIFICATE_FIELDS
    assert fields["权利人"] == "赵敏、陈静"
    assert fields["共有情况"] == "按份共有，赵敏占1/3，陈静占2/3"
    assert fields["权利类型"] == "国有建设用地使用权/房屋所有权"
    assert fields["权利性质"] == "出让/商品房"
    assert fields["用途"] == "城镇住宅用地/住宅"
    assert fields["面积"] == "共用宗地面积2520.38㎡/房屋建筑面积98.76㎡"
    assert fields["使用期限"] == "2010年01月01日起2080年12月31日止"
    assert fields["权利其他状况"] == (
        "房屋结构:钢筋混凝土结构 专有建筑面积:85.10㎡，分摊建筑面积:13.66㎡ 房屋总层数:11层，所在层数:第2层"
    )
    # The mortgage follows the property (民法典 §406) and the certificate says so.
    assert "宁(2021)中卫市不动产证明第0000201号，第1顺位" in fields["附记"]
    assert "原不动产权证书号：宁(2021)中卫市不动产权第0000201号" in fields["附记"]

    page = unit_register(any_db, REGISTRAR, reg.mortgaged)
    owners = page.owners
    assert len(owners) == 1 and [h.name for h in owners[0].holders] == ["赵敏", "陈静"]
    assert [h.share for h in owners[0].holders] == ["1/3", "2/3"]
    assert [r.right_type for r in page.restrictions] == [RightType.MORTGAGE]  # still there
    old = next(r for r in page.history if r.right_type is RightType.OWNERSHIP)
    assert old.ended_by_case == accepted.case_number and "转移登记" in (old.end_reason or "")
    assert _cert(any_db, "宁(2021)中卫市不动产权第0000201号").status is CertificateStatus.CANCELLED

    issued = _finish(any_db, accepted.case_number, "赵敏")
    assert issued.status is CaseStatus.ISSUED
    cert = _cert(any_db, result.issued_certificates[0])
    assert cert.receiver_name == "赵敏" and cert.handed_over_by == CLERK.username
    assert cert.prepared_by == REGISTRAR.username
    assert _actions(any_db, accepted.case_number) == [
        "case.accepted",
        "case.paid",
        "case.recorded",
        "case.certificate_ready",
        "certificate.handed_over",
    ]
    # The buyers already known to the register were reused, not duplicated.
    with any_db.unit_of_work(write=False) as uow:
        assert (
            uow.session.scalar(select(func.count()).select_from(Party).where(Party.id_number == ZHAO[1])) == 1
        )


def test_transfer_with_separate_certificates_numbers_one_per_holder(any_db, reg):
    request = transfer(reg.plain, [WANG], [ZHAO, CHEN], co=CoOwnership.JOINT)
    request = request.__class__(
        **{
            **request.__dict__,
            "parties": tuple(
                p.__class__(**{**p.__dict__, "wants_own_certificate": True}) if p.name == "陈静" else p
                for p in request.parties
            ),
        }
    )
    number = intake.accept_case(any_db, CLERK, request, now=MONDAY).case_number
    payment_status.confirm_payment(any_db, CASHIER, number, now=MONDAY)
    result = recording.record_case(any_db, REGISTRAR, number, now=MONDAY)
    assert result.issued_certificates == (
        "宁(2026)中卫市不动产权第0000001号",
        "宁(2026)中卫市不动产权第0000002号",
    )
    first, second = (_cert(any_db, n) for n in result.issued_certificates)
    assert first.fields["共有情况"] == "共同共有"
    assert "持证人：陈静" in first.fields["附记"] and "持证人：赵敏" in second.fields["附记"]
    certificates.mark_certificate_ready(any_db, REGISTRAR, number, now=MONDAY)
    # 分别持证: the case is finished once the last holder has collected theirs.
    assert (
        certificates.issue_certificate(any_db, CLERK, first.number, "陈静", now=MONDAY).status
        is CaseStatus.CERTIFICATE_READY
    )
    assert (
        certificates.issue_certificate(any_db, CLERK, second.number, "赵敏", now=MONDAY).status
        is CaseStatus.ISSUED
    )


@pytest.mark.parametrize("mode", [MortgageMode.GENERAL, MortgageMode.MAXIMUM])
def test_first_mortgage_takes_the_next_rank_and_issues_a_proof_to_the_bank(any_db, reg, mode):
    request = mortgage(reg.mortgaged, BANK_SP, [ZHANG], mortgage_terms=terms(mode=mode, amount="150000"))
    accepted = intake.accept_case(any_db, CLERK, request, now=MONDAY)
    assert accepted.status is CaseStatus.AWAITING_PAYMENT
    assert accepted.due_date == date(2026, 3, 3)  # one working day
    payment_status.confirm_payment(any_db, CASHIER, accepted.case_number, now=MONDAY)
    result = recording.record_case(any_db, REGISTRAR, accepted.case_number, now=MONDAY)
    assert result.rank == 2  # 黄河银行 holds rank 1
    assert result.issued_certificates == ("宁(2026)中卫市不动产证明第0000001号",)
    assert result.cancelled_certificates == ()
    fields = _cert(any_db, result.issued_certificates[0]).fields
    assert list(fields) == PROOF_FIELDS
    assert fields["证明权利或事项"] == "抵押权"
    assert fields["权利人(申请人)"] == BANK_SP[0]
    assert fields["义务人"] == "张伟"
    other = fields["其他"].splitlines()
    assert other[0] == f"抵押方式：{mode.label}"
    amount = "最高债权额" if mode is MortgageMode.MAXIMUM else "被担保主债权数额"
    assert other[1] == f"{amount}：150000.00元"
    period = "债权确定期间" if mode is MortgageMode.MAXIMUM else "债务履行期限"
    assert other[2] == f"{period}：2026年03月02日起2046年03月01日止"
    assert "抵押顺位：第2顺位" in other
    page = unit_register(any_db, REGISTRAR, reg.mortgaged)
    assert sorted(r.label for r in page.restrictions) == ["抵押权", "抵押权"]
    _finish(any_db, accepted.case_number, "银行经办人孙磊")


def test_presale_flat_transfer_then_mortgage_converts_the_banks_notice(any_db, reg):
    # The buyer's own 预售商品房买卖预告 does not block the transfer to her; it is realised by it.
    t = intake.accept_case(
        any_db, CLERK, transfer(reg.presale, [DEVELOPER], [MA], price="520000"), now=MONDAY
    )
    payment_status.confirm_payment(any_db, CASHIER, t.case_number, now=MONDAY)
    recorded = recording.record_case(any_db, REGISTRAR, t.case_number, now=MONDAY)
    assert "宁(2021)中卫市不动产证明第0000302号" in recorded.cancelled_certificates
    _finish(any_db, t.case_number, "马丽")
    page = unit_register(any_db, REGISTRAR, reg.presale)
    assert [r.label for r in page.restrictions] == ["预售商品房抵押权预告登记"]  # waits for the mortgage

    later = MONDAY + timedelta(days=1)
    m = intake.accept_case(any_db, CLERK, mortgage(reg.presale, BANK_HH, [MA]), now=later)
    payment_status.confirm_payment(any_db, CASHIER, m.case_number, now=later)
    result = recording.record_case(any_db, REGISTRAR, m.case_number, now=later)
    assert result.rank == 1
    assert result.cancelled_certificates == (reg.presale_mortgage_notice_proof,)
    fields = _cert(any_db, result.issued_certificates[0]).fields
    assert (
        f"由预售商品房抵押权预告登记（{reg.presale_mortgage_notice_proof}）转为抵押权首次登记"
        in fields["附记"]
    )
    page = unit_register(any_db, REGISTRAR, reg.presale)
    assert [r.label for r in page.restrictions] == ["抵押权"]
    converted = next(r for r in page.history if r.label == "预售商品房抵押权预告登记")
    assert converted.ended_by_case == m.case_number
    assert "预告登记转为抵押权首次登记" in (converted.end_reason or "")


def test_cancellation_by_the_bank_alone_same_day_and_nothing_issued(any_db, reg, tmp_path):
    request = cancellation(reg.mortgaged, BANK_HH, reg.mortgage_proof.replace("(", "（").replace(")", "）"))
    accepted = intake.accept_case(any_db, CLERK, request, now=MONDAY)
    assert accepted.status is CaseStatus.IN_REVIEW  # free: straight to review
    assert accepted.payment_required is False
    assert accepted.time_limit_days == 0 and accepted.due_date == date(2026, 3, 2)
    result = recording.record_case(any_db, REGISTRAR, accepted.case_number, now=MONDAY)
    assert result.issued_certificates == ()
    assert result.cancelled_certificates == (reg.mortgage_proof,)
    assert result.status is CaseStatus.ISSUED  # nothing to print: finished with the register entry
    # ...and it reads 已办结, not 已发证, in the window and the case list (there is no certificate to collect).
    assert queries.get_case(any_db, CLERK, accepted.case_number).status_text == "已办结"
    (row,) = [
        r
        for r in queries.list_cases(any_db, CLERK, today=date(2026, 3, 2))
        if r.case_number == accepted.case_number
    ]
    assert row.status_text == "已办结" and row.due_state_label == "已办结"
    from registry_desk.config import Settings
    from registry_desk.kiosk.identify import identify

    # The bank never identifies at the kiosk by its public USCC: its results go out as e-certificates or
    # at the window.
    with pytest.raises(RuleViolation, match="单位申请人不能在自助机"):
        identify(
            any_db,
            KIOSK,
            accepted.case_number,
            BANK_HH[1],
            "00000000",
            settings=Settings(tmp_path, any_db.url),
        )
    assert _cert(any_db, reg.mortgage_proof).status is CertificateStatus.CANCELLED
    page = unit_register(any_db, REGISTRAR, reg.mortgaged)
    assert page.restrictions == ()
    ended = next(r for r in page.history if r.right_type is RightType.MORTGAGE)
    assert ended.end_reason.startswith(f"抵押权注销：{MortgageCancelReason.DEBT_EXTINGUISHED.label}")
    with pytest.raises(RuleViolation, match="已终结"):
        certificates.mark_certificate_ready(any_db, REGISTRAR, accepted.case_number, now=MONDAY)


def test_other_purchase_notice_with_lapse_date_and_its_proof(any_db, reg):
    request = notice(
        reg.couple,
        AdvanceNoticeKind.OTHER_PURCHASE,
        [ZHANG],
        [WANG, LI],
        price=None,
        registrable_on=date(2026, 3, 2),
    )
    accepted = intake.accept_case(any_db, CLERK, request, now=MONDAY)
    assert accepted.status is CaseStatus.IN_REVIEW and accepted.due_date == date(2026, 3, 3)
    result = recording.record_case(any_db, REGISTRAR, accepted.case_number, now=MONDAY)
    fields = _cert(any_db, result.issued_certificates[0]).fields
    assert list(fields) == PROOF_FIELDS
    assert fields["证明权利或事项"] == "其它不动产买卖预告登记"
    assert fields["权利人(申请人)"] == "张伟" and fields["义务人"] == "王建国、李秀兰"
    assert "2026年05月31日前未申请登记的，预告登记失效" in fields["附记"]
    with any_db.unit_of_work(write=False) as uow:
        right = uow.session.get(Right, result.new_right_id)
        assert right.notice_lapses_on == date(2026, 5, 31) and right.status is RightStatus.CURRENT
    assert queries.unit_warnings(any_db, CLERK, reg.couple, today=date(2026, 5, 31)) == ()
    warnings = queries.unit_warnings(any_db, CLERK, reg.couple, today=date(2026, 6, 1))
    assert len(warnings) == 1 and warnings[0].startswith("预告登记失效提示：其它不动产买卖预告登记")
    _finish(any_db, accepted.case_number, "张伟")


def test_presale_mortgage_notice_for_a_second_bank_is_refused_but_the_register_warns_of_lapse(any_db, reg):
    # The seeded 其它不动产买卖预告 on `noticed` lapsed on 2025-12-30.
    assert queries.unit_warnings(any_db, CLERK, reg.noticed, today=date(2026, 1, 5))[0].startswith(
        "预告登记失效提示"
    )
    request = notice(
        reg.presale, AdvanceNoticeKind.PRESALE_MORTGAGE, [BANK_SP], [MA], mortgage=terms(amount="100000")
    )
    with pytest.raises(RuleViolation, match="预售商品房抵押权预告登记"):
        intake.accept_case(any_db, CLERK, request, now=MONDAY)


def test_presale_mortgage_notice_by_the_buyer_holding_the_purchase_notice(any_register):
    # A flat with only the buyer's purchase notice: the bank registers its 抵押权预告 with the buyer as 抵押人.
    any_db, reg = any_register
    with any_db.unit_of_work() as uow:
        s = uow.session
        bank_notice = s.scalar(
            select(Certificate).where(Certificate.number == reg.presale_mortgage_notice_proof)
        )
        right = s.get(Right, bank_notice.right_id)
        right.status = RightStatus.HISTORICAL  # as if released earlier
        uow.commit()
    request = notice(
        reg.presale, AdvanceNoticeKind.PRESALE_MORTGAGE, [BANK_SP], [MA], mortgage=terms(amount="100000")
    )
    accepted = intake.accept_case(any_db, CLERK, request, now=MONDAY)
    result = recording.record_case(any_db, REGISTRAR, accepted.case_number, now=MONDAY)
    fields = _cert(any_db, result.issued_certificates[0]).fields
    assert fields["证明权利或事项"] == "预售商品房抵押权预告登记"
    assert fields["权利人(申请人)"] == BANK_SP[0] and fields["义务人"] == "马丽"
    assert fields["其他"].splitlines()[:2] == ["抵押方式：一般抵押", "被担保主债权数额：100000.00元"]


def test_case_numbers_run_per_day_and_restart_the_next_day(sqlite_db):
    reg = build_register(sqlite_db, spare_units=3)
    from tests.integration.test_case_helpers import spare_owner

    numbers = [
        intake.accept_case(
            sqlite_db, CLERK, transfer(reg.spare[i], [spare_owner(i)], [ZHAO]), now=MONDAY
        ).case_number
        for i in range(2)
    ]
    tomorrow = MONDAY + timedelta(days=1)
    numbers.append(
        intake.accept_case(
            sqlite_db, CLERK, transfer(reg.spare[2], [spare_owner(2)], [ZHAO]), now=tomorrow
        ).case_number
    )
    assert numbers == ["202603020001", "202603020002", "202603030001"]


def test_on_the_demo_register_presale_flat_seized_flat_and_cancellation(sqlite_db):
    from registry_desk.demo import demo_data
    from registry_desk.storage.tables import RightParty, Unit

    demo_data.load_demo(sqlite_db)
    with sqlite_db.unit_of_work(write=False) as uow:
        s = uow.session

        def unit_with(kind_filter):
            right = s.scalars(
                select(Right).where(*kind_filter, Right.status == RightStatus.CURRENT).order_by(Right.id)
            ).first()
            unit = s.get(Unit, right.unit_id)
            people: dict = {}
            for rp in s.scalars(
                select(RightParty).where(RightParty.right_id == right.id).order_by(RightParty.position)
            ):
                people.setdefault(rp.role, []).append((rp.party.name, rp.party.id_number))
            owner = s.scalars(
                select(RightParty)
                .join(Right, Right.id == RightParty.right_id)
                .where(
                    Right.unit_id == unit.id,
                    Right.right_type == RightType.OWNERSHIP,
                    Right.status == RightStatus.CURRENT,
                )
            ).all()
            certs = s.scalars(
                select(Certificate.number).where(
                    Certificate.right_id == right.id, Certificate.status == CertificateStatus.CURRENT
                )
            ).all()
            return unit.unit_number, people, [(o.party.name, o.party.id_number) for o in owner], certs

        presale, notice_people, developer, _ = unit_with(
            [Right.notice_kind == AdvanceNoticeKind.PRESALE_MORTGAGE]
        )
        purchase = unit_with(
            [
                Right.notice_kind == AdvanceNoticeKind.PRESALE_PURCHASE,
                Right.unit_id == s.scalar(select(Unit.id).where(Unit.unit_number == presale)),
            ]
        )
        seized, _p, seized_owners, _c = unit_with([Right.right_type == RightType.SEIZURE])
        mortgaged, mortgage_people, _o, proofs = unit_with(
            [
                Right.right_type == RightType.MORTGAGE,
                Right.unit_id.not_in(
                    select(Right.unit_id).where(
                        Right.right_type == RightType.SEIZURE, Right.status == RightStatus.CURRENT
                    )
                ),
            ]
        )
    buyers = purchase[1][PartyRole.RIGHT_HOLDER]
    bank = notice_people[PartyRole.RIGHT_HOLDER][0]
    co = CoOwnership.JOINT if len(buyers) > 1 else None
    with pytest.raises(RuleViolation, match="查封"):
        intake.accept_case(sqlite_db, CLERK, transfer(seized, seized_owners, [ZHAO]), now=MONDAY)

    t = intake.accept_case(sqlite_db, CLERK, transfer(presale, developer, buyers, co=co), now=MONDAY)
    payment_status.confirm_payment(sqlite_db, CASHIER, t.case_number, now=MONDAY)
    recording.record_case(sqlite_db, REGISTRAR, t.case_number, now=MONDAY)
    _finish(sqlite_db, t.case_number, buyers[0][0])
    m = intake.accept_case(sqlite_db, CLERK, mortgage(presale, bank, buyers), now=MONDAY)
    payment_status.confirm_payment(sqlite_db, CASHIER, m.case_number, now=MONDAY)
    recorded = recording.record_case(sqlite_db, REGISTRAR, m.case_number, now=MONDAY)
    assert len(recorded.cancelled_certificates) == 1  # the bank's 抵押权预告 证明, converted
    fields = _cert(sqlite_db, recorded.issued_certificates[0]).fields
    assert (
        f"由预售商品房抵押权预告登记（{recorded.cancelled_certificates[0]}）转为抵押权首次登记"
        in fields["附记"]
    )
    assert fields["义务人"] == "、".join(name for name, _ in buyers)

    c = intake.accept_case(
        sqlite_db,
        CLERK,
        cancellation(mortgaged, mortgage_people[PartyRole.RIGHT_HOLDER][0], proofs[0]),
        now=MONDAY,
    )
    assert recording.record_case(sqlite_db, REGISTRAR, c.case_number, now=MONDAY).cancelled_certificates == (
        proofs[0],
    )


def test_the_windows_case_list_holds_open_and_recent_cases_and_search_finds_the_rest(any_db, reg):
    from registry_desk.registration import register

    january = MONDAY - timedelta(days=56)  # Monday 5 January 2026
    old_done = intake.accept_case(
        any_db, CLERK, cancellation(reg.mortgaged, BANK_HH, reg.mortgage_proof), now=january
    ).case_number
    recording.record_case(any_db, REGISTRAR, old_done, now=january)  # finished in January
    old_open = intake.accept_case(any_db, CLERK, transfer(reg.plain, [WANG], [ZHAO]), now=january).case_number
    old_closed_lately = intake.accept_case(
        any_db,
        CLERK,
        notice(reg.couple, AdvanceNoticeKind.OTHER_PURCHASE, [ZHANG], [WANG, LI], price=None),
        now=january,
    ).case_number
    closing.withdraw_case(any_db, CLERK, old_closed_lately, "申请人撤回", now=MONDAY - timedelta(days=3))

    today = MONDAY.date()
    everything = {r.case_number for r in queries.list_cases(any_db, CLERK, today=today)}
    recent = {r.case_number for r in queries.list_cases(any_db, CLERK, today=today, recent_days=30)}
    assert everything == {old_done, old_open, old_closed_lately}
    # Still open after eight weeks, or finished three days ago: on the list; finished in January: not.
    assert recent == {old_open, old_closed_lately}

    # The older case is found by its 业务号 in the search box, with its state, and opens from there.
    (hit,) = register.search(any_db, CLERK, old_done)
    assert (hit.kind, hit.title, hit.unit_number) == ("case", old_done, reg.mortgaged)
    assert hit.subtitle.startswith("抵押权注销登记（已办结）")
    assert register.search(any_db, CLERK, "209901010001") == []
