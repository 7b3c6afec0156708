"""/api/v1/_openapi: FAB's spec of every API, corrected where it does not describe what FAB answers.

A МИС built from the spec, and the schemathesis test, must find every answer described as it comes:
- FAB's @protect answers 401 without a valid token and 403 without the permission, but only some of its
  operations list them;
- a refused body's "message" is text, or an object of field → messages (FAB's and ours alike);
- FAB's generated `id` and `ids` are the rows' integer keys, `_info`'s add/edit columns are lists, and a related
  row (an account's МО) may be absent;
- a request's `{action}` is one of the transitions that have a button (the transitions table).
"""
from flask_appbuilder.api.manager import OpenApi

from app.workflow.transitions import BY_HAND

_GUARD_ANSWERS = {
    "401": {"$ref": "#/components/responses/401"},
    "403": {"$ref": "#/components/responses/403"},
}
_MESSAGE = {"oneOf": [
    {"type": "string"},
    {"type": "object", "description": "field → its messages", "additionalProperties": True},
]}
_COLUMNS = {"type": "array", "items": {"type": "object"}}


def _fields_of(answer: dict) -> dict:
    return answer.get("content", {}).get("application/json", {}).get("schema", {}).get("properties", {})


def _integer_keys(fields: dict) -> None:
    if "ids" in fields:
        fields["ids"]["items"] = {"type": "integer"}
    if fields.get("id", {}).get("type") == "string":  # FAB's "The item id"
        fields["id"] = {**fields["id"], "type": "integer"}


def _complete_operation(path: str, operation: dict) -> None:
    responses = operation.setdefault("responses", {})
    if operation.get("security"):
        for code, answer in _GUARD_ANSWERS.items():
            responses.setdefault(code, answer)
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "path" and parameter.get("name") == "action":
            parameter["schema"] = {"type": "string", "enum": list(BY_HAND)}
    for code in ("200", "201"):
        _integer_keys(_fields_of(responses.get(code, {})))
    if path.endswith("/_info"):
        fields = _fields_of(responses.get("200", {}))
        for name in ("add_columns", "edit_columns"):
            if name in fields:
                fields[name] = _COLUMNS


def _related_rows_may_be_absent(schema: dict) -> None:
    for name, field in schema.get("properties", {}).items():
        if set(field) == {"$ref"}:
            schema["properties"][name] = {"allOf": [field], "nullable": True}


def complete_spec(spec: dict) -> dict:
    for path, operations in spec.get("paths", {}).items():
        for operation in operations.values():
            if isinstance(operation, dict):
                _complete_operation(path, operation)
    components = spec.get("components", {})
    for answer in components.get("responses", {}).values():
        if "message" in _fields_of(answer):
            _fields_of(answer)["message"] = _MESSAGE
    for schema in components.get("schemas", {}).values():
        _related_rows_may_be_absent(schema)
    return spec


class PortalOpenApi(OpenApi):
    """FAB's OpenApi view (same URL and permission) whose answer carries the completed spec."""

    class_permission_name = "OpenApi"

    def response(self, code, **kwargs):
        if code == 200 and "paths" in kwargs:
            kwargs = complete_spec(kwargs)
        return super().response(code, **kwargs)
