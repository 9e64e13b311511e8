"""A tiny register written with the ORM for the issuing and e-certificate tests: one flat owned jointly by
a couple with its 不动产权证书, a bank's mortgage 证明 on it, a second flat, and a transfer case that was
recorded (the couple's certificate cancelled, a new one issued to the buyer), as `record_case` leaves it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from registry_desk.config import Settings
from registry_desk.domain.certificates import format_certificate_number
from registry_desk.domain.codes import (
    CaseStatus,
    CertificateKind,
    CertificateStatus,
    CoOwnership,
    IdType,
    MortgageMode,
    PartyKind,
    PartyRole,
    RightStatus,
    RightType,
    Role,
)
from registry_desk.domain.identifiers import format_unit_number, resident_id_check_char
from registry_desk.domain.money import Money
from registry_desk.storage.database import Database
from registry_desk.storage.tables import (
    Case,
    CaseMaterial,
    CaseParty,
    Certificate,
    Party,
    Right,
    RightParty,
    Unit,
    User,
)

CHINA = dt.timezone(dt.timedelta(hours=8))
# Timestamps are written in UTC, as the services and the demo loader do (SQLite keeps no offset).
RECORDED_AT = dt.datetime(2026, 3, 3, 15, 30, tzinfo=CHINA).astimezone(dt.UTC)


def rid(birth: str, serial: str) -> str:
    first17 = f"640502{birth}{serial}"
    return first17 + resident_id_check_char(first17)


HUSBAND = ("王建国", rid("19750312", "011"))
WIFE = ("李秀兰", rid("19780521", "022"))
BUYER = ("赵敏", rid("19900215", "044"))
STRANGER = ("陈静", rid("19880707", "066"))
BANK = ("黄河示范银行股份有限公司中卫分行", "91640500MA7HH00105")


@dataclass(frozen=True)
class TinyRegister:
    flat: str  # unit number of the couple's flat (sold in the transfer case)
    other_flat: str  # a second flat, owned by 陈静
    couple_certificate: str  # 宁(2021)…不动产权第0000201号, cancelled by the transfer
    mortgage_proof: str  # 宁(2021)…不动产证明第0000202号, the bank's
    other_certificate: str  # 陈静's certificate on the second flat
    buyer_certificate: str  # 宁(2026)…不动产权第0000001号, issued by the transfer case
    open_case: str  # a transfer case on the second flat, accepted, title certificate still missing
    recorded_case: str  # the transfer case that was recorded


def right_certificate_fields(unit: Unit, holders: str, co: str, notes: str = "") -> dict[str, str]:
    return {
        "权利人": holders,
        "共有情况": co,
        "坐落": unit.location,
        "不动产单元号": unit.unit_number,
        "权利类型": "国有建设用地使用权/房屋所有权",
        "权利性质": "出让/商品房",
        "用途": "城镇住宅用地/住宅",
        "面积": "共用宗地面积2520.38㎡/房屋建筑面积98.76㎡",
        "使用期限": "2010年01月01日起2080年12月31日止",
        "权利其他状况": "房屋结构:钢筋混凝土结构 专有建筑面积:85.10㎡，分摊建筑面积:13.66㎡ 房屋总层数:11层，所在层数:第2层",
        "附记": notes,
    }


def _party(s, who: tuple[str, str]) -> Party:
    name, number = who
    legal = not number[:17].isdigit()
    party = Party(
        kind=PartyKind.LEGAL if legal else PartyKind.NATURAL,
        name=name,
        id_type=IdType.USCC if legal else IdType.RESIDENT_ID,
        id_number=number,
        created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    s.add(party)
    s.flush()
    return party


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
        floor="2",
        total_floors=11,
        building_area=Decimal("98.76"),
        exclusive_area=Decimal("85.10"),
        shared_area=Decimal("13.66"),
        land_area_shared=Decimal("2520.38"),
        land_right_nature="出让",
        land_use="城镇住宅用地",
        land_term_start=dt.date(2010, 1, 1),
        land_term_end=dt.date(2080, 12, 31),
    )
    s.add(unit)
    s.flush()
    return unit


def _right(s, unit: Unit, right_type: RightType, holders: list[Party], at: dt.datetime, **columns) -> Right:
    right = Right(
        unit_id=unit.id, right_type=right_type, status=RightStatus.CURRENT, registered_at=at, **columns
    )
    for position, party in enumerate(holders):
        right.parties.append(RightParty(party=party, role=PartyRole.RIGHT_HOLDER, position=position))
    s.add(right)
    s.flush()
    return right


def _certificate(
    s,
    right: Right,
    kind: CertificateKind,
    year: int,
    seq: int,
    holder: Party,
    fields: dict[str, str],
    **columns,
) -> Certificate:
    cert = Certificate(
        number=format_certificate_number(kind, year, seq),
        kind=kind,
        year=year,
        seq=seq,
        status=CertificateStatus.CURRENT,
        unit_id=right.unit_id,
        right_id=right.id,
        holder_party_id=holder.id,
        issued_at=right.registered_at,
        fields=fields,
        **columns,
    )
    s.add(cert)
    s.flush()
    return cert


def build_tiny_register(db: Database) -> TinyRegister:
    with db.unit_of_work() as uow:
        s = uow.session
        clerk = User(
            username="clerk01",
            display_name="受理员甲",
            role=Role.CLERK,
            password_hash="x",
            active=True,
            window="3",
            created_at=RECORDED_AT,
        )
        s.add(clerk)
        husband, wife, buyer, stranger, bank = (
            _party(s, who) for who in (HUSBAND, WIFE, BUYER, STRANGER, BANK)
        )
        flat = _unit(s, 201, "中卫市沙坡头区鼓楼东街1号1幢1单元201室")
        other = _unit(s, 301, "中卫市沙坡头区鼓楼东街1号1幢1单元301室")
        then = dt.datetime(2021, 6, 1, 10, 0, tzinfo=CHINA).astimezone(dt.UTC)

        couple_right = _right(
            s,
            flat,
            RightType.OWNERSHIP,
            [husband, wife],
            then,
            co_ownership=CoOwnership.JOINT,
            right_nature="出让/商品房",
        )
        couple_cert = _certificate(
            s,
            couple_right,
            CertificateKind.RIGHT_CERTIFICATE,
            2021,
            201,
            husband,
            right_certificate_fields(flat, "王建国、李秀兰", "共同共有"),
            paper_serial="NX2021000201",
        )
        mortgage = _right(
            s,
            flat,
            RightType.MORTGAGE,
            [bank],
            then,
            mortgage_mode=MortgageMode.GENERAL,
            secured_amount=Money.yuan("400000"),
            rank=1,
        )
        proof = _certificate(
            s,
            mortgage,
            CertificateKind.REGISTRATION_PROOF,
            2021,
            202,
            bank,
            {
                "证明权利或事项": "抵押权",
                "权利人(申请人)": BANK[0],
                "义务人": "王建国、李秀兰",
                "坐落": flat.location,
                "不动产单元号": flat.unit_number,
                "其他": "抵押方式：一般抵押\n被担保主债权数额：400000.00元\n债务履行期限：2021年06月01日起2041年05月31日止",
                "附记": "",
            },
        )
        other_right = _right(s, other, RightType.OWNERSHIP, [stranger], then, co_ownership=CoOwnership.SOLE)
        other_cert = _certificate(
            s,
            other_right,
            CertificateKind.RIGHT_CERTIFICATE,
            2021,
            203,
            stranger,
            right_certificate_fields(other, "陈静", "单独所有"),
        )

        # The recorded transfer: the couple sold to 赵敏; the mortgage follows the flat.
        recorded = Case(
            case_number="202603020001",
            business_type="transfer",
            registration_type=200,
            right_type=4,
            unit_id=flat.id,
            status=CaseStatus.RECORDED,
            accepted_at=RECORDED_AT - dt.timedelta(days=1),
            accepted_by=None,
            time_limit_days=3,
            due_date=dt.date(2026, 3, 5),
            recorded_at=RECORDED_AT,
            form={},
        )
        s.add(recorded)
        s.flush()
        couple_right.status = RightStatus.HISTORICAL
        couple_right.ended_at = RECORDED_AT
        couple_right.ended_by_case_id = recorded.id
        couple_cert.status = CertificateStatus.CANCELLED
        couple_cert.cancelled_at = RECORDED_AT
        couple_cert.cancelled_by_case_id = recorded.id
        buyer_right = _right(
            s,
            flat,
            RightType.OWNERSHIP,
            [buyer],
            RECORDED_AT,
            co_ownership=CoOwnership.SOLE,
            created_by_case_id=recorded.id,
        )
        buyer_cert = _certificate(
            s,
            buyer_right,
            CertificateKind.RIGHT_CERTIFICATE,
            2026,
            1,
            buyer,
            right_certificate_fields(flat, "赵敏", "单独所有", "业务号：202603020001"),
            case_id=recorded.id,
            paper_serial="NX2026000001",
        )

        # An open transfer on the other flat: 陈静 sells to 赵敏 and brings no paper certificate.
        open_case = Case(
            case_number="202603030001",
            business_type="transfer",
            registration_type=200,
            right_type=4,
            unit_id=other.id,
            status=CaseStatus.ACCEPTED,
            accepted_at=RECORDED_AT,
            accepted_by=clerk.id,
            time_limit_days=3,
            due_date=dt.date(2026, 3, 6),
            form={},
        )
        open_case.parties.append(CaseParty(party=stranger, role=PartyRole.OBLIGOR, position=0))
        open_case.parties.append(CaseParty(party=buyer, role=PartyRole.RIGHT_HOLDER, position=1))
        for position, (code, name, status) in enumerate(
            [
                ("application", "不动产登记申请书", "paper"),
                ("identity", "申请人身份证明", "paper"),
                ("title_certificate", "不动产权证书", "missing"),
                ("sale_contract", "存量房买卖合同", "missing"),
            ]
        ):
            open_case.materials.append(
                CaseMaterial(
                    code=code,
                    name=name,
                    required=True,
                    status=status,
                    position=position,
                    received_at=RECORDED_AT if status != "missing" else None,
                )
            )
        s.add(open_case)
        uow.commit()
        return TinyRegister(
            flat=flat.unit_number,
            other_flat=other.unit_number,
            couple_certificate=couple_cert.number,
            mortgage_proof=proof.number,
            other_certificate=other_cert.number,
            buyer_certificate=buyer_cert.number,
            open_case=open_case.case_number,
            recorded_case=recorded.case_number,
        )


def settings_for(data_dir: Path, db: Database) -> Settings:
    return Settings(data_dir=data_dir, database_url=db.url)


def organisations_json() -> dict:
    from registry_desk.resources_path import seed

    return json.loads(seed("organisations.json").read_text("utf-8"))
