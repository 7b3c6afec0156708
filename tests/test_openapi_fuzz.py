"""Schemathesis against /api/v1/_openapi, as a requester, a consultant, an МО administrator and the regional
administrator: every operation of the spec with generated valid and invalid input, a fixed seed and a bounded
number of examples. A 5xx is a bug, and so is an answer the spec does not describe.

It runs on PostgreSQL when TEST_DATABASE_URL is set (CI), else on SQLite, in a database of its own: the
fuzzing creates accounts and requests that other tests must not see.
"""
import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.extensions import db
from app.models import TmkUser
from tests.conftest import VIDEO_SERVER, api_token, app_with_own_database
from tests.databases import backends

ROLES = ["requester1", "consultant1", "moadmin2", "regadmin"]
EXAMPLES = 15  # per operation, per mode and per role: ~2 500 calls in all
FUZZ_SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, print_blob=False,
    suppress_health_check=list(hypothesis.HealthCheck), phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)
CHECKS = {
    GenerationMode.POSITIVE: [not_a_server_error, status_code_conformance, content_type_conformance,
                              response_schema_conformance],
    # invalid input: whatever the refusal, it is never a 5xx
    GenerationMode.NEGATIVE: [not_a_server_error],
}


@pytest.fixture(scope="module")
def fuzz_app(tmp_root):
    with app_with_own_database(backends()[-1], tmp_root, **VIDEO_SERVER) as application:  # the rooms answer too
        yield application


def _actor_ids(app) -> set[str]:
    with app.app_context():
        return {str(i) for (i,) in db.session.query(TmkUser.id).filter(TmkUser.username.in_(ROLES))}


def _keep_the_actors(case, actor_ids: set[str], spare_id: str) -> None:
    """The fuzzer may edit or deactivate any account it is allowed to: never the four it signs in as."""
    parameters = case.path_parameters or {}
    if str(parameters.get("pk")) in actor_ids:
        parameters["pk"] = spare_id


def _fuzz(app, operation, mode, headers, actor_ids, spare_id) -> None:
    @FUZZ_SETTINGS
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        _keep_the_actors(case, actor_ids, spare_id)
        case.call_and_validate(headers=headers, checks=CHECKS[mode], app=app)

    run()


def _described(error: BaseException) -> str:
    """What failed and how to reproduce it, without the traceback."""
    found = error.exceptions if isinstance(error, BaseExceptionGroup) else [error]
    reproduce = [note for note in getattr(error, "__notes__", []) if "curl" in note]
    return "; ".join(f"{type(e).__name__}: {str(e)[:1200]}" for e in found) + "".join(reproduce)[:800]


@pytest.mark.parametrize("username", ROLES)
def test_the_api_answers_every_generated_call_within_its_spec(fuzz_app, username):
    headers = api_token(fuzz_app, username)
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", fuzz_app, headers=headers)
    actor_ids = _actor_ids(fuzz_app)
    with fuzz_app.app_context():
        spare_id = str(db.session.query(TmkUser.id).filter_by(username="requester2").scalar())
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in CHECKS:
            headers = api_token(fuzz_app, username)  # a fresh token: an earlier call may have ended the last one
            try:
                _fuzz(fuzz_app, operation, mode, headers, actor_ids, spare_id)
            except (Exception, FailureGroup) as error:  # every operation is tried, all failures reported
                failures.append(f"{operation.label} [{mode.value}]: {_described(error)}")
    if failures:
        pytest.fail(f"{len(failures)} operations answered outside their spec:\n\n" + "\n\n".join(failures),
                    pytrace=False)


def test_every_signed_in_api_user_reads_the_spec(fuzz_app):
    for username in ROLES + ["coordinator1"]:
        answer = fuzz_app.test_client().get("/api/v1/_openapi", headers=api_token(fuzz_app, username))
        assert answer.status_code == 200, username
        assert "/api/v1/requests/{request_id}" in answer.json["paths"]
    assert fuzz_app.test_client().get("/api/v1/_openapi").status_code == 401


@pytest.mark.parametrize("authorization", ["Bearer not-a-token", "Bearer a.b.c", "Basic xyz"])
def test_a_malformed_token_is_401_in_russian(fuzz_app, authorization):
    """flask-jwt-extended answers a malformed token with 422 in English; the spec and the users say 401."""
    for method, path in (("post", "/api/v1/security/refresh"), ("get", "/api/v1/requests/tab/all")):
        answer = getattr(fuzz_app.test_client(), method)(path, headers={"Authorization": authorization})
        assert answer.status_code == 401, (path, answer.get_data(as_text=True))
        assert any("а" <= letter <= "я" for letter in answer.json["message"].lower())


def test_an_id_out_of_range_is_404_whatever_the_method(fuzz_app):
    headers = api_token(fuzz_app, "regadmin")
    client = fuzz_app.test_client()
    for method, path in (("get", "/api/v1/users/-1"), ("get", "/api/v1/users/99999999999"),
                         ("post", "/api/v1/requests/99999999999/messages"), ("get", "/requests/-5")):
        assert getattr(client, method)(path, headers=headers, json={}).status_code == 404, path
