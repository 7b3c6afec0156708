"""Errors a transition, an upload or a form raises; the message is Russian and meant for the person who acted."""


class WorkflowError(Exception):
    """The action is not possible; nothing was changed."""

    http_status = 409

    def __init__(self, message, fields: dict | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.fields = fields or {}


class NotAllowed(WorkflowError):
    """This user may not do this to this request (in its current status)."""

    http_status = 409


class InvalidInput(WorkflowError):
    """A required comment, reason or field is missing or wrong."""

    http_status = 422
