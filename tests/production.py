"""The environment of a fully configured production: real services named, none of them reached."""

from __future__ import annotations

SECRET = "s" * 32
PRODUCTION = {
    "OCTOBRIDGE_ENV": "production",
    "OCTOBRIDGE_DATABASE_URL": "postgresql+asyncpg://octo@db.internal/octobridge",
    "OCTOBRIDGE_SMTP_URL": "smtp://octo:pass@relay.octobridge.eu:587?starttls=1",
    "OCTOBRIDGE_BANQUP_API_URL": "https://api.banqup.com",
    "OCTOBRIDGE_OCTOPUS_OAUTH_URL": "https://service.inaras.be/octopus-oauth",
    "OCTOBRIDGE_OCTOPUS_API_URL": "https://service.inaras.be/octopus-rest-api/v1",
    "OCTOBRIDGE_WEBHOOK_SECRET": SECRET,
    "OCTOBRIDGE_API_TOKEN_SECRET": SECRET,
    "OCTOBRIDGE_SECRET_KEY": SECRET,
}
