"""The Banqup API: documents read-only (R18)."""
