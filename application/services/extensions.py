"""Loading a partner's extension."""

from __future__ import annotations

from application.errors import NotFound
from application.ports.unit_of_work import UnitOfWork
from domain.extension import Extension


async def load_installed(uow: UnitOfWork, partner_id: str) -> Extension:
    """The partner's installed extension, or `NotFound`."""
    extension = await uow.extensions.get(partner_id)
    if extension is None or not extension.is_installed:
        raise NotFound("the extension is not installed for this partner")
    return extension
