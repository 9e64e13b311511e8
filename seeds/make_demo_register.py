"""Writes seeds/demo_register.json, the fictitious Zhongwei register a demo database is loaded with.

Run `python seeds/make_demo_register.py` after changing this file (`--check` only compares). The output
is deterministic: the same script always writes the same bytes, and a test holds the file to that.

Everything here is invented: people, communities, prices, loans and court files. Only the shapes are
real: county codes (GB/T 2260), the 不动产单元号 layout (GB/T 37346-2019), resident ID and USCC check
characters, certificate numbers and printed fields as REFERENCE.md §4-5 describes them. Resident IDs use
sequence codes 001-499 only; the synthetic benchmark register uses 500-999, so the two never collide.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from registry_desk.domain.certificates import format_certificate_number
from registry_desk.domain.codes import (
    AdvanceNoticeKind,
    CertificateKind,
    CoOwnership,
    MortgageMode,
    RightType,
)
from registry_desk.domain.identifiers import (
    ECERT_TYPE_REGISTRATION_PROOF,
    ECERT_TYPE_RIGHT_CERTIFICATE,
    format_unit_number,
    make_ecert_id,
    resident_id_check_char,
    uscc_check_char,
)

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "demo_register.json"
ORGANISATIONS = HERE / "organisations.json"

SEED = 20260302
AS_OF = date(2026, 3, 2)  # the register's state "today" in the demo
BEIJING = timezone(timedelta(hours=8))
CENT = Decimal("0.01")
COUNTY_NAMES = {"640502": "沙坡头区", "640521": "中宁县", "640522": "海原县"}
# 民法典 §359 renews housing land automatically; the grant itself runs 70 years for housing and 40 for
# commerce (城镇国有土地使用权出让和转让暂行条例 §12).
LAND_YEARS = {"城镇住宅用地": 70, "商服用地": 40}
GUARANTEE_SCOPE = "主债权、利息、违约金、损害赔偿金和实现抵押权的费用"
# 最高人民法院关于人民法院民事执行中查封、扣押、冻结财产的规定 §27 (2020): real property at most three years.
SEIZURE_YEARS = 3

# Surnames weighted towards Ningxia, where 马, 杨, 丁, 海, 冶, 拓, 虎, 纳, 锁 are common among Hui families.
SURNAMES = (
    "马" * 9 + "王" * 7 + "李" * 7 + "张" * 6 + "杨" * 5 + "刘" * 5 + "田" * 3 + "丁" * 3 + "陈" * 3 + "赵" * 3
    + "周吴徐孙朱高何郭韩苏白海" * 2
    + "罗梁宋郑谢冯于董曹袁邓许沈彭吕蒋贾魏薛叶余潘杜夏汪任姜范方石姚金陆郝冶拓虎纳锁雍黑哈"
)  # fmt: skip
MALE_GIVEN = (
    "建国军伟强磊勇杰涛明斌超鹏辉刚华平林峰亮飞东文海宁兵福成志俊晓宇浩鑫博学春德永忠彦荣贵新旭龙正生"
)
FEMALE_GIVEN = "芳娟敏静丽燕霞红艳玲萍梅兰英秀华慧婷洁琳雪凤莉倩颖欣悦佳雅蓉月琴丹晶瑶娜"
# Characters outside GB2312 that real names use and printing must not drop (TECH-NOTES: fonts).
RARE_NAMES = [("王镕", "男"), ("马堃", "男"), ("张思喆", "男"), ("杨昇", "男"),
              ("刘玥", "女"), ("丁珺", "女"), ("海玥婷", "女"), ("李珺瑶", "女")]  # fmt: skip
MOBILE_PREFIXES = ("139", "138", "137", "158", "159", "188", "180", "199", "177", "133", "151", "136")

SHARE_SPLITS = [
    (Fraction(1, 2), Fraction(1, 2)),
    (Fraction(2, 3), Fraction(1, 3)),
    (Fraction(3, 5), Fraction(2, 5)),
    (Fraction(1, 4), Fraction(3, 4)),
    (Fraction(1, 3), Fraction(1, 3), Fraction(1, 3)),
]

COURTS = {  # county → (court, code in case numbers, e.g. (2026)宁0502执123号)
    "640502": ("中卫市沙坡头区人民法院", "宁0502"),
    "640521": ("中宁县人民法院", "宁0521"),
    "640522": ("海原县人民法院", "宁0522"),
}
CITY_COURT = ("宁夏回族自治区中卫市中级人民法院", "宁05")

THIRD_PARTY_COMPANIES = [  # debtors of 经营性 loans secured on an owner's flat (fictitious, as the banks)
    ("中卫市鸣沙示范商贸有限公司", "640502", "马志成"),
    ("中宁县红宝示范枸杞有限公司", "640521", "杨建华"),
]


@dataclass(frozen=True)
class Building:
    no: int  # 幢号
    entrances: int  # 单元
    floors: int
    per_floor: int
    structure: str
    completed: date
    layouts: tuple[str, ...]  # 专有建筑面积 of each position on a floor
    shared_ratio: str  # 分摊系数: 分摊建筑面积 = 专有 × ratio
    kind: str = "flat"  # flat / garage / shop


@dataclass(frozen=True)
class Community:
    key: str
    county: str
    street: str
    door: int
    name: str
    district: int  # 地籍区
    subdistrict: int  # 地籍子区
    parcel: int  # 宗地顺序号
    land_start: date
    plot_ratio: str  # 容积率: sets the parcel area from the floor area built on it
    buildings: tuple[Building, ...]
    land_use: str = "城镇住宅用地"
    developer: str | None = None  # a new development still owned by the developer (首次登记)
    noticed_flats: int = 0  # how many of its flats are sold on presale (预告登记 ×2)


def _b(no: int, entrances: int, floors: int, per_floor: int, structure: str, completed: str,
       layouts: tuple[str, ...], ratio: str, kind: str = "flat") -> Building:  # fmt: skip
    return Building(
        no, entrances, floors, per_floor, structure, date.fromisoformat(completed), layouts, ratio, kind
    )


MIXED, CONCRETE = "混合结构", "钢筋混凝土结构"
# fmt: off
COMMUNITIES = (
    Community("hhw", "640502", "应理南街", 188, "黄河湾小区", 1, 2, 17, date(2009, 4, 20), "1.60", (
        _b(1, 1, 6, 2, MIXED, "2011-09-28", ("86.52", "118.37"), "0.1420"),
        _b(2, 1, 6, 2, MIXED, "2011-09-28", ("86.52", "118.37"), "0.1420"),
        _b(3, 1, 6, 2, MIXED, "2011-09-28", ("91.04", "118.37"), "0.1420"),
        _b(90, 1, 1, 8, MIXED, "2011-09-28",
           ("21.60", "21.60", "23.40", "23.40", "19.80", "19.80", "26.10", "26.10"), "0", "garage"),
    )),
    Community("xsy", "640502", "鼓楼东街", 66, "香山苑", 1, 4, 31, date(2012, 7, 10), "1.75", (
        _b(1, 2, 6, 2, MIXED, "2014-10-15", ("92.18", "105.74"), "0.1510"),
        _b(2, 2, 6, 2, MIXED, "2014-10-15", ("92.18", "105.74"), "0.1510"),
    )),
    Community("xsy-shop", "640502", "鼓楼东街", 68, "香山苑商业楼", 1, 4, 32, date(2012, 7, 10), "1.20", (
        _b(1, 1, 1, 6, CONCRETE, "2014-10-15", ("86.40", "92.75", "128.30", "128.30", "155.62", "97.18"),
           "0.0800", "shop"),
    ), land_use="商服用地"),
    Community("xdjy", "640502", "长城东街", 305, "新墩家园", 2, 1, 8, date(2013, 5, 6), "2.40", (
        _b(5, 1, 11, 2, CONCRETE, "2016-08-30", ("98.65", "124.20"), "0.1780"),
        _b(6, 1, 11, 2, CONCRETE, "2016-08-30", ("98.65", "124.20"), "0.1780"),
    )),
    Community("mljx", "640502", "文萃南路", 26, "美利·锦绣园", 2, 5, 44, date(2021, 3, 18), "2.80", (
        _b(8, 1, 18, 2, CONCRETE, "2025-06-20", ("89.90", "115.60"), "0.1860"),
    ), developer="dev-ml", noticed_flats=18),
    Community("gqy", "640521", "宁安大街", 120, "枸杞苑小区", 1, 3, 12, date(2010, 9, 1), "1.55", (
        _b(1, 2, 6, 2, MIXED, "2013-06-18", ("84.30", "110.75"), "0.1390"),
        _b(2, 2, 6, 2, MIXED, "2013-06-18", ("84.30", "110.75"), "0.1390"),
        _b(90, 1, 1, 6, MIXED, "2013-06-18", ("20.70", "20.70", "22.50", "22.50", "24.30", "24.30"), "0",
           "garage"),
    )),
    Community("skhy", "640521", "宁安南街", 77, "石空花园", 1, 6, 25, date(2014, 4, 22), "1.65", (
        _b(3, 2, 6, 2, MIXED, "2017-05-12", ("96.40", "121.08"), "0.1460"),
    )),
    Community("xsbhw", "640521", "宁安大街", 390, "香山·滨河湾", 2, 2, 37, date(2021, 11, 9), "2.30", (
        _b(2, 1, 11, 2, CONCRETE, "2025-07-15", ("93.25", "126.48"), "0.1710"),
    ), developer="dev-xh", noticed_flats=12),
    Community("tdhy", "640522", "天都大街", 45, "天都花园", 1, 1, 9, date(2011, 6, 13), "1.50", (
        _b(2, 2, 6, 2, MIXED, "2014-09-26", ("81.66", "102.90"), "0.1350"),
    )),
    Community("nhy", "640522", "南华路", 18, "南华苑", 1, 3, 21, date(2015, 8, 3), "1.50", (
        _b(1, 1, 6, 2, MIXED, "2018-10-10", ("88.12", "109.57"), "0.1400"),
    )),
    Community("nhy-shop", "640522", "南华路", 20, "南华苑商铺", 1, 3, 22, date(2015, 8, 3), "1.10", (
        _b(1, 1, 1, 4, CONCRETE, "2018-10-10", ("72.36", "72.36", "108.50", "118.24"), "0.0650", "shop"),
    ), land_use="商服用地"),
)
# fmt: on

PLANNED_USE = {"flat": "住宅", "garage": "车库", "shop": "商业服务"}


# ---------------------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------------------


def _area(text: str | Decimal) -> Decimal:
    return Decimal(text).quantize(CENT, rounding=ROUND_HALF_UP)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _term_end(start: date, years: int) -> date:
    """The last day of a term of whole years starting on `start` (2010-06-18 + 70 → 2080-06-17)."""
    return _add_years(start, years) - timedelta(days=1)


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _wan(yuan: Decimal) -> str:
    """An amount as printed on proofs: 万元 with two decimals."""
    return f"{(yuan / 10000).quantize(CENT, rounding=ROUND_HALF_UP)}万元"


def _money(yuan: Decimal) -> str:
    return str(yuan.quantize(CENT, rounding=ROUND_HALF_UP))


def _share(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


class Clock:
    """Random moments in office hours on weekdays (holidays are not modelled)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def day(self, start: date, end: date) -> date:
        end = max(end, start)
        day = start + timedelta(days=self.rng.randrange((end - start).days + 1))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    def moment(self, start: date, end: date) -> datetime:
        day = self.day(start, end)
        minute = self.rng.randrange(9 * 60, 17 * 60 + 30)
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=BEIJING)

    def after(self, earlier: datetime, min_days: int, end: date) -> datetime:
        start = earlier.date() + timedelta(days=min_days)
        start = min(start, end)
        return self.moment(start, end)


