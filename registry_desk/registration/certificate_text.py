"""The printed fields of the 不动产权证书 and the 不动产登记证明 (REFERENCE §4), built from the unit and the
right at recording; the certificate row keeps them as issued."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from fractions import Fraction
from typing import Any

from registry_desk.domain.cases import MortgageTerms
from registry_desk.domain.codes import CoOwnership, MortgageMode, RightType
from registry_desk.storage.tables import Right, Unit


def date_text(value: date | None) -> str:
    return "" if value is None else f"{value:%Y年%m月%d日}"


def area_text(value: Any) -> str:
    return f"{value:.2f}㎡"


def _joined(*parts: str | None, sep: str = "/") -> str:
    return sep.join(p for p in parts if p)


def _share_text(share: Fraction | None) -> str:
    return "" if share is None else f"{share.numerator}/{share.denominator}"


def co_ownership_text(mode: CoOwnership | None, holders: Iterable[tuple[str, Fraction | None]]) -> str:
    mode = mode or CoOwnership.SOLE
    if mode is CoOwnership.BY_SHARES:
        return "按份共有，" + "，".join(f"{name}占{_share_text(share)}" for name, share in holders)
    return mode.label


def _floor_text(floor: str | None) -> str:
    if not floor:
        return ""
    return f"第{floor}层" if floor.isdigit() else floor


def right_certificate_fields(
    unit: Unit, right: Right, holders: list[tuple[str, Fraction | None]], notes: list[str]
) -> dict[str, str]:
    """The 不动产权证书's printed fields, keyed exactly as the form names them."""
    land = ""
    if unit.land_area_shared is not None:
        land = f"共用宗地面积{area_text(unit.land_area_shared)}"
    elif unit.land_area_exclusive is not None:
        land = f"独用宗地面积{area_text(unit.land_area_exclusive)}"
    other = [f"房屋结构:{unit.structure}" if unit.structure else ""]
    if unit.exclusive_area is not None or unit.shared_area is not None:
        other.append(
            _joined(
                f"专有建筑面积:{area_text(unit.exclusive_area)}" if unit.exclusive_area is not None else "",
                f"分摊建筑面积:{area_text(unit.shared_area)}" if unit.shared_area is not None else "",
                sep="，",
            )
        )
    other.append(
        _joined(
            f"房屋总层数:{unit.total_floors}层" if unit.total_floors else "",
            f"所在层数:{_floor_text(unit.floor)}" if unit.floor else "",
            sep="，",
        )
    )
    return {
        "权利人": "、".join(name for name, _ in holders),
        "共有情况": co_ownership_text(right.co_ownership, holders),
        "坐落": unit.location,
        "不动产单元号": unit.unit_number,
        "权利类型": RightType.OWNERSHIP.label,
        "权利性质": right.right_nature or _joined(unit.land_right_nature, unit.house_nature),
        "用途": _joined(unit.land_use, unit.planned_use),
        "面积": _joined(land, f"房屋建筑面积{area_text(unit.building_area)}"),
        "使用期限": (
            f"{date_text(unit.land_term_start)}起{date_text(unit.land_term_end)}止"
            if unit.land_term_start and unit.land_term_end
            else (f"{date_text(unit.land_term_end)}止" if unit.land_term_end else "")
        ),
        "权利其他状况": " ".join(p for p in other if p),
        "附记": "\n".join(n for n in notes if n),
    }


def mortgage_lines(terms: MortgageTerms, rank: int | None, debtors: list[str]) -> list[str]:
    """What a 证明's 其他 holds for a mortgage: 抵押方式, 债权数额, 债务履行期限 (and rank, debtor)."""
    period = "债权确定期间" if terms.mode is MortgageMode.MAXIMUM else "债务履行期限"
    lines = [
        f"抵押方式：{terms.mode.label}",
        f"{terms.amount_label}：{terms.amount}元",
        f"{period}：{date_text(terms.debt_start)}起{date_text(terms.debt_end)}止",
    ]
    if rank is not None:
        lines.append(f"抵押顺位：第{rank}顺位")
    if debtors:
        lines.append(f"债务人：{'、'.join(debtors)}")
    if terms.guarantee_scope:
        lines.append(f"担保范围：{terms.guarantee_scope}")
    if terms.no_transfer:
        lines.append("约定禁止转让：是")
    return lines


def registration_proof_fields(
    unit: Unit, matter: str, holders: list[str], obligors: list[str], other: list[str], notes: list[str]
) -> dict[str, str]:
    """The 不动产登记证明's printed fields, keyed exactly as the form names them."""
    return {
        "证明权利或事项": matter,
        "权利人(申请人)": "、".join(holders),
        "义务人": "、".join(obligors),
        "坐落": unit.location,
        "不动产单元号": unit.unit_number,
        "其他": "\n".join(other),
        "附记": "\n".join(n for n in notes if n),
    }
