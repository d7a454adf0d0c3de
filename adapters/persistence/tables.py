"""The database schema. Alembic migrations create it; `tests/adapters/persistence` checks they agree."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
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
    MailboxRefusalType,
    MailboxType,
    UtcDateTime,
    ViolationsType,
)
from application.ports.repositories import OPEN_STATUSES
from domain.backfill import BackfillState
from domain.events import Direction, DocumentKind
from domain.export import ExportOrigin, ExportStatus, HoldReason, SkipReason
from domain.extension import ConnectionState

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


_Kind = (
    ExportStatus
    | SkipReason
    | Direction
    | DocumentKind
    | ConnectionState
    | HoldReason
    | ExportOrigin
    | BackfillState
)


def _enum(kind: type[_Kind]) -> Enum:
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
    Column("mailbox_refusal", MailboxRefusalType),  # CONTRACTS §8; null while the mailbox is ok
    Column("version", Integer, nullable=False),
    # The refused mailboxes, for the attention list and its gauge: few, however many clients.
    Index(
        "ix_client_integrations_refused",
        "partner_id",
        postgresql_where=text("mailbox_refusal IS NOT NULL"),
        sqlite_where=text("mailbox_refusal IS NOT NULL"),
    ),
)

_OPEN = f"status IN ({', '.join(repr(str(s)) for s in OPEN_STATUSES)})"
# The exports that wait for a person: failed, or held for a new address (CONTRACTS §8).
WAITING = "status = 'failed' OR held IS NOT NULL"

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
    Column("held", _enum(HoldReason)),
    Column("origin", _enum(ExportOrigin), nullable=False, server_default=str(ExportOrigin.EVENT)),
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
    # What waits for a person, by client: the attention list reads only these rows.
    Index(
        "ix_exports_waiting",
        "partner_id",
        "client_id",
        "created_at",
        postgresql_where=text(WAITING),
        sqlite_where=text(WAITING),
    ),
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
    # 0 for a document's own export, 1 for a backfill's: a claim takes every due export of lane 0
    # before any of lane 1, so backfills never hold up fresh documents (CONTRACTS §9).
    Column("lane", SmallInteger, nullable=False, server_default=text("0")),
    Index(None, "lane", "available_at"),
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

# Delivery status notifications read by `octobridge bounces`, each recorded once (CONTRACTS §8): per
# recipient too, so that the refusal of an address an export was sent again to is not a repeat.
delivery_reports = Table(
    "delivery_reports",
    metadata,
    Column("export_id", String(36), ForeignKey("exports.id", ondelete="CASCADE"), primary_key=True),
    Column("action", String(16), primary_key=True),
    Column("status", String(16), primary_key=True),
    Column("recipient", String(320), primary_key=True),  # "" when the report names none
    Column("received_at", UtcDateTime, nullable=False),
)

_RUNNING = f"state = '{BackfillState.RUNNING}'"

backfills = Table(
    "backfills",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("partner_id", String(ID), nullable=False),
    Column("client_id", String(ID), nullable=False),
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    Column("requested_at", UtcDateTime, nullable=False),
    Column("state", _enum(BackfillState), nullable=False),
    Column("listed", Integer, nullable=False),
    Column("queued", Integer, nullable=False),
    Column("already_exported", Integer, nullable=False),
    Column("ignored", Integer, nullable=False),
    Column("error", Text),
    Column("cursor", Text),  # Banqup's cursor for the next page, opaque
    Column("finished_at", UtcDateTime),
    Column("version", Integer, nullable=False),
    # At most one running backfill per client, whatever races between processes.
    Index(
        "uq_backfills_running",
        "partner_id",
        "client_id",
        unique=True,
        postgresql_where=text(_RUNNING),
        sqlite_where=text(_RUNNING),
    ),
    Index(None, "partner_id", "client_id", "requested_at"),
)
