"""The Octopus extension of one Banqup partner (R1–R4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain.activation import ActivationHistory
from domain.clock import utc
from domain.errors import NotAllowed


class ConnectionState(StrEnum):
    INSTALLED = "installed"
    CONNECTED = "connected"
    NEEDS_RECONNECT = "needsReconnect"


@dataclass
class Extension:
    """Installed by Banqup, connected to an Octopus account, and switched on or off for all clients.

    Connecting switches it on; the "Active" switch opens and closes activation periods (R3).
    Uninstalling switches it off and forgets the connection; the history stays for audit (R4).
    """

    partner_id: str
    installed_at: datetime
    state: ConnectionState = ConnectionState.INSTALLED
    activation: ActivationHistory = field(default_factory=ActivationHistory)
    uninstalled_at: datetime | None = None

    @property
    def is_installed(self) -> bool:
        return self.uninstalled_at is None

    @property
    def active(self) -> bool:
        return self.activation.is_active

    def reinstall(self, at: datetime) -> bool:
        """Installs again after an uninstall; False when it was installed already (R1: harmless)."""
        if self.is_installed:
            return False
        self.installed_at = utc(at, "at")
        self.uninstalled_at = None
        self.state = ConnectionState.INSTALLED
        return True

    def connected(self, at: datetime) -> None:
        """The Octopus login succeeded: the connection is good and exports are switched on."""
        self._require_installed()
        self.state = ConnectionState.CONNECTED
        self.activation = self.activation.switched_on(at)

    def connection_lost(self) -> None:
        """Octopus refused to renew the tokens: shown as needing a reconnect; mail goes on (R2)."""
        if self.state is ConnectionState.CONNECTED:
            self.state = ConnectionState.NEEDS_RECONNECT

    def switch(self, active: bool, at: datetime) -> bool:
        """The "Active" switch (R3); returns whether anything changed."""
        self._require_installed()
        if active and self.state is ConnectionState.INSTALLED:
            raise NotAllowed("connect with Octopus before switching the extension on")
        before = self.activation
        self.activation = before.switched_on(at) if active else before.switched_off(at)
        return self.activation is not before

    def uninstall(self, at: datetime) -> None:
        self._require_installed()
        self.activation = self.activation.switched_off(at)
        self.state = ConnectionState.INSTALLED
        self.uninstalled_at = utc(at, "at")

    def _require_installed(self) -> None:
        if not self.is_installed:
            raise NotAllowed("the extension is not installed")
