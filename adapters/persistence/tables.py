"""The database schema. Alembic migrations create it; `tests/adapters/persistence` checks they agree."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from adapters.persistence.types import (
    ActivationHistoryType,
    AttemptsType,
    MailboxHistoryType,
    MailboxType,
    UtcDateTime,
    ViolationsType,
)
from application.ports.repositories import OPEN_STATUSES
from domain.events import Direction, DocumentKind
from domain.export import ExportStatus, SkipReason
from domain.extension import ConnectionState

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _enum(kind: type[ExportStatus | SkipReason | Direction | DocumentKind | ConnectionState]) -> Enum:
    return Enum(
        kind,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


ID = 200  # Banqup ids are opaque; 200 characters is the most octobridge accepts

extensions = Table(
    "extensions",
    metadata,
    Column("partner_id", String(ID), primary_key=True),
    Column("installed_at", UtcDateTime, nullable=False),
    Column("state", _enum(ConnectionState), nullable=False),
    Column("activation", ActivationHistoryType, nullable=False),
    Column("uninstalled_at", UtcDateTime),
    Column("version", Integer, nullable=False),
)

client_integrations = Table(
    "client_integrations",
    metadata,
    Column("partner_id", String(ID), primary_key=True),
    Column("client_id", String(ID), primary_key=True),
    Column("mailboxes", MailboxHistoryType, nullable=False),
    Column("activation", ActivationHistoryType, nullable=False),
    Column("vat_number", String(20)),
    Column("dossier_id", Integer),
    Column("version", Integer, nullable=False),
)

_OPEN = f"status IN ({', '.join(repr(str(s)) for s in OPEN_STATUSES)})"

exports = Table(
    "exports",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("partner_id", String(ID), nullable=False),
    Column("client_id", String(ID), nullable=False),
    Column("document_id", String(ID), nullable=False),
    Column("direction", _enum(Direction), nullable=False),
    Column("kind", _enum(DocumentKind), nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("status", _enum(ExportStatus), nullable=False),
    Column("mailbox", MailboxType),
    Column("skip_reason", _enum(SkipReason)),
    Column("attempts", AttemptsType, nullable=False),
    Column("delivered_at", UtcDateTime),
    Column("message_id", Text),
    Column("last_error", Text),
    Column("violations", ViolationsType, nullable=False),
    Column("version", Integer, nullable=False),
    # R11: one export per document and direction, whatever races between processes.
    UniqueConstraint("partner_id", "client_id", "document_id", "direction"),
    # The history, newest first, and by status: each ends in the keyset cursor's (created_at, id),
    # so a page is an index range however deep, and a generic plan still uses it.
    Index(None, "partner_id", "client_id", "created_at", "id"),
    Index(None, "partner_id", "client_id", "status", "created_at", "id"),
    Index(None, "status", "created_at"),
    # The figures of /metrics: the few open exports counted, the last hour's deliveries timed.
    Index(
        "ix_exports_open_status",
        "status",
        postgresql_where=text(_OPEN),
        sqlite_where=text(_OPEN),
    ),
    Index(None, "delivered_at"),
)

received_messages = Table(
    "received_messages",
    metadata,
    Column("message_id", String(ID), primary_key=True),
    Column("received_at", UtcDateTime, nullable=False),
    Index(None, "received_at"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("export_id", String(36), ForeignKey("exports.id"), primary_key=True),
    # When the export is next due; a claim moves it to the end of the worker's lease.
    Column("available_at", UtcDateTime, nullable=False, index=True),
)

octopus_tokens = Table(
    "octopus_tokens",
    metadata,
    Column("partner_id", String(ID), primary_key=True),
    Column("sealed", LargeBinary, nullable=False),  # encrypted JSON: access and refresh token, expiry
)

# A partner's last dossier list and the times of its calls to Octopus, as JSON (domain.dossier).
octopus_dossier_lists = Table(
    "octopus_dossier_lists",
    metadata,
    Column("partner_id", String(ID), primary_key=True),
    Column("content", Text, nullable=False),
)

connect_attempts = Table(
    "connect_attempts",
    metadata,
    Column("state", String(64), primary_key=True),
    Column("partner_id", String(ID), nullable=False),
    Column("code_verifier", String(128), nullable=False),
    Column("return_url", Text, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

# Export attempts by outcome and reason class, added to by every worker every few seconds (/metrics).
attempt_counts = Table(
    "attempt_counts",
    metadata,
    Column("outcome", String(16), primary_key=True),
    Column("reason", String(16), primary_key=True),  # "" for a delivered attempt
    Column("count", BigInteger, nullable=False),
)