# ---------------------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------------------


class People:
    """Fictitious natural persons with valid resident IDs, and the organisations of organisations.json."""

    def __init__(self, rng: random.Random, organisations: dict[str, Any]) -> None:
        self.rng = rng
        self.parties: list[dict[str, Any]] = []
        self.by_key: dict[str, dict[str, Any]] = {}
        self._ids: set[str] = set()
        self._rare = list(RARE_NAMES)
        self._made = 0
        for org in [*organisations["banks"], *organisations["developers"]]:
            self._add(
                {
                    "key": org["key"],
                    "kind": "legal",
                    "name": org["name"],
                    "id_type": "001",
                    "id_number": org["uscc"],
                    "address": org["address"],
                    "phone": org["phone"],
                    "legal_rep_name": org["legal_rep"],
                }
            )

    def _next_key(self) -> str:
        self._made += 1
        return f"P{self._made:04d}"

    def _add(self, party: dict[str, Any]) -> str:
        self.parties.append(party)
        self.by_key[party["key"]] = party
        return str(party["key"])

    def _name(self, gender: str) -> str:
        # The rare-character names go to the first people made, who are current owners, so they
        # appear on certificates that get printed.
        for index, (name, name_gender) in enumerate(self._rare):
            if name_gender == gender:
                del self._rare[index]
                return name
        pool = MALE_GIVEN if gender == "男" else FEMALE_GIVEN
        given = self.rng.choice(pool)
        if self.rng.random() < 0.7:
            given += self.rng.choice(pool)
        return self.rng.choice(SURNAMES) + given

    def _resident_id(self, county: str, born: date, gender: str) -> str:
        while True:
            seq = self.rng.randrange(1, 500)
            # The 17th digit is odd for men and even for women (GB 11643-1999 §5.4).
            if (seq % 2 == 1) != (gender == "男"):
                seq = seq + 1 if seq < 499 else seq - 1
            body = f"{county}{born:%Y%m%d}{seq:03d}"
            number = body + resident_id_check_char(body)
            if number not in self._ids:
                self._ids.add(number)
                return number

    def person(self, county: str, address: str, *, gender: str | None = None,
               born_near: date | None = None, adult_on: date) -> str:  # fmt: skip
        """A new natural person, adult (≥ 22) on `adult_on`; `born_near` makes a spouse of similar age."""
        rng = self.rng
        gender = gender or rng.choice("男女")
        if born_near is not None:
            born = born_near + timedelta(days=rng.randrange(-4 * 365, 4 * 365))
        else:
            born = date(1950, 1, 1) + timedelta(days=rng.randrange(48 * 365))
        latest = _add_years(adult_on, -22)
        if born > latest:
            born = latest - timedelta(days=rng.randrange(3000))
        # Most people hold an ID first issued in the county they live in; some moved in from elsewhere.
        id_county = county if rng.random() < 0.8 else rng.choice(list(COUNTY_NAMES))
        key = self._next_key()
        return self._add(
            {
                "key": key,
                "kind": "natural",
                "name": self._name(gender),
                "id_type": "111",
                "id_number": self._resident_id(id_county, born, gender),
                "address": address,
                "phone": rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}",
                "legal_rep_name": None,
            }
        )

    def company(self, name: str, region: str, legal_rep: str, address: str) -> str:
        # 9 工商 + 1 企业, the region, then a 9-character 主体标识码 (hex digits avoid I, O, S, V, Z).
        body = f"91{region}MA7{self.rng.randrange(16**6):06X}"
        key = self._next_key()
        return self._add(
            {
                "key": key,
                "kind": "legal",
                "name": name,
                "id_type": "001",
                "id_number": body + uscc_check_char(body),
                "address": address,
                "phone": f"0955-{self.rng.randrange(7100000, 7999999)}",
                "legal_rep_name": legal_rep,
            }
        )

    def household(
        self, kind: CoOwnership, county: str, address: str, adult_on: date
    ) -> list[tuple[str, Fraction | None]]:
        """Owners of one right: one person, a married couple (共同共有), or relatives holding shares."""
        first = self.person(county, address, adult_on=adult_on)
        if kind is CoOwnership.SOLE:
            return [(first, None)]
        if kind is CoOwnership.JOINT:
            first_id = self.by_key[first]["id_number"]
            spouse_gender = "女" if int(first_id[16]) % 2 == 1 else "男"
            born = date(int(first_id[6:10]), int(first_id[10:12]), int(first_id[12:14]))
            spouse = self.person(county, address, gender=spouse_gender, born_near=born, adult_on=adult_on)
            return [(first, None), (spouse, None)]
        split = self.rng.choice(SHARE_SPLITS)
        owners = [first] + [self.person(county, address, adult_on=adult_on) for _ in split[1:]]
        return list(zip(owners, split, strict=True))


