"""Shared material for the Peppol tests: the official files in `<repo>/../shared/peppol`."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
PEPPOL_MATERIAL = (REPO.parent / "shared" / "peppol").resolve()


def material(*parts: str) -> Path:
    """A path in the official test material; the test skips when the material is not there."""
    path = PEPPOL_MATERIAL.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"official Peppol test material not found at {path} (see ../shared/peppol/README.md)")
    return path


@pytest.fixture(scope="session")
def toolkit():  # type: ignore[no-untyped-def]
    """One toolkit per test session: the XSLT is compiled once."""
    from adapters.ubl import PeppolUblToolkit

    return PeppolUblToolkit()
