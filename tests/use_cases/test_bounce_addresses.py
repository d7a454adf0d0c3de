"""The bounce address of an export (CONTRACTS §7): it names the export, and cannot be forged."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import assume, given
from hypothesis import strategies as st

from application.services.bounce_addresses import BounceAddresses

KEY = "a secret key, with ünïcode and trailing blanks  "
DOMAIN = "bounces.octobridge.example"
BOUNCES = BounceAddresses.of(KEY, DOMAIN)

export_ids = st.one_of(st.uuids().map(str), st.text(min_size=1, max_size=60))


def test_the_address_is_the_contracts() -> None:
    export_id = "0192c3a4-5b6c-7d8e-9f00-112233445566"
    tag = hmac.new(KEY.encode("utf-8"), export_id.encode("utf-8"), hashlib.sha256).hexdigest()[:16]
    assert BOUNCES.address_of(export_id) == f"bounce+{export_id}.{tag}@{DOMAIN}"
    assert tag == tag.lower()


@given(export_ids)
def test_an_address_reads_back_as_its_export(export_id: str) -> None:
    assert BOUNCES.export_of(BOUNCES.address_of(export_id)) == export_id


def test_the_domain_is_read_without_regard_to_case() -> None:
    address = BounceAddresses.of(KEY, "Bounces.Octobridge.Example").address_of("e-1")
    assert address.endswith(f"@{DOMAIN}")
    local, _, domain = address.partition("@")
    assert BOUNCES.export_of(f"{local}@{domain.upper()}") == "e-1"


@given(export_ids, export_ids)
def test_another_exports_id_under_a_tag_is_refused(export_id: str, other: str) -> None:
    assume(export_id != other)
    tag = BOUNCES.address_of(export_id).rpartition("@")[0].rpartition(".")[2]
    assert BOUNCES.export_of(f"bounce+{other}.{tag}@{DOMAIN}") is None


@given(export_ids, st.text(min_size=0, max_size=20))
def test_any_other_tag_is_refused(export_id: str, tag: str) -> None:
    good = BOUNCES.address_of(export_id).rpartition("@")[0].rpartition(".")[2]
    assume(tag != good)
    assert BOUNCES.export_of(f"bounce+{export_id}.{tag}@{DOMAIN}") is None


@given(export_ids, st.from_regex(r"[a-z0-9]{1,10}(\.[a-z0-9]{1,10}){0,3}", fullmatch=True))
def test_another_domain_is_refused(export_id: str, domain: str) -> None:
    assume(domain != DOMAIN)
    local = BOUNCES.address_of(export_id).rpartition("@")[0]
    assert BOUNCES.export_of(f"{local}@{domain}") is None


@given(export_ids)
def test_another_key_makes_another_address(export_id: str) -> None:
    forger = BounceAddresses.of(KEY.strip(), DOMAIN)  # the key is taken exactly as configured
    assert BOUNCES.export_of(forger.address_of(export_id)) is None


@given(st.text(max_size=80))
def test_anything_else_is_refused(address: str) -> None:
    assume("." not in address.rpartition("@")[0])
    assert BOUNCES.export_of(address) is None
    assert BOUNCES.export_of("postmaster@" + DOMAIN) is None
    assert BOUNCES.export_of(f"bounce+.{'0' * 16}@{DOMAIN}") is None


def test_the_key_never_shows() -> None:
    assert KEY not in repr(BOUNCES)
