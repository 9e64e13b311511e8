"""Qt item models over the plain data the services return (search hits, register pages, certificates)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from registry_desk.domain.clock import CHINA_TZ  # noqa: F401 - also imported from here
from registry_desk.domain.codes import RightType
from registry_desk.registration.register import CertificateLine, PartyLine, RightView, SearchHit

# China has kept one offset (UTC+8, no daylight saving) since 1991; the counters are all in Zhongwei.
CHINA_TIME = CHINA_TZ

RESTRICTION_COLOR = QColor("#b3261e")
SEIZURE_BACKGROUND = QColor("#fde7e5")

Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole


def local_time(value: datetime | None) -> str:
    """Stored times are UTC (SQLite hands them back naive); the counter reads Beijing time."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")


def party_names(parties: Sequence[PartyLine]) -> str:
    return "、".join(p.name + (f"（{p.share}）" if p.share else "") for p in parties)


class RowTableModel(QAbstractTableModel):
    """Rows of plain values; subclasses say what each column shows."""

    headers: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_item(self, row: int) -> Any:
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's own default
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < len(self.headers):
            return self.headers[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        if not (0 <= index.column() < len(self.headers)):
            return None
        return self.cell(self._rows[index.row()], index.column(), role)

    def cell(self, item: Any, column: int, role: int) -> Any:
        raise NotImplementedError

    def column_text(self, column: int) -> list[str]:
        """The shown text of one column, top to bottom (what a clerk reads; tests read it too)."""
        return [str(self.data(self.index(r, column)) or "") for r in range(self.rowCount())]


class SearchResultsModel(RowTableModel):
    """Hits of the one search box; the unit number of a hit is its UserRole."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.headers = (self.tr("类别"), self.tr("名称或坐落"), self.tr("说明"))
        self._kinds = {
            "unit": self.tr("不动产单元"),
            "certificate": self.tr("证书证明"),
            "party": self.tr("权利人"),
        }

    def set_hits(self, hits: Sequence[SearchHit]) -> None:
        self.set_rows(hits)

    def hit(self, row: int) -> SearchHit:
        hit: SearchHit = self.row_item(row)
        return hit

    def cell(self, item: SearchHit, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.UserRole:
            return item.unit_number
        if role in (_DISPLAY, Qt.ItemDataRole.ToolTipRole):
            return (self._kinds.get(item.kind, item.kind), item.title, item.subtitle)[column]
        return None


class KeyValueModel(RowTableModel):
    """Two columns, label and value: the facts of a unit (面积、用途、土地使用期限 ...)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.headers = (self.tr("项目"), self.tr("内容"))

    def cell(self, item: tuple[str, str], column: int, role: int) -> Any:
        if role in (_DISPLAY, Qt.ItemDataRole.ToolTipRole):
            return item[column]
        return None

    def value(self, label: str) -> str | None:
        return next((v for k, v in self._rows if k == label), None)


class RightsModel(RowTableModel):
    """Rights of a unit, one per row; restrictions (抵押、预告、查封、异议) in red, seizures shaded too."""

    def __init__(self, parent: Any = None, *, history: bool = False) -> None:
        super().__init__(parent)
        self.history = history
        headers = [
            self.tr("权利类型"),
            self.tr("权利人"),
            self.tr("义务人等"),
            self.tr("登簿时间"),
            self.tr("证书证明号"),
            self.tr("业务号"),
        ]
        if history:
            headers += [self.tr("注销时间"), self.tr("注销原因")]
        # The particulars are long (amounts, terms, courts): last, so the view can stretch and wrap them.
        headers.append(self.tr("登记内容"))
        self.headers = tuple(headers)

    @property
    def details_column(self) -> int:
        return len(self.headers) - 1

    def right(self, row: int) -> RightView:
        right: RightView = self.row_item(row)
        return right

    def _text(self, r: RightView, column: int) -> str:
        values = [
            r.label,
            party_names(r.holders),
            "、".join(f"{p.name}（{p.role}）" for p in r.others),
            local_time(r.registered_at),
            "、".join(r.certificates),
            r.created_by_case or "",
        ]
        if self.history:
            values += [local_time(r.ended_at), r.end_reason or (r.ended_by_case or "")]
        values.append("；".join(f"{k}：{v}" for k, v in r.details if v))
        return values[column]

    def cell(self, item: RightView, column: int, role: int) -> Any:
        if role == _DISPLAY:
            return self._text(item, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(f"{k}：{v}" for k, v in item.details) or self._text(item, column)
        if self.history:
            return None
        if role == Qt.ItemDataRole.ForegroundRole and item.is_restriction:
            return RESTRICTION_COLOR
        if role == Qt.ItemDataRole.BackgroundRole and item.right_type is RightType.SEIZURE:
            return SEIZURE_BACKGROUND
        if role == Qt.ItemDataRole.FontRole and item.is_restriction and column == 0:
            font = QFont()
            font.setBold(True)
            return font
        return None


class CertificatesModel(RowTableModel):
    """The certificates (不动产权证书) and proofs (不动产登记证明) issued for a unit."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.headers = (
            self.tr("证书证明号"),
            self.tr("种类"),
            self.tr("状态"),
            self.tr("发证时间"),
            self.tr("持证人"),
            self.tr("印制号"),
        )

    def cell(self, item: CertificateLine, column: int, role: int) -> Any:
        if role in (_DISPLAY, Qt.ItemDataRole.ToolTipRole):
            values = (
                item.number,
                item.kind,
                item.status,
                local_time(item.issued_at),
                item.holder,
                item.paper_serial or "",
            )
            return values[column]
        return None
