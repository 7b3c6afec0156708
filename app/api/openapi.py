"""/api/v1/_openapi: FAB's spec of every API, completed with the answers FAB's own decorators give.

FAB's @protect answers 401 without a valid token and 403 without the permission, but only some of its
generated operations list them; a МИС built from the spec (and the schemathesis test) must find every
answer it can get described.
"""
from flask_appbuilder.api.manager import OpenApi

# what a protected operation can always answer, besides its own codes
_GUARD_ANSWERS = {
    "401": {"$ref": "#/components/responses/401"},
    "403": {"$ref": "#/components/responses/403"},
}


def complete_spec(spec: dict) -> dict:
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and operation.get("security"):
                responses = operation.setdefault("responses", {})
                for code, answer in _GUARD_ANSWERS.items():
                    responses.setdefault(code, answer)
    return spec


class PortalOpenApi(OpenApi):
    """FAB's OpenApi view (same URL and permission) whose answer carries the completed spec."""

    class_permission_name = "OpenApi"

    def response(self, code, **kwargs):
        if code == 200 and "paths" in kwargs:
            kwargs = complete_spec(kwargs)
        return super().response(code, **kwargs)
