"""Banqup: its document API, read-only (R18), and its document JSON mapped to a `PeppolDocument`."""
