"""The register's tables (登记簿, cases, certificates, audit, users) as SQLAlchemy 2 typed mappings.

The schema is made only by Alembic migrations (storage/migrations); these mappings describe it.
Money is integer fen (FenType), areas integer hundredths of a square metre (AreaType).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from registry_desk.domain.codes import (
    AdvanceNoticeKind,
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
from registry_desk.domain.money import Money
from registry_desk.storage.types import AreaType, CodeType, FenType, ShareType, UtcDateTime

# Named constraints from day one: Alembic's batch mode on SQLite drops unnamed ones.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        dict[str, Any]: JSON,
        Money: FenType,
        Decimal: AreaType,
        Fraction: ShareType,
    }


def _tz() -> UtcDateTime:
    return UtcDateTime()


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(CodeType(Role))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    window: Mapped[str | None] = mapped_column(String(32))  # 窗口号, printed on receipts
    created_at: Mapped[datetime] = mapped_column(_tz())


class Party(Base):
    """A natural or legal person known to the register (申请人, 权利人, 义务人, bank, developer)."""

    __tablename__ = "parties"
    __table_args__ = (UniqueConstraint("id_type", "id_number"), Index("ix_parties_name", "name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PartyKind] = mapped_column(CodeType(PartyKind))
    name: Mapped[str] = mapped_column(String(128))
    id_type: Mapped[IdType] = mapped_column(CodeType(IdType))
    id_number: Mapped[str] = mapped_column(String(32), index=True)
    address: Mapped[str | None] = mapped_column(String(256))
    phone: Mapped[str | None] = mapped_column(String(32))
    legal_rep_name: Mapped[str | None] = mapped_column(String(64))  # 法定代表人
    legal_rep_id_number: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(_tz())


class Unit(Base):
    """A property unit (不动产单元) with its physical and land data (房地产权 fields of REFERENCE §3)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_number: Mapped[str] = mapped_column(String(28), unique=True)
    parcel_code: Mapped[str] = mapped_column(String(19), index=True)  # 宗地代码
    county_code: Mapped[str] = mapped_column(String(6))
    location: Mapped[str] = mapped_column(String(256), index=True)  # 坐落
    planned_use: Mapped[str] = mapped_column(String(32))  # 规划用途: 住宅, 商业, 车库 ...
    is_residential: Mapped[bool] = mapped_column(Boolean, default=True)
    house_nature: Mapped[str | None] = mapped_column(String(32))  # 房屋性质: 商品房, 房改房 ...
    structure: Mapped[str | None] = mapped_column(String(32))  # 房屋结构
    floor: Mapped[str | None] = mapped_column(String(16))  # 所在层
    total_floors: Mapped[int | None] = mapped_column(Integer)
    building_area: Mapped[Decimal] = mapped_column(AreaType)  # 建筑面积
    exclusive_area: Mapped[Decimal | None] = mapped_column(AreaType)  # 专有(套内)建筑面积
    shared_area: Mapped[Decimal | None] = mapped_column(AreaType)  # 分摊建筑面积
    land_area_exclusive: Mapped[Decimal | None] = mapped_column(AreaType)  # 独用土地面积
    land_area_shared: Mapped[Decimal | None] = mapped_column(AreaType)  # 分摊(共用宗地)土地面积
    land_right_nature: Mapped[str | None] = mapped_column(String(16))  # 出让 / 划拨
    land_use: Mapped[str | None] = mapped_column(String(32))  # 土地用途: 城镇住宅用地 ...
    land_term_start: Mapped[date | None] = mapped_column(Date)
    land_term_end: Mapped[date | None] = mapped_column(Date)
    completion_date: Mapped[date | None] = mapped_column(Date)  # 竣工时间
    building_no: Mapped[str | None] = mapped_column(String(16))  # 幢号
    room_no: Mapped[str | None] = mapped_column(String(16))  # 房间号
    version: Mapped[int] = mapped_column(Integer, default=1)

    rights: Mapped[list[Right]] = relationship(back_populates="unit", foreign_keys="Right.unit_id")


