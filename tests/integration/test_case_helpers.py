"""A tiny register for the case-workflow tests (owners, a couple, a mortgage, a seizure, a presale flat), the
actors, fixed clocks, and ready-made intake requests; no tests of its own."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import func, select

from registry_desk.domain.cases import (
    CancellationTerms,
    IntakeRequest,
    MortgageTerms,
    NoticeTerms,
    PartyInput,
)
from registry_desk.domain.certificates import format_certificate_number
from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CertificateKind,
    CertificateStatus,
    CoOwnership,
    IdType,
    MortgageCancelReason,
    MortgageMode,
    PartyKind,
    PartyRole,
    RightStatus,
    RightType,
    Role,
)
from registry_desk.domain.identifiers import format_unit_number, resident_id_check_char
from registry_desk.domain.money import Money
from registry_desk.domain.clock import CHINA_TZ
from registry_desk.kernel.context import Actor
from registry_desk.storage.database import Database
from registry_desk.storage.migrate import upgrade
from registry_desk.storage.tables import (
    AuditEvent,
    Case,
    CaseMaterial,
    CaseParty,
    Certificate,
    Party,
    Right,
    RightParty,
    Sequence,
    Unit,
)

CLERK = Actor(user_id=None, username="clerk01", display_name="受理员甲", role=Role.CLERK, window="3")
REGISTRAR = Actor(user_id=None, username="reg01", display_name="登簿员乙", role=Role.REGISTRAR)
CASHIER = Actor(user_id=None, username="cash01", display_name="收费员丙", role=Role.CASHIER)
KIOSK = Actor(user_id=None, username="kiosk01", display_name="自助终端1", role=Role.KIOSK)

# Monday 2 March 2026, 09:00 at the counter: an ordinary working week.
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA_TZ)

BANK_HH = ("黄河示范银行股份有限公司中卫分行", "91640500MA7HH00105")
BANK_SP = ("沙坡头示范农村商业银行股份有限公司", "91640502MA7NP0020E")
DEVELOPER = ("中卫市美利示范置业有限公司", "91640500MA7ML0040R")

MATERIALS_ALL_PAPER = {
    "transfer": ("application", "identity", "title_certificate", "sale_contract", "tax_receipt"),
    "mortgage_first": ("application", "identity", "title_certificate", "mortgage_contract", "loan_contract"),
    "mortgage_cancel": ("application", "identity", "proof_certificate", "extinction_proof"),
}


def rid(birth: str, serial: str) -> str:
    """A resident ID of 沙坡头区 with a correct check character: rid("19800101", "001")."""
    body = f"640502{birth}{serial}"
    return body + resident_id_check_char(body)


def bad_check(resident_id: str) -> str:
    last = resident_id[-1]
    return resident_id[:-1] + ("1" if last != "1" else "2")


# People of the tiny register (name, ID).
WANG = ("王建国", rid("19750312", "011"))
LI = ("李秀兰", rid("19780521", "022"))
ZHANG = ("张伟", rid("19850101", "033"))
ZHAO = ("赵敏", rid("19900215", "044"))
LIU = ("刘洋", rid("19920808", "055"))
CHEN = ("陈静", rid("19880707", "066"))
MA = ("马丽", rid("19950101", "077"))


@dataclass(frozen=True)
class Register:
    """Unit numbers of the tiny register and the certificate numbers the tests refer to."""

    plain: str  # 王建国 单独所有
    couple: str  # 王建国、李秀兰 共同共有
    mortgaged: str  # 张伟 owns; 黄河银行 第1顺位 mortgage
    no_transfer: str  # 赵敏 owns; mortgage with 禁止转让
    seized: str  # 刘洋 owns; seized by the court
    presale: str  # developer owns; 马丽 holds 预售商品房买卖预告, 黄河银行 预售商品房抵押权预告
    noticed: str  # 陈静 owns; 马丽 holds 其它不动产买卖预告
    spare: tuple[str, ...]  # units owned one each by spare owners, for the numbering tests
    plain_certificate: str
    mortgage_proof: str
    presale_mortgage_notice_proof: str


def _unit(s, room: int, location: str) -> Unit:
    unit = Unit(
        unit_number=format_unit_number("640502", 1, 1, "GB", 1, "F", 1, room),
        parcel_code="640502001001GB00001",
        county_code="640502",
        location=location,
        planned_use="住宅",
        is_residential=True,
        house_nature="商品房",
        structure="钢筋混凝土结构",
        floor=str(room // 100),
        total_floors=11,
        building_area=Decimal("98.76"),
        exclusive_area=Decimal("85.10"),
        shared_area=Decimal("13.66"),
        land_area_shared=Decimal("2520.38"),
        land_right_nature="出让",
        land_use="城镇住宅用地",
        land_term_start=date(2010, 1, 1),
        land_term_end=date(2080, 12, 31),
        building_no="0001",
        room_no=f"{room:04d}",
    )
    s.add(unit)
    s.flush()
    return unit


def _party(s, who: tuple[str, str], kind: PartyKind | None = None) -> Party:
    name, number = who
    id_type = IdType.USCC if len(number) == 18 and not number[:17].isdigit() else IdType.RESIDENT_ID
    party = s.scalar(select(Party).where(Party.id_number == number))
    if party is None:
        party = Party(
            kind=PartyKind.LEGAL if id_type is IdType.USCC else PartyKind.NATURAL,
            name=name,
            id_type=id_type,
            id_number=number,
            created_at=datetime(2020, 1, 1, tzinfo=CHINA_TZ),
        )
        s.add(party)
        s.flush()
    return party


def _right(s, unit: Unit, right_type: RightType, parties, **columns) -> Right:
    right = Right(
        unit_id=unit.id,
        right_type=right_type,
        status=RightStatus.CURRENT,
        registered_at=datetime(2021, 6, 1, 10, 0, tzinfo=CHINA_TZ),
        **columns,
    )
    for position, (who, role, share) in enumerate(parties):
        right.parties.append(RightParty(party=_party(s, who), role=role, share=share, position=position))
    s.add(right)
    s.flush()
    return right


def _cert(s, right: Right, kind: CertificateKind, seq: int, holder: tuple[str, str]) -> str:
    number = format_certificate_number(kind, 2021, seq)
    s.add(
        Certificate(
            number=number,
            kind=kind,
            year=2021,
            seq=seq,
            status=CertificateStatus.CURRENT,
            unit_id=right.unit_id,
            right_id=right.id,
            holder_party_id=_party(s, holder).id,
            issued_at=right.registered_at,
            fields={},
        )
    )
    return number


H, O = PartyRole.RIGHT_HOLDER, PartyRole.OBLIGOR


def build_register(db: Database, *, spare_units: int = 0) -> Register:
    """Writes the tiny register with the ORM (as migrated data from an older system would look)."""
    with db.unit_of_work() as uow:
        s = uow.session
        own = RightType.OWNERSHIP
        plain = _unit(s, 101, "中卫市沙坡头区鼓楼东街1号1幢1单元101室")
        r = _right(
            s, plain, own, [(WANG, H, None)], co_ownership=CoOwnership.SOLE, right_nature="出让/商品房"
        )
        plain_cert = _cert(s, r, CertificateKind.RIGHT_CERTIFICATE, 101, WANG)

        couple = _unit(s, 102, "中卫市沙坡头区鼓楼东街1号1幢1单元102室")
        r = _right(s, couple, own, [(WANG, H, None), (LI, H, None)], co_ownership=CoOwnership.JOINT)
        _cert(s, r, CertificateKind.RIGHT_CERTIFICATE, 102, WANG)

        mortgaged = _unit(s, 201, "中卫市沙坡头区鼓楼东街1号1幢1单元201室")
        r = _right(
            s, mortgaged, own, [(ZHANG, H, None)], co_ownership=CoOwnership.SOLE, right_nature="出让/商品房"
        )
        _cert(s, r, CertificateKind.RIGHT_CERTIFICATE, 201, ZHANG)
        m = _right(
            s,
            mortgaged,
            RightType.MORTGAGE,
            [(BANK_HH, H, None), (ZHANG, O, None)],
            mortgage_mode=MortgageMode.GENERAL,
            secured_amount=Money.yuan("300000"),
            debt_start=date(2021, 6, 1),
            debt_end=date(2041, 5, 31),
            rank=1,
            no_transfer=False,
        )
        mortgage_proof = _cert(s, m, CertificateKind.REGISTRATION_PROOF, 201, BANK_HH)

        no_transfer = _unit(s, 202, "中卫市沙坡头区鼓楼东街1号1幢1单元202室")
        _right(s, no_transfer, own, [(ZHAO, H, None)], co_ownership=CoOwnership.SOLE)
        m = _right(
            s,
            no_transfer,
            RightType.MORTGAGE,
            [(BANK_SP, H, None), (ZHAO, O, None)],
            mortgage_mode=MortgageMode.GENERAL,
            secured_amount=Money.yuan("200000"),
            debt_start=date(2021, 6, 1),
            debt_end=date(2031, 5, 31),
            rank=1,
            no_transfer=True,
        )
        _cert(s, m, CertificateKind.REGISTRATION_PROOF, 202, BANK_SP)

        seized = _unit(s, 301, "中卫市沙坡头区鼓楼东街1号1幢1单元301室")
        _right(s, seized, own, [(LIU, H, None)], co_ownership=CoOwnership.SOLE)
        _right(
            s,
            seized,
            RightType.SEIZURE,
            [],
            court="中卫市沙坡头区人民法院",
            court_document_no="（2025）宁0502执123号",
            seizure_start=date(2025, 12, 1),
            seizure_end=date(2028, 11, 30),
        )

        presale = _unit(s, 302, "中卫市沙坡头区鼓楼东街1号1幢1单元302室")
        _right(
            s, presale, own, [(DEVELOPER, H, None)], co_ownership=CoOwnership.SOLE, right_nature="出让/商品房"
        )
        n = _right(
            s,
            presale,
            RightType.ADVANCE_NOTICE,
            [(MA, H, None), (DEVELOPER, O, None)],
            notice_kind=AdvanceNoticeKind.PRESALE_PURCHASE,
            price=Money.yuan("520000"),
        )
        _cert(s, n, CertificateKind.REGISTRATION_PROOF, 302, MA)
        n = _right(
            s,
            presale,
            RightType.ADVANCE_NOTICE,
            [(BANK_HH, H, None), (MA, O, None)],
            notice_kind=AdvanceNoticeKind.PRESALE_MORTGAGE,
            mortgage_mode=MortgageMode.GENERAL,
            secured_amount=Money.yuan("360000"),
            debt_start=date(2025, 6, 1),
            debt_end=date(2055, 5, 31),
        )
        presale_notice = _cert(s, n, CertificateKind.REGISTRATION_PROOF, 303, BANK_HH)

        noticed = _unit(s, 401, "中卫市沙坡头区鼓楼东街1号1幢1单元401室")
        _right(s, noticed, own, [(CHEN, H, None)], co_ownership=CoOwnership.SOLE)
        n = _right(
            s,
            noticed,
            RightType.ADVANCE_NOTICE,
            [(MA, H, None), (CHEN, O, None)],
            notice_kind=AdvanceNoticeKind.OTHER_PURCHASE,
            notice_registrable_on=date(2025, 10, 1),
            notice_lapses_on=date(2025, 12, 30),
        )
        _cert(s, n, CertificateKind.REGISTRATION_PROOF, 401, MA)

        spare = []
        for i in range(spare_units):
            unit = _unit(s, 1001 + i, f"中卫市沙坡头区鼓楼东街2号{i + 1}室")
            owner = (f"业主{i + 1:02d}", rid("19700101", f"{i + 100:03d}"))
            _right(s, unit, own, [(owner, H, None)], co_ownership=CoOwnership.SOLE)
            spare.append(unit.unit_number)
        uow.commit()
        return Register(
            plain=plain.unit_number,
            couple=couple.unit_number,
            mortgaged=mortgaged.unit_number,
            no_transfer=no_transfer.unit_number,
            seized=seized.unit_number,
            presale=presale.unit_number,
            noticed=noticed.unit_number,
            spare=tuple(spare),
            plain_certificate=plain_cert,
            mortgage_proof=mortgage_proof,
            presale_mortgage_notice_proof=presale_notice,
        )


def spare_owner(i: int) -> tuple[str, str]:
    return (f"业主{i + 1:02d}", rid("19700101", f"{i + 100:03d}"))


# ---------------------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------------------


def person(role: PartyRole, who: tuple[str, str], share: Fraction | None = None, **kw) -> PartyInput:
    name, number = who
    id_type = IdType.USCC if not number[:17].isdigit() else IdType.RESIDENT_ID
    return PartyInput(role=role, name=name, id_type=id_type, id_number=number, share=share, **kw)


def all_paper(key: str) -> dict[str, str]:
    return {code: "paper" for code in MATERIALS_ALL_PAPER.get(key, ())}


def transfer(
    unit: str, sellers, buyers, *, co=None, shares=None, price="650000", materials=None
) -> IntakeRequest:
    shares = shares or [None] * len(buyers)
    return IntakeRequest(
        business_type="transfer",
        unit_number=unit,
        parties=tuple(person(O, s) for s in sellers)
        + tuple(person(H, b, sh) for b, sh in zip(buyers, shares)),
        co_ownership=co,
        materials=all_paper("transfer") if materials is None else materials,
        price=Money.yuan(price),
    )


def terms(mode=MortgageMode.GENERAL, amount="400000", start=date(2026, 3, 2), end=date(2046, 3, 1), **kw):
    return MortgageTerms(
        mode=mode, amount=None if amount is None else Money.yuan(amount), debt_start=start, debt_end=end, **kw
    )


def mortgage(unit: str, bank, owners, *, mortgage_terms=None, debtors=()) -> IntakeRequest:
    return IntakeRequest(
        business_type="mortgage_first",
        unit_number=unit,
        parties=(person(H, bank),)
        + tuple(person(O, o) for o in owners)
        + tuple(person(PartyRole.DEBTOR, d) for d in debtors),
        materials=all_paper("mortgage_first"),
        mortgage=mortgage_terms or terms(),
    )


def cancellation(unit: str, bank, proof: str, reason=MortgageCancelReason.DEBT_EXTINGUISHED) -> IntakeRequest:
    return IntakeRequest(
        business_type="mortgage_cancel",
        unit_number=unit,
        parties=(person(H, bank),),
        materials=all_paper("mortgage_cancel"),
        cancellation=CancellationTerms(proof, reason),
    )


def notice(unit: str, kind: AdvanceNoticeKind, holders, obligors, **kw) -> IntakeRequest:
    codes = {"application": "paper", "identity": "paper"}
    if kind in (AdvanceNoticeKind.PRESALE_PURCHASE, AdvanceNoticeKind.PRESALE_MORTGAGE):
        codes["presale_contract"] = "paper"
    if kind is AdvanceNoticeKind.OTHER_PURCHASE:
        codes["sale_contract"] = "paper"
    if kind in (AdvanceNoticeKind.OTHER_PURCHASE, AdvanceNoticeKind.OTHER_MORTGAGE):
        codes["title_certificate"] = "paper"
    if kind.is_mortgage:
        codes["mortgage_contract"] = "paper"
    return IntakeRequest(
        business_type="advance_notice",
        unit_number=unit,
        parties=tuple(person(H, h) for h in holders) + tuple(person(O, o) for o in obligors),
        materials=codes,
        notice=NoticeTerms(kind=kind, **kw),
    )


# ---------------------------------------------------------------------------------------------------------
# Counting rows: a refusal must leave every table as it was
# ---------------------------------------------------------------------------------------------------------

COUNTED = (Case, CaseParty, CaseMaterial, Party, Right, RightParty, Certificate, AuditEvent, Sequence)


def row_counts(db: Database) -> dict[str, int]:
    with db.unit_of_work(write=False) as uow:
        counts = {t.__tablename__: uow.session.scalar(select(func.count()).select_from(t)) for t in COUNTED}
        counts["current_rights"] = uow.session.scalar(
            select(func.count()).select_from(Right).where(Right.status == RightStatus.CURRENT)
        )
        counts["sequence_total"] = uow.session.scalar(select(func.coalesce(func.sum(Sequence.value), 0)))
        return counts


# ---------------------------------------------------------------------------------------------------------
# Concurrency: workers run in spawned processes or threads, each with its own Database
# ---------------------------------------------------------------------------------------------------------


def twin_case(db: Database, case_number: str, new_number: str, swap: tuple[str, str]) -> None:
    """A second case in review on the same unit, as a case from before the one-case rule (or one that won a
    race against it) would be: same type and form, one party replaced (old id number → new party)."""
    old_id, new_id = swap
    with db.unit_of_work() as uow:
        s = uow.session
        case = s.scalar(select(Case).where(Case.case_number == case_number))
        twin = Case(
            case_number=new_number,
            business_type=case.business_type,
            registration_type=case.registration_type,
            right_type=case.right_type,
            unit_id=case.unit_id,
            status=case.status,
            accepted_at=case.accepted_at,
            time_limit_days=case.time_limit_days,
            due_date=case.due_date,
            form=dict(case.form),
            payment_required=case.payment_required,
        )
        replacement = s.scalar(select(Party).where(Party.id_number == new_id))
        for cp in case.parties:
            party = replacement if cp.party.id_number == old_id else cp.party
            twin.parties.append(
                CaseParty(
                    party_id=party.id, party=party, role=cp.role, share=cp.share, co_ownership=cp.co_ownership
                )
            )
        for m in case.materials:
            twin.materials.append(
                CaseMaterial(
                    code=m.code, name=m.name, required=m.required, status=m.status, position=m.position
                )
            )
        s.add(twin)
        uow.commit()


def record_worker(url: str, case_numbers: list[str], barrier) -> list[tuple[str, str, list[str]]]:
    """Records each case in turn: ("ok", number, certificates) or ("refused", number, message) for each."""
    from registry_desk.domain.errors import DomainError
    from registry_desk.registration import recording

    db = Database(url)
    outcomes: list[tuple[str, str, list[str]]] = []
    try:
        barrier.wait(timeout=60)
        for number in case_numbers:
            try:
                result = recording.record_case(db, REGISTRAR, number, now=MONDAY)
                outcomes.append(("ok", number, list(result.issued_certificates)))
            except DomainError as error:
                outcomes.append(("refused", number, [str(error)]))
    finally:
        db.dispose()
    return outcomes


def accept_worker(url: str, request: IntakeRequest, barrier) -> list[tuple[str, str, list[str]]]:
    from registry_desk.domain.errors import DomainError
    from registry_desk.registration import intake

    db = Database(url)
    try:
        barrier.wait(timeout=60)
        try:
            return [("ok", intake.accept_case(db, CLERK, request, now=MONDAY).case_number, [])]
        except DomainError as error:
            return [("refused", "", [str(error)])]
    finally:
        db.dispose()


# ---------------------------------------------------------------------------------------------------------
# Fixtures (import them into a test module to use them): the tiny register built once and copied per test
# ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def register_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Register]:
    """Migrating and filling a database costs far more than copying the file, so do it once per module."""
    directory = tmp_path_factory.mktemp("register_template")
    db = Database(f"sqlite:///{directory}/register.sqlite3")
    try:
        upgrade(db.engine)
        reg = build_register(db)
    finally:
        db.dispose()  # the last connection checkpoints the WAL into the main file
    return directory / "register.sqlite3", reg


@pytest.fixture
def sqlite_register(
    register_template: tuple[Path, Register], tmp_path: Path
) -> Iterator[tuple[Database, Register]]:
    """A private copy of the tiny register on SQLite."""
    template, reg = register_template
    shutil.copyfile(template, tmp_path / "register.sqlite3")
    db = Database(f"sqlite:///{tmp_path}/register.sqlite3")
    try:
        yield db, reg
    finally:
        db.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_register(request: pytest.FixtureRequest) -> tuple[Database, Register]:
    """The tiny register on SQLite (a copy) and on PostgreSQL (built in the test's own schema)."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_register")
    db: Database = request.getfixturevalue("postgres_db")
    return db, build_register(db)
