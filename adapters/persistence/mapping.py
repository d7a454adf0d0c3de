"""Imperative mapping of the domain's entities to the tables: the domain never imports SQLAlchemy."""

from __future__ import annotations

from sqlalchemy.orm import registry

from adapters.persistence import tables
from domain.backfill import Backfill
from domain.client_integration import ClientIntegration
from domain.export import Export
from domain.extension import Extension

mapper_registry = registry(metadata=tables.metadata)
_mapped = False


def start_mappers() -> None:
    """Maps the entities once per process; calling it again does nothing."""
    global _mapped  # noqa: PLW0603 - the mapping is process-wide by nature
    if _mapped:
        return
    mapper_registry.map_imperatively(Extension, tables.extensions, version_id_col=tables.extensions.c.version)
    mapper_registry.map_imperatively(
        ClientIntegration, tables.client_integrations, version_id_col=tables.client_integrations.c.version
    )
    mapper_registry.map_imperatively(Export, tables.exports, version_id_col=tables.exports.c.version)
    mapper_registry.map_imperatively(Backfill, tables.backfills, version_id_col=tables.backfills.c.version)
    _mapped = True