class Right(Base):
    """A right or restriction on a unit (房地产权, 抵押权, 预告登记, 查封 …) with its history.

    One row per right; type-specific columns are null where they do not apply. A right is never
    deleted: ending it sets status historical, ended_at and the case that ended it.
    """

    __tablename__ = "rights"
    __table_args__ = (Index("ix_rights_unit_status", "unit_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    right_type: Mapped[RightType] = mapped_column(CodeType(RightType))
    status: Mapped[RightStatus] = mapped_column(CodeType(RightStatus))
    created_by_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    ended_by_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    registered_at: Mapped[datetime] = mapped_column(_tz())
    ended_at: Mapped[datetime | None] = mapped_column(_tz())
    end_reason: Mapped[str | None] = mapped_column(String(128))
    co_ownership: Mapped[CoOwnership | None] = mapped_column(CodeType(CoOwnership))
    # ownership (房地产权)
    price: Mapped[Money | None] = mapped_column(FenType)  # 交易价格
    right_nature: Mapped[str | None] = mapped_column(String(32))  # 权利性质: 出让/商品房
    # mortgage (抵押权) and mortgage notices
    mortgage_mode: Mapped[MortgageMode | None] = mapped_column(CodeType(MortgageMode))
    secured_amount: Mapped[Money | None] = mapped_column(FenType)  # 被担保主债权数额 / 最高债权额
    debt_start: Mapped[date | None] = mapped_column(Date)  # 债务履行起始时间
    debt_end: Mapped[date | None] = mapped_column(Date)
    guarantee_scope: Mapped[str | None] = mapped_column(String(256))  # 担保范围
    rank: Mapped[int | None] = mapped_column(Integer)  # 抵押顺位
    no_transfer: Mapped[bool | None] = mapped_column(Boolean)  # 禁止转让
    mortgaged_area: Mapped[Decimal | None] = mapped_column(AreaType)
    assessed_value: Mapped[Money | None] = mapped_column(FenType)
    # advance notice (预告登记)
    notice_kind: Mapped[AdvanceNoticeKind | None] = mapped_column(CodeType(AdvanceNoticeKind))
    # seizure (查封)
    court: Mapped[str | None] = mapped_column(String(128))
    court_document_no: Mapped[str | None] = mapped_column(String(128))
    seizure_start: Mapped[date | None] = mapped_column(Date)
    seizure_end: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)  # 附记
    # 预告登记 lapses 90 days after the final registration became possible (民法典 §221)
    notice_registrable_on: Mapped[date | None] = mapped_column(Date)
    notice_lapses_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    unit: Mapped[Unit] = relationship(back_populates="rights", foreign_keys=[unit_id])
    parties: Mapped[list[RightParty]] = relationship(
        back_populates="right", order_by="RightParty.position", cascade="all, delete-orphan"
    )
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="right", foreign_keys="Certificate.right_id"
    )


class RightParty(Base):
    """Who holds (权利人) or bears (义务人, 债务人) a right, with the co-ownership share."""

    __tablename__ = "right_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    right_id: Mapped[int] = mapped_column(ForeignKey("rights.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    role: Mapped[PartyRole] = mapped_column(CodeType(PartyRole))
    share: Mapped[Fraction | None] = mapped_column(ShareType)
    position: Mapped[int] = mapped_column(Integer, default=0)

    right: Mapped[Right] = relationship(back_populates="parties")
    party: Mapped[Party] = relationship()


class Case(Base):
    """A registration case (业务件) from acceptance to issue."""

    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_unit_status", "unit_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(32), unique=True)
    business_type: Mapped[str] = mapped_column(String(32))  # key into resources/policy/business_types
    registration_type: Mapped[int] = mapped_column(Integer)  # 登记类型 code
    right_type: Mapped[int] = mapped_column(Integer)  # 权利类型 code
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    status: Mapped[CaseStatus] = mapped_column(CodeType(CaseStatus), index=True)
    accepted_at: Mapped[datetime] = mapped_column(_tz(), index=True)
    accepted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    time_limit_days: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime | None] = mapped_column(_tz())
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None] = mapped_column(_tz(), index=True)
    closed_reason: Mapped[str | None] = mapped_column(Text)  # 驳回 / 撤回 / 不予受理 reason
    form: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # type-specific fields
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # charged cases wait in 待缴费 before review; free ones (注销, 预告) go straight to 审核
    payment_required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    unit: Mapped[Unit] = relationship()
    parties: Mapped[list[CaseParty]] = relationship(
        back_populates="case", order_by="CaseParty.position", cascade="all, delete-orphan"
    )
    materials: Mapped[list[CaseMaterial]] = relationship(
        back_populates="case", order_by="CaseMaterial.position", cascade="all, delete-orphan"
    )


