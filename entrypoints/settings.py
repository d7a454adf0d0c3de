"""Settings: read once from the environment (prefix `OCTOBRIDGE_`, CONTRACTS §2) by each entrypoint.

In production (`OCTOBRIDGE_ENV=production`) they are refused, one line per variable at fault, unless
they name real services: PostgreSQL, an SMTP relay, Banqup and Octopus, and secrets of at least 32
characters given by the operator. An outside service's URL names a stand-in when its host is a
loopback address, 0.0.0.0, `localhost` or a name under `.localhost`: where the demo serves its
stand-ins (docs/decisions/0009).
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
import tempfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import msgspec

from domain.errors import InvalidValue
from domain.mailbox import Mailbox

PREFIX = "OCTOBRIDGE_"
GENERATED = ("webhook_secret", "api_token_secret", "secret_key")
ENVIRONMENTS = ("development", "production")
LOG_FORMATS = ("console", "json")
STAND_IN_BANQUP = "http://127.0.0.1:8001"
MIN_SECRET_LENGTH = 32
# A backfill may bring documents from the whole day 400 days ago (by its UTC date): the exports made
# for them, however early that day, must still be there to refuse a second export of them (R11).
MIN_RETENTION_DAYS = 401
OUTSIDE_SERVICES = {
    "banqup_api_url": "Banqup's API",
    "octopus_oauth_url": "Octopus",
    "octopus_api_url": "Octopus",
}


class SettingsError(Exception):
    """Settings that cannot be used: one line per variable at fault, each naming its variable."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class Settings(msgspec.Struct, kw_only=True, frozen=True):
    env: str = "development"
    database_url: str = "sqlite+aiosqlite:///./var/octobridge.db"
    broker_url: str = ""
    smtp_url: str = ""
    mail_from: str = "octobridge@localhost"
    # the stand-in Banqup, as `octobridge demo --keep-running` serves it
    banqup_api_url: str = STAND_IN_BANQUP
    banqup_client_id: str = "octobridge"
    banqup_client_secret: str = "stand-in-secret"  # noqa: S105 - the stand-in's, public by design
    octopus_api_url: str = ""
    octopus_oauth_url: str = ""
    octopus_software_house_id: str = ""
    octopus_client_secret: str = ""
    webhook_secret: str = ""
    api_token_secret: str = ""
    secret_key: str = ""
    retry_base_seconds: float = 60
    retry_max_seconds: float = 4000
    retry_horizon_hours: float = 120
    lease_seconds: float = 300
    broker_prefetch: int = 100
    broker_delivery_limit: int = 10
    banqup_status_reports: bool = False
    public_url: str = "http://127.0.0.1:8000"
    allowed_return_origins: tuple[str, ...] = ("http://127.0.0.1:8000",)
    peppol_xslt_dir: str = ""
    var_dir: str = "./var"
    log_format: str = ""  # empty: `json` in production, `console` otherwise
    # how long delivered and skipped exports are kept; 0 keeps them for ever (docs/decisions/0011)
    retention_days: int = MIN_RETENTION_DAYS
    # the domain whose mail reaches `octobridge bounces` (CONTRACTS §8); empty: no envelope sender per export
    bounce_domain: str = ""

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def json_logs(self) -> bool:
        """Whether logs are written as one JSON object a line (`LOG_FORMAT`, by default in production)."""
        return (self.log_format or ("json" if self.production else "console")) == "json"

    @property
    def outbox_dir(self) -> Path:
        """Where mail goes as `.eml` files when no SMTP relay is configured."""
        return Path(self.var_dir) / "outbox"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings in `environ` (the process environment by default); secrets not given are
        generated once into `var_dir`, except in production, where that is refused."""
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name, field_type in _fields().items():
            raw = environ.get(PREFIX + name.upper())
            if raw is not None:
                values[name] = _convert(name, raw, field_type)
        try:
            settings = msgspec.convert(values, cls)
        except msgspec.ValidationError as exc:
            raise SettingsError(f"{PREFIX}: {exc}") from exc
        if settings.env not in ENVIRONMENTS:
            raise SettingsError(f"{PREFIX}ENV must be one of {', '.join(ENVIRONMENTS)}, not {settings.env!r}")
        if settings.log_format not in ("", *LOG_FORMATS):
            raise SettingsError(
                f"{PREFIX}LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {settings.log_format!r}"
            )
        if settings.retention_days != 0 and settings.retention_days < MIN_RETENTION_DAYS:
            raise SettingsError(
                f"{PREFIX}RETENTION_DAYS must be 0 (keep for ever) or at least {MIN_RETENTION_DAYS}, "
                f"not {settings.retention_days}"
            )
        if settings.bounce_domain and (fault := _domain_fault(settings.bounce_domain)):
            raise SettingsError(f"{PREFIX}BOUNCE_DOMAIN {fault}")
        if settings.production:
            faults = settings.production_faults()
            if faults:
                raise SettingsError(*faults)
            return settings
        return settings._with_secrets()

    def production_faults(self) -> list[str]:
        """What keeps these settings from running in production, one line per variable at fault."""
        faults: dict[str, str] = {}
        dialect = _dialect(self.database_url)
        if dialect != "postgresql":
            faults["database_url"] = "must name PostgreSQL in production (postgresql+asyncpg://…)" + (
                ", not SQLite" if dialect == "sqlite" else ""
            )
        if not self.smtp_url:
            faults["smtp_url"] = (
                "must name the SMTP relay in production; without it mail is only written to files"
            )
        for name, service in OUTSIDE_SERVICES.items():
            if fault := _stand_in_fault(getattr(self, name)):
                faults[name] = f"must name {service} in production; it {fault}"
        for name in GENERATED:
            if fault := _weak_secret_fault(getattr(self, name)):
                faults[name] = fault
        return [f"{PREFIX}{name.upper()} {fault}" for name, fault in faults.items()]

    def _with_secrets(self) -> Settings:
        missing = [name for name in GENERATED if not getattr(self, name)]
        if not missing:
            return self
        generated = _generated_secrets(Path(self.var_dir) / "secrets.json")
        return msgspec.structs.replace(self, **{name: generated[name] for name in missing})


def _fields() -> dict[str, object]:
    return {f.name: f.type for f in msgspec.structs.fields(Settings)}


def _dialect(database_url: str) -> str:
    """`sqlite` for `sqlite+aiosqlite:///…`: the database part of an SQLAlchemy URL's scheme."""
    return urlsplit(database_url).scheme.partition("+")[0].lower()


