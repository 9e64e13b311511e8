"""The case history reads every audit payload it meets, old and new, without crashing the case window."""

from registry_desk.services.case_history import _detail


def test_recording_lists_certificate_numbers():
    text = _detail("case.recorded", {"status": "recorded", "issued_certificates": ["宁(2026)中卫市不动产权第0000001号"]})
    assert "已登簿" in text and "宁(2026)中卫市不动产权第0000001号" in text


def test_publishing_counts_e_certificates():
    # ecert.issue writes a count here; the 登簿 button once ended in a crash dialog reading it as a list.
    assert _detail("ecert.issue", {"ecert_ids_assigned": 1, "certificates": 2}) == "电子证照：2 份"


def test_a_single_text_is_not_split_into_characters():
    assert _detail("case.not_accepted", {"missing_materials": "身份证明"}) == "待补正：身份证明"
