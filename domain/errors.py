"""Errors the domain raises when a value or a rule is broken."""


class DomainError(Exception):
    """A broken invariant of the domain."""


class InvalidValue(DomainError):
    """A value object refused its input; `field` names the field, in the words of the contracts."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class NotAllowed(DomainError):
    """A state change that the entity's current state does not allow."""
