"""Fills a database with a large synthetic register (up to millions of units) for benchmarks.

Not a business operation: it writes with Core bulk inserts in batches, one commit per batch, and one
audit event at the end. Every unit number, resident ID and certificate number is still valid and unique,
and the data can sit beside the demo register: synthetic units use 地籍区 900 and resident IDs use
sequence codes 500-999 (the demo uses 001-499); certificate numbers continue the `sequences` counters.

    python -m registry_desk.demo.synthetic --units 100000 --database-url sqlite:////tmp/big.sqlite3
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from registry_desk.demo.register_guard import require_demo_register
from registry_desk.domain.certificates import format_certificate_number
from registry_desk.domain.codes import (
    CertificateKind,
    CertificateStatus,
    CoOwnership,
    IdType,
    MortgageMode,
    PartyKind,
    PartyRole,
    RightStatus,
    RightType,
)
from registry_desk.domain.errors import ConflictError, ValidationError
from registry_desk.domain.identifiers import resident_id_check_char
from registry_desk.domain.money import Money
from registry_desk.resources_path import seed as seed_file
from registry_desk.kernel import audit
from registry_desk.kernel.context import SYSTEM
from registry_desk.demo.demo_data import certificate_sequence_name
from registry_desk.storage.database import Database
from registry_desk.storage.demo import seeding
from registry_desk.storage.session import Session
from registry_desk.storage.tables import Party

Progress = Callable[[int, int], None]  # (units written so far, units asked for)

AUDIT_ACTION = "synthetic.generate"
CADASTRAL_DISTRICT = "900"  # kept apart from the demo register's 001-002
UNITS_PER_PARCEL = 200  # 5 buildings × 10 floors × 4 flats
FLATS_PER_FLOOR, FLOORS = 4, 10
MORTGAGE_SHARE = 0.05
UNITS_PER_PARTY = 1.5
COUNTIES = (("640502", "沙坡头区"), ("640521", "中宁县"), ("640522", "海原县"))
STREETS = ("迎宾大道", "黄河路", "枸杞大道", "新华路", "康乐路", "民生路", "团结路", "兴业街")
SURNAMES = "马王李张杨刘田丁陈赵周吴徐孙朱高何郭韩苏白海罗梁宋郑谢冯于董曹袁邓许沈彭吕蒋贾魏薛叶余潘杜"
MALE = "建国军伟强磊勇杰涛明斌超鹏辉刚华平林峰亮飞东文海宁兵福成志俊晓宇浩鑫博学春德永忠彦荣贵新旭龙正生"
FEMALE = "芳娟敏静丽燕霞红艳玲萍梅兰英秀华慧婷洁琳雪凤莉倩颖欣悦佳雅蓉月琴丹晶瑶娜"
GUARANTEE_SCOPE = "主债权、利息、违约金、损害赔偿金和实现抵押权的费用"

_BIRTH_FIRST = date(1950, 1, 1)
_BIRTH_DAYS = (date(1999, 12, 31) - _BIRTH_FIRST).days + 1
_ID_SPACE = len(COUNTIES) * _BIRTH_DAYS * 500
# Party i gets ID slot (i × _ID_STRIDE) mod _ID_SPACE: a bijection (the stride is prime and does not divide
# the space), so IDs are unique without a lookup yet spread over counties and birth dates.
_ID_STRIDE = 1_000_003
_UTC = UTC
_LAND_START = date(2008, 7, 1)


def generate(
    db: Database, units: int, *, seed: int = 1, progress: Progress | None = None, batch_size: int = 10_000
) -> None:
    """Writes `units` synthetic units, each with a current ownership right and its certificate.

    About one party per 1.5 units (so many own two), some joint and some by-shares owners, and ~5 % of
    units mortgaged to the demo banks. Refuses a database that already holds synthetic units.
    """
    if units < 1 or units > _ID_SPACE // 2:
        raise ValidationError(f"合成单元数量 {units} 超出 1–{_ID_SPACE // 2} 的范围", rule="合成数据规模")
    require_demo_register(db, "写入合成（模拟）单元")
    generator = _Generator(units, seed, batch_size)
    with db.unit_of_work() as uow:
        generator.prepare(uow.session)
        uow.commit()
    done = 0
    while done < units:
        count = min(batch_size, units - done)
        with db.unit_of_work() as uow:
            generator.write_batch(uow.session, done, count)
            uow.commit()
        done += count
        if progress is not None:
            progress(done, units)
    with db.unit_of_work() as uow:
        generator.finish(uow.session, is_sqlite=db.is_sqlite)
        uow.commit()


class _Generator:
    def __init__(self, units: int, seed: int, batch_size: int) -> None:
        self.units = units
        self.seed = seed
        self.batch_size = batch_size
        self.rng = random.Random(seed)
        self.party_total = max(2, math.ceil(units / UNITS_PER_PARTY))
        self.parties_written = 0
        self.next_id: dict[str, int] = {}
        self.last_seq: dict[str, int] = {}
        self.banks: list[tuple[int, str]] = []
        self.counts = {
            "parties": 0,
            "units": 0,
            "rights": 0,
            "right_parties": 0,
            "certificates": 0,
            "mortgages": 0,
        }

    # -- set-up and wrap-up -----------------------------------------------------------------------------

    def prepare(self, session: Session) -> None:
        existing = seeding.units_numbered_like(session, f"______{CADASTRAL_DISTRICT}%")
        if existing:
            raise ConflictError(
                f"数据库中已有{existing}个合成不动产单元（地籍区{CADASTRAL_DISTRICT}），不能再次生成",
                rule="合成数据只生成一次",
                record=f"地籍区{CADASTRAL_DISTRICT}",
            )
        self.banks = self._bank_parties(session)
        for name in ("parties", "units", "rights", "right_parties", "certificates"):
            self.next_id[name] = seeding.next_id(session, name)
        self.last_seq.update(seeding.certificate_counter_values(session))
        # Numbers already issued but not in sequences (a register loaded by hand) must not be reused either.
        for kind, year, seq in seeding.highest_certificate_seqs(session):
            name = certificate_sequence_name(kind, year)
            self.last_seq[name] = max(self.last_seq.get(name, 0), int(seq))

    def _bank_parties(self, session: Session) -> list[tuple[int, str]]:
        """The demo banks of organisations.json, reused when present, so mortgages have a real holder."""
        organisations = json.loads(seed_file("organisations.json").read_text(encoding="utf-8"))
        banks = []
        for bank in organisations["banks"]:
            party_id = seeding.organisation_party_id(session, bank["uscc"])
            if party_id is None:
                party = Party(
                    kind=PartyKind.LEGAL,
                    name=bank["name"],
                    id_type=IdType.USCC,
                    id_number=bank["uscc"],
                    address=bank["address"],
                    phone=bank["phone"],
                    legal_rep_name=bank["legal_rep"],
                    created_at=datetime(2015, 3, 2, 1, 0, tzinfo=_UTC),
                )
                session.add(party)
                session.flush()
                party_id = party.id
            banks.append((party_id, bank["name"]))
        return banks

    def finish(self, session: Session, *, is_sqlite: bool) -> None:
        seeding.raise_certificate_counters(session, self.last_seq)
        if not is_sqlite:
            seeding.move_serials_past_ids(session)
        audit.append(
            session,
            SYSTEM,
            AUDIT_ACTION,
            record=f"合成登记簿 {self.units} 个单元",
            after={**self.counts, "seed": self.seed},
        )

    # -- one batch ----------------------------------------------------------------------------------------

    def write_batch(self, session: Session, first: int, count: int) -> None:
        rng = self.rng
        unit_rows: list[dict[str, Any]] = []
        right_rows: list[dict[str, Any]] = []
        mortgage_rows: list[dict[str, Any]] = []  # apart: one executemany needs one set of columns
        link_rows: list[dict[str, Any]] = []
        certificate_rows: list[dict[str, Any]] = []
        need_parties = self.parties_written
        for j in range(first, first + count):
            unit = self._unit_row(j)
            unit_rows.append(unit)
            owners = self._owners(j)
            for index, _ in owners:
                if index >= need_parties:
                    need_parties = index + 1
            registered = self._moment(date(2015, 3, 2), date(2025, 12, 19))
            if len(owners) == 1:
                co = CoOwnership.SOLE
            else:
                co = CoOwnership.JOINT if owners[0][1] is None else CoOwnership.BY_SHARES
            right_id = self._take("rights")
            building_area = unit["building_area"]
            right_rows.append(
                {
                    "id": right_id,
                    "unit_id": unit["id"],
                    "right_type": RightType.OWNERSHIP,
                    "status": RightStatus.CURRENT,
                    "registered_at": registered,
                    "co_ownership": co,
                    "price": Money.of_fen(int(building_area * rng.randrange(3600, 6800)) * 100),
                    "right_nature": "出让/商品房",
                    "version": 1,
                }
            )
            for position, (index, share) in enumerate(owners):
                link_rows.append(
                    self._link(right_id, self._party_id(index), PartyRole.RIGHT_HOLDER, position, share)
                )
            certificate_rows.append(
                self._certificate(
                    unit, right_id, CertificateKind.RIGHT_CERTIFICATE, registered,
                    self._party_id(owners[0][0]), self._ownership_fields(unit, owners, co),
                )
            )  # fmt: skip
            if rng.random() < MORTGAGE_SHARE:
                self._mortgage(unit, owners, registered, mortgage_rows, link_rows, certificate_rows)
        if need_parties > self.parties_written:
            self._write_parties(session, need_parties)
        if first + count >= self.units and self.parties_written < self.party_total:
            self._write_parties(session, self.party_total)
        seeding.insert_rows(session, "units", unit_rows)
        seeding.insert_rows(session, "rights", right_rows)
        if mortgage_rows:
            seeding.insert_rows(session, "rights", mortgage_rows)
        seeding.insert_rows(session, "right_parties", link_rows)
        seeding.insert_rows(session, "certificates", certificate_rows)
        self.counts["units"] += len(unit_rows)
        self.counts["rights"] += len(right_rows) + len(mortgage_rows)
        self.counts["right_parties"] += len(link_rows)
        self.counts["certificates"] += len(certificate_rows)

    def _take(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] = value + 1
        return value

    def _moment(self, start: date, end: date) -> datetime:
        day = start + timedelta(days=self.rng.randrange((end - start).days + 1))
        # Office hours in Beijing, stored as UTC (01:00-09:30).
        return datetime(day.year, day.month, day.day, tzinfo=_UTC) + timedelta(
            minutes=self.rng.randrange(60, 570)
        )

    def _owners(self, j: int) -> list[tuple[int, Fraction | None]]:
        # Unit j's main owner walks through the parties 1.5 units at a time, so about half of them own
        # two units; a co-owner is a party a little further on (who may own a unit of their own too).
        primary = min(self.party_total - 1, j * self.party_total // self.units)
        roll = self.rng.random()
        if roll < 0.65:
            return [(primary, None)]
        partner = (primary + 1 + self.rng.randrange(50)) % self.party_total
        if partner == primary:
            return [(primary, None)]
        if roll < 0.9:
            return [(primary, None), (partner, None)]
        first, second = (Fraction(1, 2), Fraction(1, 2)) if roll < 0.95 else (Fraction(2, 3), Fraction(1, 3))
        return [(primary, first), (partner, second)]

    def _party_id(self, index: int) -> int:
        return self.party_base + index

    @property
    def party_base(self) -> int:
        return self.next_id["parties"]

    def _unit_row(self, j: int) -> dict[str, Any]:
        rng = self.rng
        parcel, k = divmod(j, UNITS_PER_PARCEL)
        county, county_name = COUNTIES[parcel % len(COUNTIES)]
        q = parcel // len(COUNTIES)
        subdistrict, parcel_seq = q // 99_999 + 1, q % 99_999 + 1
        building, household = divmod(k, FLATS_PER_FLOOR * FLOORS)
        building += 1
        floor, position = divmod(household, FLATS_PER_FLOOR)
        floor, position, household = floor + 1, position + 1, household + 1
        number = (
            f"{county}{CADASTRAL_DISTRICT}{subdistrict:03d}GB{parcel_seq:05d}F{building:04d}{household:04d}"
        )
        exclusive = rng.randrange(6000, 14000)  # hundredths of a square metre
        shared = exclusive * 15 // 100
        street = STREETS[parcel % len(STREETS)]
        land_start = _LAND_START + timedelta(days=parcel % 3000)
        return {
            "id": self._take("units"),
            "unit_number": number,
            "parcel_code": number[:19],
            "county_code": county,
            "location": f"中卫市{county_name}{street}{parcel % 997 + 1}号合成{parcel + 1}号小区{building}号楼"
            f"{floor}{position:02d}室",
            "planned_use": "住宅",
            "is_residential": True,
            "house_nature": "商品房",
            "structure": "钢筋混凝土结构",
            "floor": str(floor),
            "total_floors": FLOORS,
            "building_area": Decimal(exclusive + shared).scaleb(-2),
            "exclusive_area": Decimal(exclusive).scaleb(-2),
            "shared_area": Decimal(shared).scaleb(-2),
            "land_area_shared": Decimal((exclusive + shared) * 40 // 100).scaleb(-2),
            "land_right_nature": "出让",
            "land_use": "城镇住宅用地",
            "land_term_start": land_start,
            "land_term_end": _years_later(land_start, 70) - timedelta(days=1),
            "completion_date": land_start + timedelta(days=900),
            "building_no": str(building),
            "room_no": f"{floor}{position:02d}",
            "version": 1,
        }

    def _link(
        self, right_id: int, party_id: int, role: PartyRole, position: int, share: Fraction | None = None
    ) -> dict[str, Any]:
        return {
            "id": self._take("right_parties"),
            "right_id": right_id,
            "party_id": party_id,
            "role": role,
            "share": share,
            "position": position,
        }

    def _certificate(self, unit: dict[str, Any], right_id: int, kind: CertificateKind, issued: datetime,
                     holder: int, fields: dict[str, str]) -> dict[str, Any]:  # fmt: skip
        year = issued.year
        name = certificate_sequence_name(kind, year)
        seq = self.last_seq.get(name, 0) + 1
        self.last_seq[name] = seq
        return {
            "id": self._take("certificates"),
            "number": format_certificate_number(kind, year, seq),
            "kind": kind,
            "year": year,
            "seq": seq,
            "status": CertificateStatus.CURRENT,
            "unit_id": unit["id"],
            "right_id": right_id,
            "holder_party_id": holder,
            "issued_at": issued,
            "fields": fields,
        }

    def _ownership_fields(self, unit: dict[str, Any], owners: list[tuple[int, Fraction | None]],
                          co: CoOwnership) -> dict[str, str]:  # fmt: skip
        names = "、".join(self._name(index) for index, _ in owners)
        sharing = co.label
        if co is CoOwnership.BY_SHARES:
            sharing += "：" + "，".join(f"{self._name(i)}占{s}" for i, s in owners)
        start, end = unit["land_term_start"], unit["land_term_end"]
        return {
            "权利人": names,
            "共有情况": sharing,
            "坐落": unit["location"],
            "不动产单元号": unit["unit_number"],
            "权利类型": RightType.OWNERSHIP.label,
            "权利性质": "出让/商品房",
            "用途": "城镇住宅用地/住宅",
            "面积": f"共用宗地面积{UNITS_PER_PARCEL * 40}.00㎡/房屋建筑面积{unit['building_area']}㎡",
            "使用期限": f"{start.year}年{start.month:02d}月{start.day:02d}日起{end.year}年{end.month:02d}月{end.day:02d}日止",
            "权利其他状况": (
                f"房屋结构:{unit['structure']} 专有建筑面积:{unit['exclusive_area']}㎡，"
                f"分摊建筑面积:{unit['shared_area']}㎡ 房屋总层数:{FLOORS}层，所在层数:第{unit['floor']}层"
            ),
            "附记": "",
        }

    def _mortgage(self, unit: dict[str, Any], owners: list[tuple[int, Fraction | None]], owned: datetime,
                  right_rows: list[dict[str, Any]], link_rows: list[dict[str, Any]],
                  certificate_rows: list[dict[str, Any]]) -> None:  # fmt: skip
        rng = self.rng
        bank_id, bank_name = self.banks[unit["id"] % len(self.banks)]
        registered = owned + timedelta(days=rng.randrange(0, 120))
        if registered.year > 2025:
            registered = owned
        start = registered.date()
        amount = Money.of_fen(rng.randrange(100, 800) * 100_000)
        end = start.replace(year=start.year + 20, day=min(start.day, 28)) - timedelta(days=1)
        right_id = self._take("rights")
        right_rows.append(
            {
                "id": right_id,
                "unit_id": unit["id"],
                "right_type": RightType.MORTGAGE,
                "status": RightStatus.CURRENT,
                "registered_at": registered,
                "mortgage_mode": MortgageMode.GENERAL,
                "secured_amount": amount,
                "debt_start": start,
                "debt_end": end,
                "guarantee_scope": GUARANTEE_SCOPE,
                "rank": 1,
                "no_transfer": False,
                "mortgaged_area": unit["building_area"],
                "version": 1,
            }
        )
        link_rows.append(self._link(right_id, bank_id, PartyRole.RIGHT_HOLDER, 0))
        for position, (index, _) in enumerate(owners, start=1):
            link_rows.append(self._link(right_id, self._party_id(index), PartyRole.OBLIGOR, position))
            link_rows.append(
                self._link(right_id, self._party_id(index), PartyRole.DEBTOR, position + len(owners))
            )
        obligors = "、".join(self._name(index) for index, _ in owners)
        fields = {
            "证明权利或事项": RightType.MORTGAGE.label,
            "权利人(申请人)": bank_name,
            "义务人": obligors,
            "坐落": unit["location"],
            "不动产单元号": unit["unit_number"],
            "其他": f"抵押方式：一般抵押 被担保主债权数额：{amount.amount / 10000:.2f}万元 "
            f"债务履行期限：{start:%Y年%m月%d日}起{end:%Y年%m月%d日}止",
            "附记": "抵押顺位：第1顺位",
        }
        certificate_rows.append(
            self._certificate(unit, right_id, CertificateKind.REGISTRATION_PROOF, registered, bank_id, fields)
        )
        self.counts["mortgages"] += 1

    # -- parties ------------------------------------------------------------------------------------------

    def _id_slot(self, index: int) -> tuple[int, int, int]:
        """(county index, days after 1950-01-01, 顺序码 500-999) of party `index`'s resident ID."""
        slot = (index * _ID_STRIDE + self.seed) % _ID_SPACE
        county_index, rest = slot % len(COUNTIES), slot // len(COUNTIES)
        return county_index, rest % _BIRTH_DAYS, 500 + rest // _BIRTH_DAYS

    def _resident_id(self, index: int) -> str:
        county_index, day, sequence = self._id_slot(index)
        body = f"{COUNTIES[county_index][0]}{_BIRTH_FIRST + timedelta(days=day):%Y%m%d}{sequence:03d}"
        return body + resident_id_check_char(body)

    def _name(self, index: int) -> str:
        # Derived from the index, not the shared random stream, so a certificate can print an owner's
        # name before that owner's row is written; the 顺序码's parity gives the gender (GB 11643 §5.4).
        mix = (index * 2_654_435_761 + self.seed * 97) & 0xFFFFFFFF
        pool = MALE if self._id_slot(index)[2] % 2 == 1 else FEMALE
        given = pool[mix % len(pool)]
        if mix % 10 < 7:
            given += pool[(mix // 7) % len(pool)]
        return SURNAMES[(mix // 131) % len(SURNAMES)] + given

    def _write_parties(self, session: Session, upto: int) -> None:
        rows = []
        for index in range(self.parties_written, upto):
            county_name = COUNTIES[index % len(COUNTIES)][1]
            rows.append(
                {
                    "id": self._party_id(index),
                    "kind": PartyKind.NATURAL,
                    "name": self._name(index),
                    "id_type": IdType.RESIDENT_ID,
                    "id_number": self._resident_id(index),
                    "address": f"中卫市{county_name}{STREETS[index % len(STREETS)]}{index % 997 + 1}号",
                    "phone": f"1{index % 9 + 30}{index % 100_000_000:08d}",
                    "created_at": datetime(2015, 3, 2, 1, 0, tzinfo=_UTC),
                }
            )
        if rows:
            seeding.insert_rows(session, "parties", rows)
        self.counts["parties"] += len(rows)
        self.parties_written = upto


def _print_progress(started: float) -> Progress:
    def report(done: int, total: int) -> None:
        elapsed = time.perf_counter() - started
        print(f"已生成 {done}/{total} 个单元，用时 {elapsed:.1f} 秒", flush=True)

    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成合成登记簿（基准测试用）")
    parser.add_argument("--units", type=int, default=100_000, help="单元数量")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=10_000)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args(argv)
    from registry_desk.storage.migrate import upgrade

    db = Database(args.database_url)
    try:
        upgrade(db.engine)
        started = time.perf_counter()
        generate(
            db, args.units, seed=args.seed, progress=_print_progress(started), batch_size=args.batch_size
        )
        print(f"完成：{args.units} 个单元，共 {time.perf_counter() - started:.1f} 秒")
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def _years_later(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February falls back to the 28th in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
