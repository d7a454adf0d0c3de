"""Octopus over HTTP: OAuth 2.0 with PKCE, and the dossier list."""

from adapters.octopus.account import HttpOctopusAccount

__all__ = ["HttpOctopusAccount"]
