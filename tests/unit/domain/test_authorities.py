"""Who registers where (条例 §7, REFERENCE §4a): the shipped agencies and their look-ups."""

import pytest
from stdnum.cn import uscc

from registry_desk.domain.authorities import Authorities
from registry_desk.domain.errors import NotFound, RuleViolation
from registry_desk.kernel.authorities import policy_authorities


def test_shapotou_is_registered_by_the_city_and_each_county_by_its_own_agency():
    # 条例 §7: a 设区的市 unifies its districts (沙坡头区), not its counties.
    authorities = policy_authorities()
    assert authorities.agency_for_county("640502").number_place == "中卫市"
    assert authorities.agency_for_county("640521000000GB00001F00010001").name == "中宁县自然资源局"
    assert authorities.agency_for_county("640522").number_place == "海原县"
    assert authorities.tax_bureau_for(authorities.agency("zhongwei")).name == "国家税务总局中卫市税务局"


def test_a_unit_outside_the_city_names_the_rule():
    with pytest.raises(NotFound, match="条例第七条|不在本市"):
        policy_authorities().agency_for_county("110105")


def test_every_demo_uscc_has_a_valid_check_character():
    authorities = policy_authorities()
    codes = [a.uscc for a in authorities.agencies] + [t.uscc for t in authorities.tax_bureaus]
    codes.append(authorities.fiscal_bureau.uscc)
    assert all(uscc.is_valid(code) for code in codes), codes


def test_a_county_claimed_by_two_agencies_is_refused():
    data = {
        "registration_agencies": [
            {
                "key": k,
                "name": k,
                "number_place": k,
                "seal_key": k,
                "counties": ["640521"],
                "uscc": "x",
                "tax_bureau": "t",
                "source": "",
            }
            for k in ("a", "b")
        ],
        "tax_bureaus": [{"key": "t", "name": "t", "uscc": "x"}],
        "fiscal_bureau": {"key": "f", "name": "f", "seal_text": "s", "uscc": "x"},
    }
    with pytest.raises(RuleViolation, match="640521"):
        Authorities.from_policy(data)
