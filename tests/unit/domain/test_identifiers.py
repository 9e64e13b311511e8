"""Identifiers with their check characters: worked examples, every failure message, and error detection."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from registry_desk.domain.codes import IdType
from registry_desk.domain.errors import ValidationError
from registry_desk.domain.identifiers import (
    ECERT_TYPE_REGISTRATION_PROOF,
    ECERT_TYPE_RIGHT_CERTIFICATE,
    EcertId,
    UnitNumber,
    birth_date,
    convert_15_to_18,
    ecert_check_char,
    format_unit_number,
    gender,
    is_valid_resident_id,
    is_valid_uscc,
    make_ecert_id,
    mask_resident_id,
    parse_ecert_id,
    parse_unit_number,
    resident_id_check_char,
    uscc_check_char,
    validate_party_id,
    validate_resident_id,
    validate_uscc,
)
from tests.strategies import ZHONGWEI_COUNTY_CODES, ecert_ids, resident_ids, unit_numbers, usccs

# No deadline: these tests loop over every substitution, and a busy 2-core box must not make them flaky.
PROPERTY = settings(deadline=None, max_examples=80)

DIGITS = "0123456789"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

ECERT_EXAMPLE_PROOF = "1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9"
ECERT_EXAMPLE_OTHER = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"


def substitutions(text: str, alphabet: str, positions: range | None = None):
    """Every string that differs from `text` in exactly one position, the new character from `alphabet`."""
    for index in positions if positions is not None else range(len(text)):
        for char in alphabet:
            if char != text[index]:
                yield index, text[:index] + char + text[index + 1 :]


def refusal(call, *args) -> str:
    with pytest.raises(ValidationError) as info:
        call(*args)
    return str(info.value)


# ---------------------------------------------------------------------------------------------------------
# 居民身份证号码
# ---------------------------------------------------------------------------------------------------------


class TestResidentId:
    @pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
    def test_reference_examples_are_valid(self, number):
        assert validate_resident_id(number) == number
        assert is_valid_resident_id(number)

    def test_lowercase_x_and_surrounding_spaces_are_normalised(self):
        assert validate_resident_id("  11010519491231002x\n") == "11010519491231002X"

    def test_check_character_of_the_reference_example(self):
        assert resident_id_check_char("11010519491231002") == "X"
        assert resident_id_check_char("44052418800101001") == "4"

    def test_zhongwei_number_older_than_its_district_is_accepted(self):
        # 沙坡头区 (640502) dates from 2004; a person born in 1980 whose ID was first issued there holds
        # such a number.  stdnum refuses it by its county-by-year table, the counter must not.
        first17 = "64050219800101001"
        number = first17 + resident_id_check_char(first17)
        assert not stdnum_ric.is_valid(number)
        assert validate_resident_id(number) == number

    def test_birth_date_and_gender(self):
        assert birth_date("11010519491231002X") == date(1949, 12, 31)
        assert gender("11010519491231002X") == "女"  # 顺序码 002: even
        assert birth_date("440524188001010014") == date(1880, 1, 1)
        assert gender("440524188001010014") == "男"  # 顺序码 001: odd

    def test_kiosk_mask_keeps_first_four_and_last_four(self):
        assert mask_resident_id("11010519491231002x") == "1101**********002X"
        masked = mask_resident_id("440524188001010014")
        assert len(masked) == 18 and masked.count("*") == 10
        assert "18800101" not in masked  # the birth date is what the mask is for

    def test_fifteen_to_eighteen(self):
        assert convert_15_to_18("110105491231002") == "11010519491231002X"
        assert convert_15_to_18(" 440524800101001 ") == "440524198001010014"[:17] + resident_id_check_char(
            "44052419800101001"
        )

    @PROPERTY
    @given(resident_ids(born_from=date(1900, 1, 1), born_to=date(1999, 12, 31)))
    def test_fifteen_to_eighteen_restores_any_twentieth_century_number(self, number):
        old = number[:6] + number[8:17]
        assert convert_15_to_18(old) == number

    def test_fifteen_digit_number_with_impossible_date_is_refused(self):
        message = refusal(convert_15_to_18, "110105490230002")
        assert "出生日期" in message and "19490230" in message

    def test_fifteen_digit_input_to_validate_asks_for_the_upgrade(self):
        message = refusal(validate_resident_id, "110105491231002")
        assert "位数" in message and "15位旧号码请先升位" in message

    @pytest.mark.parametrize(
        ("number", "rule"),
        [
            ("11010519491231002", "位数"),
            ("11010519491231002X0", "位数"),
            ("1101051949123100X2", "字符"),
            ("11010519491231002Y", "字符"),
            ("99010519491231002X", "地址码"),
            ("110105194902300021", "出生日期"),
            ("110105194913010021", "出生日期"),
            ("110105179912310021", "出生日期"),
            ("110105194912310031", "校验码"),
        ],
    )
    def test_each_failure_names_its_rule_and_the_number(self, number, rule):
        message = refusal(validate_resident_id, number)
        assert rule in message
        assert number in message  # the clerk typed it; show it whole
        assert "GB 11643-1999" in message
        assert not is_valid_resident_id(number)

    def test_check_failure_does_not_reveal_the_expected_character(self):
        message = refusal(validate_resident_id, "110105194912310031")
        assert "校验码不符" in message and "应为“" not in message

    def test_birth_after_today_is_refused_when_the_caller_gives_today(self):
        first17 = "64050220260601002"
        number = first17 + resident_id_check_char(first17)
        assert validate_resident_id(number, today=date(2026, 6, 1)) == number
        message = refusal(lambda n: validate_resident_id(n, today=date(2026, 5, 31)), number)
        assert "出生日期" in message and "2026-06-01" in message

    def test_weights_detect_every_single_digit_substitution(self):
        # Σ wᵢ·dᵢ mod 11 changes by wᵢ·δ for a substitution δ ∈ ±1..±9; 11 is prime and no weight is a
        # multiple of 11, so wᵢ·δ is never ≡ 0: the check character (11 distinct symbols) always changes.
        weights = [pow(2, 17 - i, 11) for i in range(17)]  # GB 11643: Wᵢ = 2^(i-1) mod 11, from the right
        assert weights == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        assert all((w * delta) % 11 for w in weights for delta in range(-9, 10) if delta)
        assert len(set("10X98765432")) == 11

    @PROPERTY
    @given(resident_ids())
    def test_generated_numbers_pass_and_agree_with_stdnum(self, number):
        assert validate_resident_id(number) == number
        assert resident_id_check_char(number[:17]) == stdnum_ric.calc_check_digit(number)

    @PROPERTY
    @given(resident_ids())
    def test_every_single_substitution_is_refused(self, number):
        for index, changed in substitutions(number, DIGITS + "X"):
            if index < 17 and changed[index] == "X":
                continue  # covered by the 字符 rule; not a substitution the check digit is asked to catch
            assert not is_valid_resident_id(changed), f"位置{index + 1}替换后仍通过：{changed}"

    @PROPERTY
    @given(resident_ids(regions=ZHONGWEI_COUNTY_CODES, sex="女"))
    def test_strategy_parameters_are_honoured(self, number):
        assert number[:6] in ZHONGWEI_COUNTY_CODES
        assert gender(number) == "女"


# ---------------------------------------------------------------------------------------------------------
# 统一社会信用代码
# ---------------------------------------------------------------------------------------------------------

# Public codes: the reference example and codes quoted in python-stdnum issue #207 and
# jaywcjlove/regexp-example issue #23 (an 个体工商户 code a strict regex wrongly refused).
PUBLIC_USCCS = [
    "91110000600037341L",
    "91420684MA4927PJ7B",
    "9144030071526726XG",
    "91310000631696382C",
    "121200004013590816",
    "92141127MA0KD1Y64A",
]


def reference_uscc_check(first17: str) -> str:
    """GB 32100-2015 written out again: weights are 3^(i-1) mod 31."""
    total = sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return USCC_ALPHABET[(31 - total % 31) % 31]


class TestUscc:
    @pytest.mark.parametrize("code", PUBLIC_USCCS)
    def test_public_codes_are_valid(self, code):
        assert validate_uscc(code) == code

    def test_lower_case_and_spaces_are_normalised(self):
        assert validate_uscc(" 91110000600037341l ") == "91110000600037341L"

    def test_sum_divisible_by_31_gives_check_zero(self):
        # Find the body ending that makes Σ ≡ 0 (mod 31): the check must be "0", not alphabet[31].
        body = next(
            "91640502MA7NP002" + last
            for last in USCC_ALPHABET
            if sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate("91640502MA7NP002" + last))
            % 31
            == 0
        )
        assert uscc_check_char(body) == "0"
        assert validate_uscc(body + "0") == body + "0"
        assert all(not is_valid_uscc(body + other) for other in USCC_ALPHABET if other != "0")

    def test_collective_economic_organisation_code_is_accepted(self):
        # 登记管理部门 N (农业), 机构类别 2 (村级集体经济组织): the holder of 集体土地所有权.
        first17 = "N2640502MA0000012"
        code = first17 + uscc_check_char(first17)
        assert not stdnum_uscc.is_valid(code)  # why we wrap stdnum instead of calling its validate
        assert validate_uscc(code) == code

    @pytest.mark.parametrize(
        ("code", "rule"),
        [
            ("9111000060003734L", "位数"),
            ("91110000600037341LL", "位数"),
            ("91110000600O37341L", "字符"),
            ("91110000600037341I", "字符"),
            ("911100-0600037341L", "字符"),
            ("9111A000600037341L", "行政区划码"),
            ("91110000600037341M", "校验码"),
        ],
    )
    def test_each_failure_names_its_rule_and_the_code(self, code, rule):
        message = refusal(validate_uscc, code)
        assert rule in message and code in message and "GB 32100-2015" in message
        assert not is_valid_uscc(code)

    def test_weights_detect_every_single_substitution(self):
        weights = [pow(3, i, 31) for i in range(17)]
        assert weights == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
        # 31 is prime and every |δ| < 31, so wᵢ·δ ≢ 0 (mod 31).
        assert all((w * delta) % 31 for w in weights for delta in range(-30, 31) if delta)

    @PROPERTY
    @given(usccs())
    def test_generated_codes_pass_and_agree_with_independent_computations(self, code):
        assert validate_uscc(code) == code
        assert uscc_check_char(code[:17]) == reference_uscc_check(code[:17]) == code[17]

    @PROPERTY
    @given(usccs())
    def test_every_single_substitution_in_the_alphabet_is_refused(self, code):
        for index, changed in substitutions(code, USCC_ALPHABET):
            assert not is_valid_uscc(changed), f"位置{index + 1}替换后仍通过：{changed}"


# ---------------------------------------------------------------------------------------------------------
# 不动产单元号
# ---------------------------------------------------------------------------------------------------------


class TestUnitNumber:
    def test_real_example_splits_into_its_segments(self):
        unit = parse_unit_number("152201009009GB00054F03031101")
        assert unit == UnitNumber("152201", "009", "009", "GB", "00054", "F", "03031101")
        assert unit.parcel_code == "152201009009GB00054"
        assert unit.land_ownership_label == "国有"
        assert unit.parcel_use_label == "建设用地使用权（地表）"
        assert unit.fixture_label == "房屋"
        assert (unit.building_no, unit.room_no) == ("0303", "1101")
        assert unit.county_label == "未知区县"
        assert str(unit) == "152201009009GB00054F03031101"

    def test_second_real_example(self):
        unit = parse_unit_number("320311001021GB00233F00010013")
        assert (unit.building_no, unit.room_no) == ("0001", "0013")

    @pytest.mark.parametrize(
        ("county", "label"),
        [("640500", "中卫市"), ("640502", "沙坡头区"), ("640521", "中宁县"), ("640522", "海原县")],
    )
    def test_zhongwei_county_labels(self, county, label):
        assert parse_unit_number(f"{county}001001JC00012F00010001").county_label == label

    def test_collective_homestead_without_house(self):
        unit = parse_unit_number("640521003002jc00311w00000000")
        assert unit.land_ownership_label == "集体"
        assert unit.parcel_use_label == "宅基地使用权"
        assert unit.fixture_label == "无"
        assert unit.building_no is None and unit.room_no is None

    def test_format_builds_a_house_unit(self):
        assert format_unit_number(640502, 1, 2, "GB", 17, "F", 3, 101) == "640502001002GB00017F00030101"
        assert (
            format_unit_number("640502", "001", "002", "gb", 17, "f", 3, 101)
            == "640502001002GB00017F00030101"
        )

    def test_format_builds_land_only_and_forest_units(self):
        assert format_unit_number(640522, 5, 1, "JA", 1, "W") == "640522005001JA00001W00000000"
        forest = format_unit_number(640522, 5, 1, "JE", 2, "L", fixture_unit=12)
        assert forest == "640522005001JE00002L00000012"
        assert parse_unit_number(forest).fixture_label == "林木"

    def test_format_refuses_numbers_too_long_for_their_segment(self):
        assert "户号" in refusal(format_unit_number, 640502, 1, 2, "GB", 17, "F", 3, 10000)
        assert "宗地顺序号" in refusal(format_unit_number, 640502, 1, 2, "GB", 100000, "F", 3, 1)

    @pytest.mark.parametrize(
        ("code", "segment"),
        [
            ("640502001002GB00017F0003010", "位数"),
            ("6405020O1002GB00017F00030101", "地籍区"),
            ("640502001OO2GB00017F00030101", "地籍子区"),
            ("990502001002GB00017F00030101", "县级行政区划代码"),
            ("64A502001002GB00017F00030101", "县级行政区划代码"),
            ("640502001002QB00017F00030101", "宗地特征码"),
            ("640502001002GZ00017F00030101", "宗地特征码"),
            ("640502001002GA00017F00030101", "宗地特征码"),
            ("640502001002ZC00017F00030101", "宗地特征码"),
            ("640502001002GB0001AF00030101", "宗地顺序号"),
            ("640502001002GB00017K00030101", "定着物特征码"),
            ("640502001002GB00017F0003010A", "定着物单元编号"),
            ("640502001002GB00017W00030101", "定着物单元编号"),
        ],
    )
    def test_each_failure_names_the_segment_and_the_number(self, code, segment):
        message = refusal(parse_unit_number, code)
        assert segment in message and code in message and "GB/T 37346" in message

    def test_collective_only_codes_explain_the_rule(self):
        message = refusal(parse_unit_number, "640502001002GC00017F00030101")
        assert "宅基地" in message and "仅用于集体土地" in message

    @PROPERTY
    @given(unit_numbers())
    def test_generated_numbers_pass_and_print_back_unchanged(self, code):
        assert str(parse_unit_number(code)) == code

    @PROPERTY
    @given(unit_numbers(counties=ZHONGWEI_COUNTY_CODES, fixtures="F"))
    def test_format_rebuilds_every_house_unit(self, code):
        unit = parse_unit_number(code)
        rebuilt = format_unit_number(
            unit.county_code,
            unit.cadastral_district,
            unit.cadastral_subdistrict,
            unit.parcel_feature,
            int(unit.parcel_seq),
            unit.fixture_feature,
            int(unit.building_no or 0),
            int(unit.room_no or 0),
        )
        assert rebuilt == code
        assert unit.county_label != "未知区县"

    @PROPERTY
    @given(unit_numbers())
    def test_substitutions_only_the_code_lists_can_catch(self, code):
        # No check digit: a letter where a digit belongs, or a letter outside a code list, is refused;
        # a digit typed for another digit is NOT detectable and yields another well-formed number.
        letter_positions = {12, 13, 19}
        for index, changed in substitutions(code, DIGITS + "IKOV"):
            if index in letter_positions or changed[index] in "IKOV":
                assert not _parses(changed), changed
        digit_swap = code[:14] + ("1" if code[14] != "1" else "2") + code[15:]
        assert _parses(digit_swap)


def _parses(code: str) -> bool:
    try:
        parse_unit_number(code)
    except ValidationError:
        return False
    return True


# ---------------------------------------------------------------------------------------------------------
# 电子证照标识
# ---------------------------------------------------------------------------------------------------------


def reference_mod_37_36(body: str) -> str:
    """ISO 7064 hybrid MOD 37,36 written from the standard's description, to compare with stdnum."""
    product = 36
    for char in body:
        total = (product + ALNUM.index(char)) % 36 or 36
        product = (total * 2) % 37
    return ALNUM[(1 - product) % 36]


