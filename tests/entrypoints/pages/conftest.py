"""The pages run on the same app, container and stand-in Octopus as the HTTP tests."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.entrypoints.http.conftest import client, container, partner_token, settings, world

__all__ = ["client", "container", "open_page", "settings", "world"]


async def open_page(client: AsyncTestClient[Any], path: str, partner: str, **claims: Any) -> str:
    """Opens `path` the way Banqup does, with `?token=`; returns where the browser is sent."""
    separator = "&" if "?" in path else "?"
    response = await client.get(
        f"{path}{separator}token={partner_token(partner, **claims)}", follow_redirects=False
    )
    assert response.status_code == 303, response.text
    location: str = response.headers["location"]
    return location
