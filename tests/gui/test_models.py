"""The item models: Qt's model tester on each, and what a clerk reads in their cells."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import Qt

from registry_desk.domain.codes import CaseStatus, RightStatus, RightType
from registry_desk.registration.register import CertificateLine, PartyLine, RightView, SearchHit
from registry_desk.ui.case_list import CaseListModel, CaseRow
from registry_desk.ui.models import (
    RESTRICTION_COLOR,
    CertificatesModel,
    KeyValueModel,
    RightsModel,
    SearchResultsModel,
    local_time,
)

UNIT = "640502001001GB00001F00010101"
OWNER = PartyLine(1, "马玉兰", "居民身份证", "640502198803150026", "权利人", "")
BANK = PartyLine(2, "中卫示范银行", "统一社会信用代码", "91640500MA76XXXX0A", "权利人", "")


def _right(right_type: RightType, label: str, holders: tuple[PartyLine, ...], **extra) -> RightView:
    values = {
        "id": 1,
        "right_type": right_type,
        "label": label,
        "status": RightStatus.CURRENT,
        "registered_at": datetime(2026, 3, 2, 1, 30),  # naive = UTC, as SQLite returns it
        "ended_at": None,
        "holders": holders,
        "others": (),
        "details": (),
        "certificates": (),
        "created_by_case": None,
        "ended_by_case": None,
        "end_reason": None,
    }
    values.update(extra)
    return RightView(**values)


OWNERSHIP = _right(
    RightType.OWNERSHIP,
    RightType.OWNERSHIP.label,
    (OWNER,),
    certificates=("宁(2026)中卫市不动产权第0000001号",),
)
MORTGAGE = _right(
    RightType.MORTGAGE,
    "抵押权",
    (BANK,),
    others=(PartyLine(1, "马玉兰", "居民身份证", "640502198803150026", "债务人", ""),),
    details=(("抵押方式", "一般抵押"), ("被担保主债权数额", "600000.00")),
)
SEIZURE = _right(RightType.SEIZURE, "查封登记", (), details=(("查封机关", "中卫市沙坡头区人民法院"),))


def test_search_results_model_passes_qt_model_tester_and_reads_as_hits(qtmodeltester):
    model = SearchResultsModel()
    model.set_hits(
        [
            SearchHit("unit", "沙坡头区文昌镇示范小区1号楼1单元101室", UNIT, UNIT),
            SearchHit("certificate", "宁(2026)中卫市不动产权第0000001号", "不动产权证书（现势）", UNIT),
        ]
    )
    qtmodeltester.check(model)
    assert model.column_text(0) == ["不动产单元", "证书证明"]
    assert model.data(model.index(1, 0), Qt.ItemDataRole.UserRole) == UNIT


def test_empty_models_pass_the_model_tester(qtmodeltester):
    for model in (SearchResultsModel(), KeyValueModel(), RightsModel(), CertificatesModel(), CaseListModel()):
        qtmodeltester.check(model)


def test_rights_model_marks_restrictions_red_and_keeps_ownership_plain(qtmodeltester):
    model = RightsModel()
    model.set_rows([OWNERSHIP, MORTGAGE, SEIZURE])
    qtmodeltester.check(model)
    assert model.column_text(0) == [RightType.OWNERSHIP.label, "抵押权", "查封登记"]
    assert model.column_text(1)[1] == "中卫示范银行"
    assert "马玉兰（债务人）" in model.column_text(2)[1]
    assert "被担保主债权数额：600000.00" in model.column_text(model.details_column)[1]
    red = [model.data(model.index(r, 1), Qt.ItemDataRole.ForegroundRole) for r in range(3)]
    assert red == [None, RESTRICTION_COLOR, RESTRICTION_COLOR]
    assert model.data(model.index(2, 0), Qt.ItemDataRole.BackgroundRole) is not None, "a seizure is shaded"


def test_times_are_shown_in_beijing_time():
    assert local_time(datetime(2026, 3, 2, 17, 30)) == "2026-03-03 01:30"
    assert local_time(datetime(2026, 3, 2, 17, 30, tzinfo=UTC)) == "2026-03-03 01:30"


def test_history_model_has_end_columns(qtmodeltester):
    model = RightsModel(history=True)
    ended = _right(
        RightType.MORTGAGE,
        "抵押权",
        (BANK,),
        status=RightStatus.HISTORICAL,
        ended_at=datetime(2026, 4, 1, 2, 0),
        end_reason="主债权消灭",
    )
    model.set_rows([ended])
    qtmodeltester.check(model)
    assert model.headers[-3:] == ("注销时间", "注销原因", "登记内容")
    assert model.column_text(7) == ["主债权消灭"]


def test_key_value_and_certificate_models(qtmodeltester):
    facts = KeyValueModel()
    facts.set_rows([("不动产单元号", UNIT), ("建筑面积", "89.50㎡")])
    qtmodeltester.check(facts)
    assert facts.value("建筑面积") == "89.50㎡"
    certs = CertificatesModel()
    certs.set_rows(
        [
            CertificateLine(
                "宁(2026)中卫市不动产权第0000001号",
                "不动产权证书",
                "现势",
                datetime(2026, 3, 2),
                "马玉兰",
                None,
            )
        ]
    )
    qtmodeltester.check(certs)
    assert certs.column_text(4) == ["马玉兰"]


def _case(number: str, status: CaseStatus, due: date) -> CaseRow:
    return CaseRow(number, "转移登记", UNIT, status, datetime(2026, 3, 2, 1, 0), due)


# The case list's model and view are tested in test_case_list.py on the rows list_cases returns.
