"""Octopus over HTTP: OAuth 2.0 with PKCE, and the dossier list behind a daily call budget."""

from adapters.octopus.account import HttpOctopusAccount
from adapters.octopus.dossier_cache import DossierCache

__all__ = ["DossierCache", "HttpOctopusAccount"]
