"""The FAB model APIs speak Russian (issue 13, item 5): column labels and titles through the catalog, and a
column without a description has an empty one, not the catalog's header (gettext("") returns it)."""
import re

import pytest
from flask_appbuilder.api import ModelRestApi

from tests.conftest import api_token

ENGLISH_TITLE = re.compile(r"^(List|Show|Add|Edit) ")


def model_apis(app):
    return [view for view in app.appbuilder.baseviews if isinstance(view, ModelRestApi)]


def test_the_portal_registers_model_apis(app):
    assert {view.resource_name for view in model_apis(app)} >= {"users"}


@pytest.mark.parametrize("kind", ["add_columns", "edit_columns"])
def test_info_has_russian_labels_and_no_catalog_header(app, kind):
    client, headers = app.test_client(), api_token(app, "regadmin")
    for api in model_apis(app):
        info = client.get(f"/api/v1/{api.resource_name}/_info", headers=headers).json
        assert info[kind], api.resource_name
        for column in info[kind]:
            assert "Project-Id-Version" not in column["description"], (api.resource_name, column["name"])
            assert "Content-Type" not in column["description"], (api.resource_name, column["name"])
            assert column["label"] != api._prettify_column(column["name"]), (api.resource_name, column["name"])
        assert not ENGLISH_TITLE.match(info[kind.replace("columns", "title")])


def test_users_info_keeps_the_descriptions_it_has(app):
    info = app.test_client().get("/api/v1/users/_info", headers=api_token(app, "regadmin")).json
    described = {column["name"]: column["description"] for column in info["edit_columns"]}
    assert described["care_profiles"] == "По каким профилям врач консультирует"
    assert described["last_name"] == ""


def test_users_list_and_show_answer_in_russian(app):
    client, headers = app.test_client(), api_token(app, "regadmin")
    listed = client.get("/api/v1/users/?q=(page_size:1)", headers=headers).json
    assert listed["list_title"] == "Учётные записи"
    assert listed["label_columns"]["middle_name"] == "Отчество"
    assert listed["label_columns"]["organization.short_name"] == "Медицинская организация"
    user_id = listed["ids"][0]
    shown = client.get(f"/api/v1/users/{user_id}", headers=headers).json
    assert shown["show_title"] == "Учётная запись"
    assert shown["label_columns"]["birth_date"] == "Дата рождения"
    api = next(view for view in model_apis(app) if view.resource_name == "users")
    for answer in (listed, shown):
        english = {name for name, label in answer["label_columns"].items() if label == api._prettify_column(name)}
        assert not english, english
