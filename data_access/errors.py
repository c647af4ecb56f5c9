"""Domain exceptions raised by data access; the UI edge turns them into friendly messages."""

from __future__ import annotations

from typing import Any


class PulseError(Exception):
    """Base of the errors that carry a message code for the user's language."""

    code = "error"

    def __init__(self, *args: Any, **params: Any) -> None:
        super().__init__(*args)
        self.params = params


class NotFound(PulseError):
    code = "not_found"

    def __init__(self, entity: str, entity_id: object) -> None:
        super().__init__(f"{entity} {entity_id} not found", entity=entity, entity_id=entity_id)
        self.entity = entity
        self.entity_id = entity_id


class Forbidden(PulseError):
    """The viewer's role or scope does not allow this; the refusal is audited."""

    code = "forbidden"


class Invalid(PulseError):
    """Input failed validation; `problems` maps a field to a message code."""

    code = "invalid"

    def __init__(self, problems: dict[str, str], **params: Any) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()), **params)
        self.problems = problems


class Conflict(PulseError):
    """Someone else changed the record first: reload and try again."""

    code = "conflict"

    def __init__(
        self, entity: str, entity_id: object, *, changed_by: str | None = None, changed_at: object = None
    ) -> None:
        super().__init__(f"{entity} {entity_id} was changed by {changed_by} at {changed_at}")
        self.entity = entity
        self.entity_id = entity_id
        self.changed_by = changed_by
        self.changed_at = changed_at
