"""Mail adapters: an SMTP relay in production, `.eml` files on the embedded default."""