class TestEcertId:
    def test_verified_examples_parse(self):
        proof = parse_ecert_id(ECERT_EXAMPLE_PROOF)
        assert proof == EcertId(ECERT_TYPE_REGISTRATION_PROOF, "340100", "000000016", 1, "9")
        assert proof.type_label == "不动产登记证明"
        assert str(proof) == ECERT_EXAMPLE_PROOF
        other = parse_ecert_id(ECERT_EXAMPLE_OTHER)
        assert other.issuer == "11430000006122244L" and other.check == "U"
        assert other.type_label == "其他证照"

    def test_check_characters_of_the_verified_examples(self):
        assert ecert_check_char(ECERT_TYPE_REGISTRATION_PROOF, "340100", "000000016", 1) == "9"
        assert ecert_check_char("11100000000013338W011", "11430000006122244L", "20230000403", "001") == "U"
        assert reference_mod_37_36("11100000MB03271699022340100000000016001") == "9"

    def test_make_builds_a_parseable_identifier(self):
        made = make_ecert_id(ECERT_TYPE_RIGHT_CERTIFICATE, "640502", "000000123")
        assert made.startswith("1.2.156.3005.2.11100000MB03271699001.640502.000000123.001.")
        assert parse_ecert_id(made).type_label == "不动产权证"
        assert (
            parse_ecert_id(make_ecert_id(ECERT_TYPE_RIGHT_CERTIFICATE, "640502", "7", version=12)).version
            == 12
        )

    @pytest.mark.parametrize(
        ("text", "rule"),
        [
            ("1.2.156.3005.3.11100000MB03271699022.340100.000000016.001.9", "前缀"),
            ("1.2.156.3005.2.11100000MB03271699022.340100.000000016.9", "段数"),
            ("1.2.156.3005.2.11100000MB0327169902.340100.000000016.001.9", "证照类型代码"),
            ("1.2.156.3005.2.11100000MB03271699022.3401.000000016.001.9", "颁发机构代码"),
            ("1.2.156.3005.2.11100000MB03271699022.340100..001.9", "证照编号"),
            ("1.2.156.3005.2.11100000MB03271699022.340100.000000016.01.9", "版本号"),
            ("1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.8", "校验位"),
        ],
    )
    def test_each_failure_names_its_rule(self, text, rule):
        message = refusal(parse_ecert_id, text)
        assert rule in message and text in message

    def test_letters_in_the_version_are_refused_even_with_a_matching_check(self):
        body = "11100000MB03271699022" + "340100" + "000000016" + "0A1"
        text = f"1.2.156.3005.2.11100000MB03271699022.340100.000000016.0A1.{reference_mod_37_36(body)}"
        assert "版本号" in refusal(parse_ecert_id, text)

    def test_make_refuses_a_malformed_part(self):
        assert "颁发机构代码" in refusal(make_ecert_id, ECERT_TYPE_RIGHT_CERTIFICATE, "64-05", "1")

    def test_hybrid_system_detects_every_single_substitution_exhaustively(self):
        # The running value after each character is a bijection of the previous one for a fixed character
        # (x ↦ 2·x mod 37 permutes 1..36, "or 36" maps 0..35 onto 1..36) and, for a fixed previous value,
        # differs for every different character; so two bodies differing in one place end in different
        # states and need different check characters.  Verified over all 36 states × 36 characters.
        def step(product: int, value: int) -> int:
            return (((product + value) % 36 or 36) * 2) % 37

        for product in range(1, 37):
            assert len({step(product, value) for value in range(36)}) == 36
        for value in range(36):
            assert len({step(product, value) for product in range(1, 37)}) == 36
        assert len({(1 - product) % 36 for product in range(1, 37)}) == 36

    @pytest.mark.parametrize("example", [ECERT_EXAMPLE_PROOF, ECERT_EXAMPLE_OTHER])
    def test_every_single_substitution_of_the_verified_examples_is_refused(self, example):
        for index, changed in substitutions(example, ALNUM + "."):
            assert not _parses_ecert(changed), f"位置{index + 1}替换后仍通过：{changed}"

    @PROPERTY
    @given(ecert_ids())
    def test_generated_identifiers_pass_and_agree_with_the_reference(self, text):
        parsed = parse_ecert_id(text)
        assert str(parsed) == text
        body = parsed.type_code + parsed.issuer + parsed.serial + f"{parsed.version:03d}"
        assert reference_mod_37_36(body) == parsed.check

    @settings(deadline=None, max_examples=30)
    @given(ecert_ids())
    def test_every_single_substitution_is_refused(self, text):
        for index, changed in substitutions(text, ALNUM + ".", range(len("1.2.156.3005.2."), len(text))):
            assert not _parses_ecert(changed), f"位置{index + 1}替换后仍通过：{changed}"


