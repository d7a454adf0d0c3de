"""The queue consumer: Banqup messages from RabbitMQ into the same use case as HTTP (R20)."""
