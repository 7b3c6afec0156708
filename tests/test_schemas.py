"""app/schemas: Russian messages from marshmallow itself, and a low layer that the API, the views and the
sockets import without reaching up."""
import ast
from pathlib import Path

import pytest
from marshmallow import ValidationError

from app.schemas.base import flat_messages, load_partial, max_length
from app.schemas.requests import CreateRequestSchema, PatientSchema

HIGHER_LAYERS = ("app.security", "app.workflow", "app.views", "app.api", "app.realtime", "app.jobs")


def test_schemas_import_no_higher_layer():
    for path in (Path(__file__).parents[1] / "app" / "schemas").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(HIGHER_LAYERS), (path, node.module)


def test_messages_are_russian(app):
    with app.test_request_context():
        with pytest.raises(ValidationError) as refused:
            CreateRequestSchema().load({"route": 0, "goal": "x", "question": "x" * 4001, "consent_given": "maybe",
                                        "urgency": "soon", "colour": "red", "patient": {"birth_date": "вчера"}})
    assert refused.value.messages == {
        "route": ["Число от 1 до 2147483647"], "goal": ["Ожидается целое число"],
        "question": ["Не более 4000 символов"], "consent_given": ["Ожидается true или false"],
        "urgency": ["Выберите одно из допустимых значений"], "colour": ["Неизвестное поле"],
        "patient": {"birth_date": ["Ожидается дата в формате ГГГГ-ММ-ДД"], "last_name": ["Обязательное поле"],
                    "first_name": ["Обязательное поле"], "sex": ["Обязательное поле"]},
    }


def test_a_form_loads_partially_and_its_messages_flatten(app):
    with app.test_request_context():
        assert load_partial(CreateRequestSchema(), {"route": 1, "question": "", "patient": {"last_name": "Ким"}}) == {
            "route": 1, "patient": {"last_name": "Ким"}}
        with pytest.raises(ValidationError) as refused:
            load_partial(CreateRequestSchema(), {"route": 1, "external_records": [{"title": "x" * 301}]})
    assert flat_messages(refused.value.messages) == {"external_records-0-title": "От 1 до 300 символов"}
    assert max_length(PatientSchema, "oms_policy") == 16