def _parses_ecert(text: str) -> bool:
    try:
        parse_ecert_id(text)
    except ValidationError:
        return False
    return True


# ---------------------------------------------------------------------------------------------------------
# 证件号码 by 证件种类
# ---------------------------------------------------------------------------------------------------------


class TestPartyId:
    def test_dispatches_to_resident_id_and_uscc(self):
        assert validate_party_id(IdType.RESIDENT_ID, "11010519491231002x") == "11010519491231002X"
        assert validate_party_id(IdType.USCC, "91110000600037341L") == "91110000600037341L"
        assert "校验码" in refusal(validate_party_id, IdType.RESIDENT_ID, "110105194912310031")
        assert "校验码" in refusal(validate_party_id, IdType.USCC, "91110000600037341M")

    def test_accepts_the_stored_code_as_well_as_the_enum(self):
        assert validate_party_id("414", " e12345678 ") == "E12345678"
        assert "未知的证件种类代码“999”" in refusal(validate_party_id, "999", "E12345678")

    @pytest.mark.parametrize(
        ("id_type", "number"),
        [
            (IdType.PASSPORT, "EA1234567"),
            (IdType.HK_MACAO_PERMIT, "H12345678"),
            (IdType.TAIWAN_PERMIT, "12345678"),
        ],
    )
    def test_documents_without_check_digits(self, id_type, number):
        assert validate_party_id(id_type, number) == number

    @pytest.mark.parametrize(
        ("id_type", "number", "words"),
        [
            (IdType.PASSPORT, "  ", "护照号码不能为空"),
            (IdType.PASSPORT, "E1234-5678", "只能包含数字和大写英文字母"),
            (IdType.PASSPORT, "Ｅ12345678", "只能包含数字和大写英文字母"),
            (IdType.HK_MACAO_PERMIT, "H1234", "位数不符"),
            (IdType.TAIWAN_PERMIT, "12345678901", "位数不符"),
        ],
    )
    def test_refusals_name_the_document(self, id_type, number, words):
        message = refusal(validate_party_id, id_type, number)
        assert words in message and id_type.label in message

    @given(st.sampled_from([IdType.RESIDENT_ID, IdType.USCC]), st.text(max_size=20))
    @settings(deadline=None, max_examples=200)
    def test_arbitrary_text_is_refused_cleanly_or_accepted(self, id_type, text):
        # Whatever a clerk pastes, the answer is a value or a ValidationError, never a crash.
        try:
            validate_party_id(id_type, text)
        except ValidationError:
            pass
