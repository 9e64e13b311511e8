"""`registry-desk quote` as a user runs it: the table, the --json shape, and exit status 2 for bad options."""

import json

import pytest

from registry_desk.cli import main

EXAMPLE = [
    "quote",
    "--type",
    "transfer",
    "--price",
    "1050000",
    "--area",
    "100",
    "--buyer-homes",
    "1",
    "--seller-years",
    "1",
    "--contract-date",
    "2025-06-01",
    "--application-date",
    "2025-06-01",
]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_exactly_the_agreed_shape(capsys):
    code, out, err = run(capsys, *EXAMPLE, "--json")
    assert code == 0 and err == ""
    data = json.loads(out)
    assert set(data) == {"lines", "totals"}
    assert set(data["totals"]) == {"by_payer", "by_account", "all"}
    for line in data["lines"]:
        assert set(line) == {"item", "payer", "account", "base", "rate", "amount"}
        assert line["payer"] in {"buyer", "seller", "mortgagee", "mortgagor", "applicant"}
        assert line["account"] in {"treasury", "fiscal"}
        assert line["amount"].count(".") == 1 and len(line["amount"].split(".")[1]) == 2
    assert data["lines"][0] == {
        "item": "契税",
        "payer": "buyer",
        "account": "treasury",
        "base": "1000000.00",
        "rate": "0.01",
        "amount": "10000.00",
    }
    assert data["totals"] == {
        "by_payer": {"buyer": "10080.00", "seller": "63000.00"},
        "by_account": {"treasury": "73000.00", "fiscal": "80.00"},
        "all": "73080.00",
    }


def test_the_table_is_readable_chinese_with_totals(capsys):
    code, out, _ = run(capsys, *EXAMPLE)
    assert code == 0
    assert "契税" in out and "国库" in out and "财政专户" in out
    assert "买方 10,080.00" in out and "卖方 63,000.00" in out
    assert "总计：73,080.00 元" in out
    assert "待核实" in out  # unverified policy rows are said to be so


def test_a_free_cancellation_still_prints_its_zero_totals(capsys):
    code, out, _ = run(capsys, "quote", "--type", "mortgage-cancel", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["lines"] == [
        {
            "item": "登记费",
            "payer": "mortgagee",
            "account": "fiscal",
            "base": "0.00",
            "rate": "1",
            "amount": "0.00",
        }
    ]
    assert data["totals"] == {
        "by_payer": {"mortgagee": "0.00"},
        "by_account": {"fiscal": "0.00"},
        "all": "0.00",
    }


def test_extra_certificates_and_small_enterprise(capsys):
    _, out, _ = run(
        capsys,
        "quote",
        "--type",
        "mortgage",
        "--non-residential",
        "--small-enterprise",
        "--extra-certificates",
        "10",
        "--application-date",
        "2025-06-01",
        "--json",
    )
    data = json.loads(out)
    assert [(line["item"], line["amount"]) for line in data["lines"]] == [
        ("登记费", "0.00"),
        ("工本费", "100.00"),
    ]
    assert data["totals"]["all"] == "100.00"


def test_non_residential_json_stays_clean_and_the_omission_goes_to_stderr(capsys):
    code, out, err = run(
        capsys,
        "quote",
        "--type",
        "transfer",
        "--non-residential",
        "--price",
        "500000",
        "--contract-date",
        "2025-06-01",
        "--application-date",
        "2025-06-01",
        "--json",
    )
    assert code == 0
    assert [line["item"] for line in json.loads(out)["lines"]] == ["契税", "登记费"]
    assert json.loads(out)["lines"][1]["amount"] == "550.00"
    assert "税务机关核定" in err


def sale(**changes: str | None) -> list[str]:
    """A complete residential transfer's options, with some changed (None drops the option)."""
    options = {"--price": "100", "--area": "90", "--buyer-homes": "1", "--seller-years": "1"}
    options.update(changes)
    argv = ["--type", "transfer"]
    for option, value in options.items():
        if value is not None:
            argv += [option, value]
    return argv


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (sale(**{"--price": "-1"}), "--price"),
        (sale(**{"--price": None}), "成交价格"),
        (sale(**{"--price": "1e5x"}), "有效金额"),
        (sale(**{"--price": "100.001"}), "有效金额"),
        (sale(**{"--area": "90.123"}), "两位小数"),
        (sale(**{"--buyer-homes": "0"}), "--buyer-homes"),
        (sale(**{"--buyer-homes": "two"}), "整数"),
        (sale(**{"--seller-years": None}), "持有年限"),
        (sale(**{"--contract-date": "2025-13-01"}), "YYYY-MM-DD"),
        (sale(**{"--contract-date": "2025/06/01"}), "YYYY-MM-DD"),
        (sale(**{"--contract-date": "2016-01-01"}), "没有有效的政策数据"),
        (["--type", "mortgage", "--price", "100"], "不涉及交易税费"),
        (["--type", "mortgage-cancel", "--extra-certificates", "1"], "不发放证书"),
        (["--type", "mortgage", "--extra-certificates", "-1"], "--extra-certificates"),
    ],
)
def test_bad_options_exit_2_with_a_chinese_message(capsys, argv, message):
    code, out, err = run(capsys, "quote", *argv)
    assert code == 2 and out == ""
    assert err.startswith("错误：") and message in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--type", "sale"],
        ["--price", "100"],
        ["--type", "transfer", "--non-residential", "--garage", "--price", "1"],
        ["--type", "mortgage", "--district", "village"],
    ],
)
def test_argparse_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as caught:
        main(["quote", *argv])
    assert caught.value.code == 2