# ---------------------------------------------------------------------------------------------------------
# The register
# ---------------------------------------------------------------------------------------------------------


@dataclass
class UnitRecord:
    data: dict[str, Any]
    community: Community
    building: Building
    parcel_area: Decimal
    owners: list[tuple[str, Fraction | None]] = field(default_factory=list)
    co_ownership: CoOwnership = CoOwnership.SOLE
    ownership_key: str = ""
    owned_since: datetime | None = None

    @property
    def key(self) -> str:
        return str(self.data["key"])


class Register:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.clock = Clock(self.rng)
        self.organisations = json.loads(ORGANISATIONS.read_text(encoding="utf-8"))
        self.people = People(self.rng, self.organisations)
        self.units: list[UnitRecord] = []
        self.rights: list[dict[str, Any]] = []
        self.certificates: list[dict[str, Any]] = []

    # -- units ------------------------------------------------------------------------------------------

    def build_units(self) -> None:
        for community in COMMUNITIES:
            records: list[UnitRecord] = []
            for building in community.buildings:
                records.extend(self._building_units(community, building))
            total_floor_area = sum((r.data["building_area"] for r in records), Decimal(0))
            parcel_area = _area(total_floor_area / Decimal(community.plot_ratio))
            years = LAND_YEARS[community.land_use]
            for record in records:
                record.parcel_area = parcel_area
                record.data["land_area_shared"] = _area(
                    record.data["building_area"] * parcel_area / total_floor_area
                )
                record.data["land_term_end"] = _term_end(community.land_start, years)
            self.units.extend(records)
        for index, record in enumerate(self.units, start=1):
            record.data = {"key": f"U{index:04d}", **record.data}

    def _building_units(self, community: Community, building: Building) -> list[UnitRecord]:
        county_name = COUNTY_NAMES[community.county]
        place = f"中卫市{county_name}{community.street}{community.door}号{community.name}"
        ratio = Decimal(building.shared_ratio)
        records = []
        household = 0
        for entrance in range(1, building.entrances + 1):
            for floor in range(1, building.floors + 1):
                for position, layout in enumerate(building.layouts[: building.per_floor], start=1):
                    household += 1
                    exclusive = _area(layout)
                    shared = _area(exclusive * ratio)
                    if building.kind == "flat":
                        location = f"{place}{building.no}号楼{entrance}单元{floor}{position:02d}室"
                        room, floor_text, total = (
                            f"{entrance}-{floor}{position:02d}",
                            str(floor),
                            building.floors,
                        )
                    elif building.kind == "garage":
                        location = f"{place}{building.no}号楼{position:02d}号车库"
                        room, floor_text, total = f"车库{position:02d}", "1", 1
                    else:  # two-storey shops: each owns both floors of its bay
                        location = f"{place}{building.no}号楼{position:02d}号商铺"
                        room, floor_text, total = f"商铺{position:02d}", "1-2", 2
                    number = format_unit_number(
                        community.county, community.district, community.subdistrict, "GB",
                        community.parcel, "F", building.no, household,
                    )  # fmt: skip
                    data = {
                        "unit_number": number,
                        "county_code": community.county,
                        "location": location,
                        "planned_use": PLANNED_USE[building.kind],
                        "is_residential": building.kind == "flat",
                        "house_nature": "商品房",
                        "structure": building.structure,
                        "floor": floor_text,
                        "total_floors": total,
                        "building_area": exclusive + shared,
                        "exclusive_area": exclusive,
                        "shared_area": shared,
                        "land_area_exclusive": None,
                        "land_area_shared": None,
                        "land_right_nature": "出让",
                        "land_use": community.land_use,
                        "land_term_start": community.land_start,
                        "land_term_end": None,
                        "completion_date": building.completed,
                        "building_no": str(building.no),
                        "room_no": room,
                    }
                    records.append(UnitRecord(data, community, building, Decimal(0)))
        return records

    # -- rights -----------------------------------------------------------------------------------------

    def _right(
        self, unit: UnitRecord, right_type: RightType, registered_at: datetime, **columns: Any
    ) -> dict[str, Any]:
        right = {
            "key": f"R{len(self.rights) + 1:04d}",
            "unit": unit.key,
            "right_type": int(right_type),
            "status": "current",
            "registered_at": registered_at,
            **columns,
        }
        self.rights.append(right)
        return right

    def _certificate(self, right: dict[str, Any], holder: str, fields: dict[str, str]) -> dict[str, Any]:
        kind = RightType(right["right_type"]).certificate_kind
        certificate = {
            "right": right["key"],
            "unit": right["unit"],
            "kind": kind.value,
            "status": "current",
            "holder": holder,
            "issued_at": right["registered_at"],
            "fields": fields,
        }
        self.certificates.append(certificate)
        return certificate

    def _elsewhere(self, unit: UnitRecord) -> str:
        """An address in the same county for people who do not live in the unit (buyers, debtors)."""
        county = unit.data["county_code"]
        street = self.rng.choice([c.street for c in COMMUNITIES if c.county == county])
        return f"中卫市{COUNTY_NAMES[county]}{street}{self.rng.randrange(1, 400)}号"

    def _names(self, keys: list[str]) -> str:
        return "、".join(self.people.by_key[key]["name"] for key in keys)

    def _ownership_fields(self, unit: UnitRecord, owners: list[tuple[str, Fraction | None]],
                          co: CoOwnership, note: str) -> dict[str, str]:  # fmt: skip
        data = unit.data
        if co is CoOwnership.BY_SHARES:
            shares = "，".join(
                f"{self.people.by_key[k]['name']}占{_share(s)}" for k, s in owners if s is not None
            )
            sharing = f"按份共有：{shares}"
        else:
            sharing = co.label
        floor = data["floor"]
        return {
            "权利人": self._names([k for k, _ in owners]),
            "共有情况": sharing,
            "坐落": data["location"],
            "不动产单元号": data["unit_number"],
            "权利类型": RightType.OWNERSHIP.label,
            "权利性质": f"{data['land_right_nature']}/{data['house_nature']}",
            "用途": f"{data['land_use']}/{data['planned_use']}",
            "面积": f"共用宗地面积{unit.parcel_area}㎡/房屋建筑面积{data['building_area']}㎡",
            "使用期限": f"{_cn_date(data['land_term_start'])}起{_cn_date(data['land_term_end'])}止",
            "权利其他状况": (
                f"房屋结构:{data['structure']} 专有建筑面积:{data['exclusive_area']}㎡，"
                f"分摊建筑面积:{data['shared_area']}㎡ 房屋总层数:{data['total_floors']}层，所在层数:第{floor}层"
            ),
            "附记": note,
        }

    def _price(self, unit: UnitRecord, low: int, high: int) -> Decimal:
        per_square_metre = Decimal(self.rng.randrange(low, high, 10))
        return (unit.data["building_area"] * per_square_metre).quantize(Decimal(1), rounding=ROUND_HALF_UP)

    def _ownership(self, unit: UnitRecord, owners: list[tuple[str, Fraction | None]], co: CoOwnership,
                   registered_at: datetime, price: Decimal, note: str = "") -> tuple[dict[str, Any], dict[str, Any]]:  # fmt: skip
        right = self._right(
            unit,
            RightType.OWNERSHIP,
            registered_at,
            co_ownership=co.value,
            price=_money(price),
            right_nature=f"{unit.data['land_right_nature']}/{unit.data['house_nature']}",
            parties=[
                {"party": key, "role": "holder", **({"share": _share(share)} if share is not None else {})}
                for key, share in owners
            ],
        )
        certificate = self._certificate(right, owners[0][0], self._ownership_fields(unit, owners, co, note))
        return right, certificate

    def build_ownership(self) -> None:
        rng = self.rng
        # Garages and shops mostly belong to someone who also owns a flat in the same community.
        flat_owners_by_community: dict[str, list[UnitRecord]] = {}
        existing = [u for u in self.units if u.community.developer is None]
        for unit in existing:
            area_start = max(unit.building.completed + timedelta(days=60), date(2015, 3, 1))
            latest = date(2025, 12, 19)
            has_history = unit.building.kind != "garage" and rng.random() < 0.16
            reuse_from = flat_owners_by_community.get(unit.community.key.removesuffix("-shop"), [])
            if unit.building.kind != "flat" and reuse_from and rng.random() < 0.6:
                model = rng.choice(reuse_from)
                unit.owners, unit.co_ownership = model.owners, model.co_ownership
                unit_start = model.owned_since.date() if model.owned_since else area_start
            else:
                roll = rng.random()
                co = (
                    CoOwnership.SOLE
                    if roll < 0.55
                    else CoOwnership.JOINT
                    if roll < 0.86
                    else CoOwnership.BY_SHARES
                )
                unit.co_ownership = co
                unit.owners = self.people.household(
                    co, unit.data["county_code"], unit.data["location"], area_start
                )
                unit_start = area_start
            if has_history:
                previous_since = self.clock.moment(area_start, date(2021, 6, 30))
                unit.owned_since = self.clock.after(previous_since, 400, latest)
                self._history(unit, previous_since)
            else:
                unit.owned_since = self.clock.moment(unit_start, latest)
            previous_number_ref = self.certificates[-1] if has_history else None
            right, certificate = self._ownership(
                unit, unit.owners, unit.co_ownership, unit.owned_since, self._price(unit, 3600, 6400)
            )
            if previous_number_ref is not None:
                certificate["_previous"] = previous_number_ref  # 附记 names it once numbers exist
            unit.ownership_key = right["key"]
            if unit.building.kind == "flat":
                flat_owners_by_community.setdefault(unit.community.key, []).append(unit)

    def _history(self, unit: UnitRecord, since: datetime) -> None:
        """An earlier owner whose right ended when they sold to the current owners (转移登记)."""
        roll = self.rng.random()
        co = CoOwnership.SOLE if roll < 0.6 else CoOwnership.JOINT
        owners = self.people.household(co, unit.data["county_code"], self._elsewhere(unit), since.date())
        right, certificate = self._ownership(unit, owners, co, since, self._price(unit, 3000, 5200))
        assert unit.owned_since is not None
        right.update(status="historical", ended_at=unit.owned_since, end_reason="转移登记")
        certificate.update(status="cancelled", cancelled_at=unit.owned_since)

    def build_developer_stock(self) -> None:
        """New flats first registered to their developer; some already sold on presale."""
        for community in COMMUNITIES:
            if community.developer is None:
                continue
            units = [u for u in self.units if u.community is community]
            first_registered = self.clock.moment(
                units[0].building.completed + timedelta(days=30),
                units[0].building.completed + timedelta(days=75),
            )
            for unit in units:
                unit.owners, unit.co_ownership = [(community.developer, None)], CoOwnership.SOLE
                unit.owned_since = first_registered
                right, _ = self._ownership(
                    unit, unit.owners, CoOwnership.SOLE, first_registered, Decimal(0), note="首次登记"
                )
                right["price"] = None
                unit.ownership_key = right["key"]
            sold = self.rng.sample(units, community.noticed_flats)
            for index, unit in enumerate(sorted(sold, key=lambda u: u.key)):
                self._presale(unit, community.developer, self.organisations["banks"][index % 3]["key"])

    def _presale(self, unit: UnitRecord, developer: str, bank: str) -> None:
        rng = self.rng
        completed = unit.building.completed
        signed = self.clock.moment(completed - timedelta(days=420), completed - timedelta(days=20))
        co = CoOwnership.SOLE if rng.random() < 0.55 else CoOwnership.JOINT
        buyers = self.people.household(co, unit.data["county_code"], self._elsewhere(unit), signed.date())
        buyer_keys = [k for k, _ in buyers]
        price = self._price(unit, 5600, 6900)
        loan = (price * Decimal(rng.choice(["0.6", "0.7", "0.7", "0.8"])) / 1000).quantize(Decimal(1)) * 1000
        years = rng.choice([20, 25, 30])
        data = unit.data
        purchase = self._right(
            unit, RightType.ADVANCE_NOTICE, signed,
            notice_kind=int(AdvanceNoticeKind.PRESALE_PURCHASE), co_ownership=co.value, price=_money(price),
            parties=[{"party": k, "role": "holder"} for k in buyer_keys] + [{"party": developer, "role": "obligor"}],
        )  # fmt: skip
        self._certificate(
            purchase,
            buyer_keys[0],
            {
                "证明权利或事项": AdvanceNoticeKind.PRESALE_PURCHASE.label,
                "权利人(申请人)": self._names(buyer_keys),
                "义务人": self.people.by_key[developer]["name"],
                "坐落": data["location"],
                "不动产单元号": data["unit_number"],
                "其他": (
                    f"规划用途：{data['planned_use']} 房屋性质：{data['house_nature']} 建筑面积：{data['building_area']}㎡"
                    f" 所在层：第{data['floor']}层 交易价格：{_wan(price)}"
                ),
                "附记": f"共有情况：{co.label}",
            },
        )
        debt_start = signed.date()
        mortgage = self._right(
            unit, RightType.ADVANCE_NOTICE, self.clock.after(signed, 0, signed.date() + timedelta(days=20)),
            notice_kind=int(AdvanceNoticeKind.PRESALE_MORTGAGE), mortgage_mode=MortgageMode.GENERAL.value,
            secured_amount=_money(loan), debt_start=debt_start, debt_end=_term_end(debt_start, years),
            guarantee_scope=GUARANTEE_SCOPE, rank=1, no_transfer=rng.random() < 0.2,
            mortgaged_area=data["building_area"], assessed_value=_money(price),
            parties=[{"party": bank, "role": "holder"}]
            + [{"party": k, "role": "obligor"} for k in buyer_keys]
            + [{"party": k, "role": "debtor"} for k in buyer_keys],
        )  # fmt: skip
        self._certificate(
            mortgage, bank, self._mortgage_fields(unit, mortgage, buyer_keys, buyer_keys, notice=True)
        )

    def _mortgage_fields(self, unit: UnitRecord, right: dict[str, Any], obligors: list[str], debtors: list[str],
                         *, notice: bool = False) -> dict[str, str]:  # fmt: skip
        bank = next(p["party"] for p in right["parties"] if p["role"] == "holder")
        amount = Decimal(right["secured_amount"])
        term = f"{_cn_date(right['debt_start'])}起{_cn_date(right['debt_end'])}止"
        if right["mortgage_mode"] == MortgageMode.MAXIMUM.value:
            other = f"抵押方式：{MortgageMode.MAXIMUM.label} 最高债权额：{_wan(amount)} 债权确定期间：{term}"
        else:
            other = f"抵押方式：{MortgageMode.GENERAL.label} 被担保主债权数额：{_wan(amount)} 债务履行期限：{term}"
        notes = [f"抵押顺位：第{right['rank']}顺位"]
        if set(debtors) != set(obligors):
            notes.append(f"债务人：{self._names(debtors)}")
        if right.get("no_transfer"):
            notes.append("约定禁止或限制转让抵押不动产")
        return {
            "证明权利或事项": AdvanceNoticeKind.PRESALE_MORTGAGE.label
            if notice
            else RightType.MORTGAGE.label,
            "权利人(申请人)": self.people.by_key[bank]["name"],
            "义务人": self._names(obligors),
            "坐落": unit.data["location"],
            "不动产单元号": unit.data["unit_number"],
            "其他": other,
            "附记": "；".join(notes),
        }

    def _mortgage(self, unit: UnitRecord, bank: str, rank: int, *, after: datetime, debtors: list[str] | None = None,
                  maximum: bool = False, no_transfer: bool = False, ended: datetime | None = None) -> None:  # fmt: skip
        rng = self.rng
        obligors = [k for k, _ in unit.owners]
        debtors = debtors or obligors
        end_by = (ended.date() - timedelta(days=30)) if ended else date(2025, 12, 26)
        registered = self.clock.after(after, 0 if rank == 1 else 200, end_by)
        start = registered.date()
        if maximum:
            amount = Decimal(rng.randrange(30, 151) * 10000)
            end = _term_end(start, rng.choice([3, 5]))
        else:
            amount = Decimal(rng.randrange(80, 800) * 1000)
            end = _term_end(start, rng.choice([5, 10, 15, 20, 25]))
        right = self._right(
            unit, RightType.MORTGAGE, registered,
            mortgage_mode=(MortgageMode.MAXIMUM if maximum else MortgageMode.GENERAL).value,
            secured_amount=_money(amount), debt_start=start, debt_end=end, guarantee_scope=GUARANTEE_SCOPE,
            rank=rank, no_transfer=no_transfer, mortgaged_area=unit.data["building_area"],
            assessed_value=_money(self._price(unit, 4200, 7200)),
            parties=[{"party": bank, "role": "holder"}]
            + [{"party": k, "role": "obligor"} for k in obligors]
            + [{"party": k, "role": "debtor"} for k in debtors],
        )  # fmt: skip
        certificate = self._certificate(right, bank, self._mortgage_fields(unit, right, obligors, debtors))
        if ended is not None:
            right.update(status="historical", ended_at=ended, end_reason="主债权消灭")
            certificate.update(status="cancelled", cancelled_at=ended)

    def build_mortgages_and_seizures(self) -> None:
        rng = self.rng
        banks = [b["key"] for b in self.organisations["banks"]]
        candidates = [u for u in self.units if u.community.developer is None and u.building.kind != "garage"]
        chosen = rng.sample(candidates, 40 + 8 + 8)
        mortgaged, paid_off, seized_only = chosen[:40], chosen[40:48], chosen[48:]
        for index, unit in enumerate(sorted(mortgaged, key=lambda u: u.key)):
            assert unit.owned_since is not None
            debtors: list[str] | None = None
            maximum = index % 7 == 3
            if index in (5, 17, 29):  # a parent's flat secures a grown-up child's loan
                debtors = [
                    self.people.person(
                        unit.data["county_code"], self._elsewhere(unit), adult_on=unit.owned_since.date()
                    )
                ]
            elif index in (11, 23):
                name, region, rep = THIRD_PARTY_COMPANIES[index == 23]
                debtors = [self.people.company(name, region, rep, unit.data["location"])]
                maximum = True
            self._mortgage(unit, banks[index % 3], 1, after=unit.owned_since, debtors=debtors, maximum=maximum,
                           no_transfer=index % 6 == 1)  # fmt: skip
            if index % 10 == 4:  # a second bank lends against the remaining value (顺位 2)
                first = self.rights[-1]
                self._mortgage(unit, banks[(index + 1) % 3], 2, after=first["registered_at"], maximum=True)
        for unit in paid_off:
            assert unit.owned_since is not None
            ended = self.clock.after(unit.owned_since, 700, date(2026, 2, 27))
            self._mortgage(unit, rng.choice(banks), 1, after=unit.owned_since, ended=ended)
        # Two mortgaged flats are seized too: a bank went to court when the loan was not repaid.
        seized = sorted(seized_only, key=lambda u: u.key) + sorted(mortgaged, key=lambda u: u.key)[7:9]
        for index, unit in enumerate(seized):
            self._seizure(unit, index)
        self._seizure(seized[0], 0, waiting=True)

    def _seizure(self, unit: UnitRecord, index: int, *, waiting: bool = False) -> None:
        court, code = CITY_COURT if index % 5 == 4 else COURTS[unit.data["county_code"]]
        earliest = unit.owned_since.date() if unit.owned_since else date(2025, 1, 2)
        registered = self.clock.moment(max(earliest, date(2025, 1, 2)), date(2026, 1, 30))
        if waiting:
            registered = self.clock.moment(date(2026, 2, 2), date(2026, 2, 27))
        start = registered.date()
        document = f"({start.year}){code}执{'保' if index % 3 == 0 else ''}{self.rng.randrange(12, 980)}号"
        obligors = [k for k, _ in unit.owners]
        notes = f"被执行人：{self._names(obligors)}；查封期限{SEIZURE_YEARS}年"
        if waiting:
            notes = "轮候查封；" + notes
        self._right(
            unit, RightType.SEIZURE, registered,
            court=court, court_document_no=document, seizure_start=start,
            seizure_end=_term_end(start, SEIZURE_YEARS), notes=notes,
            parties=[{"party": k, "role": "obligor"} for k in obligors],
        )  # fmt: skip

    # -- numbering --------------------------------------------------------------------------------------

    def number_certificates(self) -> None:
        """Numbers in issue order per kind and year, with gaps for certificates outside the demo."""
        ordered = sorted(self.certificates, key=lambda c: (c["kind"], c["issued_at"]))
        last: dict[tuple[str, int], int] = {}
        for serial, certificate in enumerate(ordered, start=1):
            year = certificate["issued_at"].year
            bucket = (certificate["kind"], year)
            if bucket not in last:
                last[bucket] = self.rng.randrange(150, 1200)
            last[bucket] += self.rng.randrange(1, 40)
            seq = last[bucket]
            kind = CertificateKind(certificate["kind"])
            certificate["year"], certificate["seq"] = year, seq
            certificate["number"] = format_certificate_number(kind, year, seq)
            certificate["paper_serial"] = f"NX{year}{serial:06d}"
            ecert_type = (
                ECERT_TYPE_RIGHT_CERTIFICATE
                if kind is CertificateKind.RIGHT_CERTIFICATE
                else ECERT_TYPE_REGISTRATION_PROOF
            )
            certificate["ecert_id"] = make_ecert_id(ecert_type, "640500", f"{year}{seq:07d}")
        for certificate in self.certificates:
            previous = certificate.pop("_previous", None)
            if previous is not None:
                certificate["fields"]["附记"] = f"转移登记，原不动产权证书号：{previous['number']}"

    # -- output -----------------------------------------------------------------------------------------

    def party_created_at(self) -> None:
        first_seen: dict[str, datetime] = {}
        for right in self.rights:
            for link in right["parties"]:
                seen = first_seen.get(link["party"])
                if seen is None or right["registered_at"] < seen:
                    first_seen[link["party"]] = right["registered_at"]
        for party in self.people.parties:
            party["created_at"] = first_seen.get(party["key"], datetime(2015, 3, 2, 9, 0, tzinfo=BEIJING))

    def document(self) -> dict[str, Any]:
        return {
            "_note": "演示登记簿：全部人员、小区、价款、贷款与法院文书均为虚构，仅格式与校验规则真实。"
            "由 seeds/make_demo_register.py 生成，请勿手工修改。",
            "format": 1,
            "seed": SEED,
            "as_of": AS_OF,
            "parties": self.people.parties,
            "units": [u.data for u in self.units],
            "rights": self.rights,
            "certificates": self.certificates,
        }


def build() -> dict[str, Any]:
    """The whole demo register as plain JSON-ready data (dates still as date/datetime objects)."""
    register = Register()
    register.build_units()
    register.build_ownership()
    register.build_developer_stock()
    register.build_mortgages_and_seizures()
    register.number_certificates()
    register.party_created_at()
    return register.document()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to the demo register")


def _line(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=_plain)


def render(data: dict[str, Any]) -> str:
    """JSON with one record per line, so a change to the generator shows as a readable diff."""
    parts = []
    for name, value in data.items():
        if isinstance(value, list):
            body = ",\n".join(f"  {_line(item)}" for item in value)
            parts.append(f"{json.dumps(name)}: [\n{body}\n ]")
        else:
            parts.append(f"{json.dumps(name)}: {_line(value)}")
    return "{\n " + ",\n ".join(parts) + "\n}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成演示登记簿 seeds/demo_register.json")
    parser.add_argument("--check", action="store_true", help="只检查文件是否与生成结果一致")
    args = parser.parse_args(argv)
    text = render(build())
    if args.check:
        current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
        if current != text:
            print(f"{OUTPUT} 与生成结果不一致，请重新运行 {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"已写入 {OUTPUT}（{len(text.encode('utf-8')) // 1024} KB）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
