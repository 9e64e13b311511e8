"""The register a load run works on (demo + synthetic) and the mixed cases it brings to the windows."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import urlsplit

from registry_desk.domain.cases import (
    ADVANCE_NOTICE,
    MATERIAL_PAPER,
    MORTGAGE_CANCEL,
    MORTGAGE_FIRST,
    TRANSFER,
    IntakeRequest,
    MortgageTerms,
    NoticeTerms,
    PartyInput,
)
from registry_desk.domain.codes import AdvanceNoticeKind, IdType, MortgageMode, PartyRole, Role
from registry_desk.domain.errors import ValidationError
from registry_desk.domain.identifiers import resident_id_check_char
from registry_desk.domain.money import Money
from registry_desk.demo import demo_data
from registry_desk.registration import prefill
from registry_desk.demo import synthetic
from registry_desk.kernel.business_types import load_policy
from registry_desk.kernel.context import Actor
from registry_desk.demo.demo_cases import pick_demo_units
from registry_desk.registration.issuing import organisations
from registry_desk.storage.database import Database

KINDS = (TRANSFER, MORTGAGE_FIRST, MORTGAGE_CANCEL, ADVANCE_NOTICE)
# The mix of a working day at the Zhongwei counters, roughly: resales and new mortgages dominate.
MIX = {TRANSFER: 0.40, MORTGAGE_FIRST: 0.25, MORTGAGE_CANCEL: 0.15, ADVANCE_NOTICE: 0.20}
UNITS_PER_CASE = 3.5  # synthetic units to generate per planned case (about 5 % of them are mortgaged)

SURNAMES = "马王李张杨刘田丁陈赵周吴徐孙朱高何郭韩苏白海罗梁宋郑谢冯于董"
GIVEN = "建国军伟强磊勇杰涛明芳娟敏静丽燕霞红艳玲萍梅兰英秀华慧婷洁琳"


def clerk(window: int) -> Actor:
    return Actor(None, f"load-clerk{window:02d}", f"压测受理员{window}", Role.CLERK, window=str(window))


def registrar(window: int) -> Actor:
    return Actor(None, f"load-registrar{window:02d}", f"压测登簿员{window}", Role.REGISTRAR)


@dataclass(frozen=True)
class CasePlan:
    index: int
    business_type: str
    unit_number: str


def require_loopback(url: str) -> None:
    """A load run writes thousands of made-up cases: never against a server other than this machine's."""
    if url.startswith("sqlite"):
        return
    host = urlsplit(url.replace("postgresql+psycopg", "postgresql")).hostname or "localhost"
    if host not in ("127.0.0.1", "::1", "localhost"):
        raise ValidationError(
            f"压力测试只能在本机数据库上运行（收到主机 {host}），不得指向生产或他人的登记库",
            rule="压力测试仅限本机",
            record=host,
        )


def prepare_register(db: Database, cases: int) -> int:
    """Loads the demo register and enough synthetic units for `cases` distinct units; returns units made.

    Refuses a database that already holds a register (the demo loader does), so a load run can never
    mix its cases into real data."""
    if not demo_data.is_empty(db):
        raise ValidationError(
            "压力测试需要一个空数据库：该库已有登记簿数据，拒绝写入压测业务",
            rule="压力测试仅用空库",
            record=db.url,
        )
    demo_data.load_demo(db)
    units = max(300, int(cases * UNITS_PER_CASE))
    synthetic.generate(db, units, seed=7)
    return units


def make_plans(db: Database, cases: int, *, seed: int = 1) -> list[CasePlan]:
    """`cases` cases in the day's mix, each on its own unit (one unfinished case per unit is a rule);
    a cancellation needs a mortgaged unit, and when those run out the case becomes a transfer."""
    rng = random.Random(seed)
    units = pick_demo_units(db)
    plain = list(units.plain)
    mortgaged = list(units.mortgaged)
    rng.shuffle(plain)
    rng.shuffle(mortgaged)
    plans: list[CasePlan] = []
    for index in range(cases):
        roll = rng.random()
        kind = TRANSFER
        edge = 0.0
        for key in KINDS:
            edge += MIX[key]
            if roll < edge:
                kind = key
                break
        if kind == MORTGAGE_CANCEL and not mortgaged:
            kind = TRANSFER
        pool = mortgaged if kind == MORTGAGE_CANCEL else plain
        if not pool:
            raise ValidationError(
                f"登记簿单元不足：{cases} 件业务需要更多单元", rule="压力测试规模", record=str(cases)
            )
        plans.append(CasePlan(index, kind, pool.pop()))
    return plans


def person(index: int) -> PartyInput:
    """A made-up buyer with a valid resident ID of 沙坡头区, born 2000-2005 (the demo and synthetic
    registers use earlier years, so these never meet an existing person)."""
    born = date(2000, 1, 1) + timedelta(days=index // 500)
    body = f"640502{born:%Y%m%d}{500 + index % 500:03d}"
    name = SURNAMES[index % len(SURNAMES)] + GIVEN[(index // len(SURNAMES)) % len(GIVEN)]
    name += GIVEN[(index // 7) % len(GIVEN)]
    return PartyInput(PartyRole.RIGHT_HOLDER, name, IdType.RESIDENT_ID, body + resident_id_check_char(body))


def _with_paper(request: IntakeRequest) -> IntakeRequest:
    business = load_policy().get(request.business_type)
    kind = request.notice.kind if request.notice else None
    materials = {
        m.code: MATERIAL_PAPER
        for m in business.materials
        if m.required and m.applies(has_agent=request.has_agent, notice_kind=kind)
    }
    return replace(request, materials=materials)


def build_request(db: Database, actor: Actor, plan: CasePlan, today: date) -> IntakeRequest:
    """The application as a window fills it: prefilled from the register (免填写), plus what the applicant
    brings (the buyer, the price, the bank's terms)."""
    price = Money.yuan(str(300_000 + (plan.index * 7919) % 400_000))
    if plan.business_type == MORTGAGE_CANCEL:
        return _with_paper(prefill.prefill(db, actor, MORTGAGE_CANCEL, plan.unit_number).request)
    owners = prefill.prefill(db, actor, TRANSFER, plan.unit_number).request.with_role(PartyRole.OBLIGOR)
    if plan.business_type == TRANSFER:
        request = IntakeRequest(TRANSFER, plan.unit_number, (*owners, person(plan.index)), price=price)
    elif plan.business_type == MORTGAGE_FIRST:
        bank = organisations()["banks"][plan.index % 2]
        holder = PartyInput(PartyRole.RIGHT_HOLDER, bank["name"], IdType.USCC, bank["uscc"])
        terms = MortgageTerms(
            mode=MortgageMode.GENERAL,
            amount=Money.yuan(str(100_000 + (plan.index * 104_729) % 300_000)),
            debt_start=today,
            debt_end=date(today.year + 20, today.month, min(today.day, 28)) - timedelta(days=1),
        )
        request = IntakeRequest(MORTGAGE_FIRST, plan.unit_number, (holder, *owners), mortgage=terms)
    else:
        request = IntakeRequest(
            ADVANCE_NOTICE,
            plan.unit_number,
            (person(plan.index), *owners),
            notice=NoticeTerms(AdvanceNoticeKind.OTHER_PURCHASE, price=price),
        )
    return _with_paper(request)
