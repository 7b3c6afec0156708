"""What may happen to a request: plain functions over models, no Flask request objects.

Views, the REST API and jobs all call these; each transition checks the actor's right, writes a
RequestEvent and sends ``request_changed`` in the same transaction, then commits.
"""