def _weak_secret_fault(secret: str) -> str | None:
    """Why `secret` cannot serve in production, or None; never quoting it."""
    if not secret:
        return "must be set in production (a generated secret is for development)"
    if len(secret) < MIN_SECRET_LENGTH:
        return f"must be at least {MIN_SECRET_LENGTH} characters long in production, not {len(secret)}"
    return None


def _domain_fault(domain: str) -> str | None:
    """Why `domain` cannot be the domain of addresses (the bounce addresses are), or None; the rules
    are a mailbox's (`Mailbox`)."""
    try:
        Mailbox.parse(f"postmaster@{domain}")
    except InvalidValue:
        return f"must be a domain name like bounces.example.com, not {domain!r}"
    return None


def _stand_in_fault(url: str) -> str | None:
    """Why `url` cannot name an outside service in production (see the module's docstring), or None."""
    if not url:
        return "is empty"
    try:
        parts = urlsplit(url)
        scheme, host = parts.scheme, (parts.hostname or "").rstrip(".")
    except ValueError:  # e.g. an unclosed IPv6 bracket
        scheme, host = "", ""
    if scheme not in ("http", "https") or not host:
        return "is not an http(s) URL"
    if host.rpartition(".")[2] == "localhost" or _local_address(host):
        return f"names {host}, where the stand-ins run"
    return None


def _local_address(host: str) -> bool:
    """Whether `host` is an IP address of this machine's own: loopback (also IPv4-mapped) or 0.0.0.0."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return (mapped or address).is_loopback or address.is_unspecified


def _convert(name: str, raw: str, field_type: object) -> object:
    variable = PREFIX + name.upper()
    if field_type is bool:
        if raw.lower() not in ("1", "true", "yes", "0", "false", "no", ""):
            raise SettingsError(f"{variable} must be 1 or 0, not {raw!r}")
        return raw.lower() in ("1", "true", "yes")
    if field_type in (float, int):
        try:
            return float(raw) if field_type is float else int(raw)
        except ValueError as exc:
            raise SettingsError(f"{variable} must be a number, not {raw!r}") from exc
    if name == "allowed_return_origins":
        origins = tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())
        for origin in origins:
            parts = urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
                raise SettingsError(f"{variable} holds {origin!r}, which is not an origin like https://host")
        return origins
    return raw


def _generated_secrets(path: Path) -> dict[str, str]:
    """Secrets kept in a file readable by the owner only, made on first use. When two processes
    start together (the API and the worker), the first to write wins and the other reads its file."""
    stored = _stored_secrets(path)
    if stored is not None and all(stored.get(name) for name in GENERATED):
        return stored
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fresh = {name: secrets.token_urlsafe(32) for name in GENERATED}
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secrets-")  # mode 0600
    try:
        with os.fdopen(descriptor, "w") as handle:
            json.dump(fresh, handle)
        if stored is None:
            os.link(temporary, path)  # fails if another process made the file meanwhile
        else:
            os.replace(temporary, path)  # an incomplete file, from an older octobridge
    except FileExistsError:
        return _generated_secrets(path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return fresh


def _stored_secrets(path: Path) -> dict[str, str] | None:
    try:
        stored: dict[str, str] = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (ValueError, OSError) as exc:
        raise SettingsError(
            f"{path} cannot be read as generated secrets; remove it to make new ones"
        ) from exc
    return stored
