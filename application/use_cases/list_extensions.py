"""Listing the extensions, for operators."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from application.views import ExtensionView, Struct


class Extensions(Struct):
    items: list[ExtensionView]


class ListExtensions:
    """Every extension, installed or not, for operators."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self) -> Extensions:
        async with self._uow() as uow:
            return Extensions([ExtensionView.of(e) for e in await uow.extensions.list()])
