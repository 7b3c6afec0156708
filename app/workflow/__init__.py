"""What may happen to a request: plain functions over models, no Flask request objects.

A transition is a row of ``transitions.TRANSITIONS``; ``apply(actor, request, name, params)`` runs it
and owns the transaction. Views, the REST API, sockets and jobs call it and never commit a request's
change themselves."""
from app.workflow.engine import apply, apply_all  # noqa: F401  (the entry points)