class CaseParty(Base):
    __tablename__ = "case_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    role: Mapped[PartyRole] = mapped_column(CodeType(PartyRole))
    share: Mapped[Fraction | None] = mapped_column(ShareType)
    co_ownership: Mapped[CoOwnership | None] = mapped_column(CodeType(CoOwnership))
    wants_own_certificate: Mapped[bool] = mapped_column(Boolean, default=False)  # 申请分别持证
    agent_party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    case: Mapped[Case] = relationship(back_populates="parties")
    party: Mapped[Party] = relationship(foreign_keys=[party_id])


class CaseMaterial(Base):
    """A required or supplied material (申请材料) and how it was satisfied."""

    __tablename__ = "case_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(128))
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    # missing / paper / ecert (电子证照 已核验) / sealed (电子签章 已核验)
    status: Mapped[str] = mapped_column(String(16), default="missing")
    ecert_id: Mapped[str | None] = mapped_column(String(96))
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    received_at: Mapped[datetime | None] = mapped_column(_tz())
    note: Mapped[str | None] = mapped_column(String(256))
    position: Mapped[int] = mapped_column(Integer, default=0)

    case: Mapped[Case] = relationship(back_populates="materials")


class Attachment(Base):
    """A file attached to a case (sealed contract, issued PDF, e-receipt); kept in the database so
    every window of a hall sees it."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    filename: Mapped[str] = mapped_column(String(128))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(_tz())


class Certificate(Base):
    """An issued 不动产权证书 or 不动产登记证明. Numbers are unique per kind and year and never reused."""

    __tablename__ = "certificates"
    __table_args__ = (UniqueConstraint("kind", "year", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[CertificateKind] = mapped_column(CodeType(CertificateKind))
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    status: Mapped[CertificateStatus] = mapped_column(CodeType(CertificateStatus))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    right_id: Mapped[int] = mapped_column(ForeignKey("rights.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    holder_party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"))  # 持证人
    issued_at: Mapped[datetime] = mapped_column(_tz())
    cancelled_at: Mapped[datetime | None] = mapped_column(_tz())
    cancelled_by_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    paper_serial: Mapped[str | None] = mapped_column(String(32))  # 权证印刷序列号
    ecert_id: Mapped[str | None] = mapped_column(String(96))  # 电子证照标识
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # printed fields as issued
    qr_payload: Mapped[str | None] = mapped_column(Text)
    prepared_by: Mapped[str | None] = mapped_column(String(64))  # 缮证人
    prepared_at: Mapped[datetime | None] = mapped_column(_tz())
    handed_over_by: Mapped[str | None] = mapped_column(String(64))  # 发证人
    handed_over_at: Mapped[datetime | None] = mapped_column(_tz())
    receiver_name: Mapped[str | None] = mapped_column(String(64))  # 领证人

    right: Mapped[Right] = relationship(back_populates="certificates", foreign_keys=[right_id])
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_id])


class Sequence(Base):
    """Named counters (certificate numbers per kind and year, case numbers per day), advanced under a
    row lock inside the transaction that uses the number, so a rolled-back case leaves no gap."""

    __tablename__ = "sequences"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)


class AuditEvent(Base):
    """Append-only audit trail; each row's hash covers its content and the previous row's hash."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[datetime] = mapped_column(_tz())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[int | None] = mapped_column(Integer, index=True)
    unit_id: Mapped[int | None] = mapped_column(Integer, index=True)
    record: Mapped[str | None] = mapped_column(String(128))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's last sequence number and hash, one row, locked by every writer of the trail; from which
    event on the chain is keyed, and the fingerprint of the key."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    # The first event hashed with the chain key (HMAC); older events of an upgraded register are plain SHA-256.
    keyed_from: Mapped[int | None] = mapped_column(BigInteger)
    key_id: Mapped[str | None] = mapped_column(String(32))  # fingerprint of that key (domain/audit.key_id)


class CalendarOverride(Base):
    """Admin-editable working-day overrides (节假日维护): win over the published schedule."""

    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(128))
    set_by: Mapped[str] = mapped_column(String(64))
    set_at: Mapped[datetime] = mapped_column(_tz())


class CalendarConfirmedYear(Base):
    """Years an administrator has confirmed (entered the whole schedule) beyond the shipped data."""

    __tablename__ = "calendar_confirmed_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    confirmed_by: Mapped[str] = mapped_column(String(64))
    confirmed_at: Mapped[datetime] = mapped_column(_tz())
    note: Mapped[str | None] = mapped_column(String(128))
