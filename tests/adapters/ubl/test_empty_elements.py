"""PEPPOL-EN16931-R008 fires exactly where its official context, `//*[not(*) and not(normalize-space())]`,
selects an element: comments and processing instructions are no children, a no-break space is no space."""

from __future__ import annotations

from typing import cast

import pytest
from lxml import etree

from adapters.ubl.peppol_rules import check_peppol_rules

FRAGMENTS = {
    "empty": "<a><b/><c></c></a>",
    "spaces": "<a><b> \t\r\n </b><c>x</c></a>",
    "comment only": "<a><b><!-- c --></b><c> <!-- c --> </c></a>",
    "comment and text": "<a><b><!-- c -->x</b><c>y<!-- c --></c></a>",
    "processing instruction": "<a><b><?p q?></b></a>",
    "no-break space": "<a><b>\u00a0</b></a>",
    "element after a comment": "<a><b><!-- c --><c>x</c></b></a>",
}


@pytest.mark.parametrize("name", sorted(FRAGMENTS))
def test_r008_fires_where_the_official_context_selects(name: str) -> None:
    root = etree.fromstring(FRAGMENTS[name].encode())
    tree = root.getroottree()
    official = cast(list[etree._Element], tree.xpath("//*[not(*) and not(normalize-space())]"))
    fired = [v.location for v in check_peppol_rules(root) if v.rule_id == "PEPPOL-EN16931-R008"]
    assert fired == [tree.getpath(e) for e in official]
