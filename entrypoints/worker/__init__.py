"""The worker: delivers queued exports (and, with a broker, consumes Banqup messages)."""
