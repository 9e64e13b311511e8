"""The case history reads every audit payload it meets, old and new, without crashing the case window."""

from registry_desk.registration.case_history import _detail


def test_recording_lists_certificate_numbers():
    text = _detail(
        "case.recorded", {"status": "recorded", "issued_certificates": ["宁(2026)中卫市不动产权第0000001号"]}
    )
    assert "已登簿" in text and "宁(2026)中卫市不动产权第0000001号" in text


def test_publishing_counts_e_certificates():
    # ecert.issue writes a count here; the 登簿 button once ended in a crash dialog reading it as a list.
    assert _detail("ecert.issue", {"ecert_ids_assigned": 1, "certificates": 2}) == "电子证照：2 份"


def test_a_single_text_is_not_split_into_characters():
    assert _detail("case.not_accepted", {"missing_materials": "身份证明"}) == "待补正：身份证明"


def test_every_action_written_against_a_case_reads_in_chinese():
    # A clerk never reads an audit code such as "ecert.issue" in the case history.
    import re
    from pathlib import Path

    from registry_desk.registration.case_history import ACTION_LABELS, HIDDEN_ACTIONS

    package = Path(__file__).resolve().parents[3] / "registry_desk"
    written = set()
    for path in package.rglob("*.py"):
        written |= set(
            re.findall(
                r'"((?:case|certificate|ecert|payment|kiosk)\.[a-z_]+)"', path.read_text(encoding="utf-8")
            )
        )
    not_about_a_case = {
        "ecert.seed_demo",
        "ecert.import",
        "kiosk.exit",
        "kiosk.exit_refused",
        "kiosk.statement",
        "kiosk.qss",
    }
    missing = written - set(ACTION_LABELS) - HIDDEN_ACTIONS - not_about_a_case
    assert not missing, (
        f"give these audit actions a Chinese label in case_history.ACTION_LABELS: {sorted(missing)}"
    )
