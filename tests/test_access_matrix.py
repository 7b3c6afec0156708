"""The access matrix (DESIGN.md §6): role × relation to the request × way in × the expected answer, in one
table. A new endpoint gets its row in WAYS and its column in the expectations below, not an ad-hoc test.

A request one may not see answers 404 through every way (never 403: that would tell it exists), and the
attempt is written to the audit trail. The chat is its members' (the author, the requesting МО's
administrator, the consultant who holds it, the consulting МО's coordinators and administrators, the
regional administrator); a consultant who may still take a request reads its chat (the manual has it
from the request's creation) and writes in it once he has taken it.
"""
import dataclasses
import io
import traceback

import pytest
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from app.documents.storage import store_upload
from app.extensions import db, socketio
from app.models import AuditEvent, ConsultationRequest, RequestAttachment, RequestEvent
from app.realtime.chat import NAMESPACE
from app.workflow import chat
from app.workflow import apply
from app.workflow.engine import APPLYING
from tests.conftest import VIDEO_SERVER, api_token, login, make_app
from tests.requests_helpers import new_request, user
from tests.test_request_pages import _form as request_form

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class CommitWatch:
    """Every commit of the module's walk: one that carries a change of a request (its row, a history
    event) must be made inside workflow.apply (issue 12); ``owned`` counts those that were."""

    MARK = "tmk_request_changed"

    def __init__(self):
        self.owned, self.stray = 0, []
        self.original = Session.commit

    def _mark(self, session, *_):
        changed = [o for o in session.new if isinstance(o, (ConsultationRequest, RequestEvent))]
        changed += [o for o in session.dirty if isinstance(o, ConsultationRequest) and self._columns_changed(o)]
        if changed:
            session.info[self.MARK] = True

    @staticmethod
    def _columns_changed(row) -> bool:
        """A column of the request's row, not a relationship (a conclusion hung on it is not a change)."""
        state = inspect(row)
        return any(state.attrs[column.key].history.has_changes() for column in state.mapper.column_attrs)

    def _mark_statement(self, state):
        tables = (ConsultationRequest.__tablename__, RequestEvent.__tablename__)
        if (state.is_update or state.is_insert) and state.statement.table.name in tables:
            state.session.info[self.MARK] = True

    def _clear(self, session, *_):
        session.info.pop(self.MARK, None)

    def __enter__(self):
        watch = self

        def commit(session):
            session.flush()
            if session.info.pop(watch.MARK, False):
                if session.info.get(APPLYING):
                    watch.owned += 1
                else:
                    watch.stray.append("".join(traceback.format_stack(limit=12)))
            return watch.original(session)

        event.listen(Session, "before_flush", self._mark)
        event.listen(Session, "do_orm_execute", self._mark_statement)
        event.listen(Session, "after_rollback", self._clear)
        Session.commit = commit
        return self

    def __exit__(self, *_):
        Session.commit = self.original
        event.remove(Session, "before_flush", self._mark)
        event.remove(Session, "do_orm_execute", self._mark_statement)
        event.remove(Session, "after_rollback", self._clear)


@pytest.fixture(scope="module")
def commit_watch(app):
    """One per database backend (through ``app``), so that each backend's walk is judged on its own."""
    with CommitWatch() as watch:
        yield watch


@pytest.fixture(scope="module")
def matrix_app(app, commit_watch):
    """The socket test client needs the app the process's SocketIO object serves: built last, here. With a
    video server, so that the rooms answer as they would in the region."""
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], **VIDEO_SERVER)


@pytest.fixture(scope="module")
def cases(matrix_app):
    """Three requests of requester1 (ЦРБ Приозёрск) to кардиология of ГКБ № 1: «fresh» in the queue with
    an attachment and a file in its chat, «taken» in work by consultant1, «completed» (the demo's) with its
    conclusion."""
    with matrix_app.app_context():
        author = user("requester1")
        fresh = new_request(author="requester1")
        document = store_upload(author, "выписка.pdf", PDF)
        db.session.add(RequestAttachment(request_id=fresh.id, document=document))
        shared = store_upload(author, "снимок.pdf", PDF + b"%chat\n")
        file_message = chat.post_file(db.session, chat.dialog_of(db.session, fresh.id), author, shared, "ЭКГ")
        taken = new_request(author="requester1")
        apply(user("consultant1"), taken, "take")
        db.session.commit()
        completed = (db.session.query(ConsultationRequest)
                     .filter_by(status="completed", author_id=author.id).order_by(ConsultationRequest.id).first())
        return {
            "fresh": fresh.id, "taken": taken.id, "completed": completed.id,
            "attachment": db.session.query(RequestAttachment.id).filter_by(request_id=fresh.id).scalar(),
            "message": file_message.id,
            "conclusion_pdf": completed.conclusion.pdf_document_id,
            "numbers": {"fresh": fresh.number, "taken": taken.number, "completed": completed.number},
            # what «Найти пациента» is given for each request's patient: his СНИЛС, else his полис
            "patients": {key: {"snils": r.patient.snils} if r.patient.snils else {"oms_policy": r.patient.oms_policy}
                         for key, r in (("fresh", fresh), ("taken", taken), ("completed", completed))},
        }


@dataclasses.dataclass
class Actor:
    """One signed-in user as the ways in need him: a session, a JWT, a socket."""

    app: object
    username: str

    def __post_init__(self):
        self.client = login(self.app.test_client(), self.username)
        self.api = self.app.test_client()
        self.headers = api_token(self.app, self.username)
        self.socket = socketio.test_client(self.app, namespace=NAMESPACE,
                                           flask_test_client=login(self.app.test_client(), self.username))

    def get(self, path):
        return self.client.get(path).status_code

    def api_get(self, path):
        return self.api.get(path, headers=self.headers).status_code

    def api_post(self, path, **kwargs):
        return self.api.post(path, headers=self.headers, **kwargs).status_code

    def listed(self, number, finished=False):
        """As an answer: 200 when «Заявки» lists the request (finished ones behind their switch), 404 when
        it does not."""
        page = self.client.get(f"/requests/all/?psize=100{'&closed=1' if finished else ''}")
        return 200 if number in page.get_data(as_text=True) else 404

    def socket_ack(self, event, data):
        answer = self.socket.emit(event, data, namespace=NAMESPACE, callback=True)
        return 200 if answer.get("ok") else 404


def _socket_send(actor, c, case):
    return actor.socket_ack("send", {"request_id": c[case], "text": f"Сообщение {actor.username}"})


# way → (the cases it applies to, how to go in); reads first, then the writes that leave the case as it was
WAYS = {
    "list": (("fresh", "taken", "completed"), lambda a, c, k: a.listed(c["numbers"][k], finished=k == "completed")),
    "page": (("fresh", "taken", "completed"), lambda a, c, k: a.get(f"/requests/{c[k]}")),
    "panel": (("fresh", "taken", "completed"), lambda a, c, k: a.get(f"/requests/{c[k]}/panel")),
    "list selection": (("fresh", "taken", "completed"),
                       lambda a, c, k: a.get(f"/requests/all/?selected={c[k]}")),
    "attachment": (("fresh",), lambda a, c, k: a.get(f"/requests/{c[k]}/files/{c['attachment']}")),
    "conclusion state": (("completed",), lambda a, c, k: a.get(f"/requests/{c[k]}/conclusion/state")),
    "zip": (("completed",), lambda a, c, k: a.get(f"/requests/{c[k]}/conclusion/zip")),
    "document download": (("completed",), lambda a, c, k: a.get(f"/documents/{c['conclusion_pdf']}/download")),
    "document view": (("completed",), lambda a, c, k: a.get(f"/documents/{c['conclusion_pdf']}/view")),
    "api request": (("fresh", "taken", "completed"), lambda a, c, k: a.api_get(f"/api/v1/requests/{c[k]}")),
    "api documents": (("fresh", "taken", "completed"),
                      lambda a, c, k: a.api_get(f"/api/v1/requests/{c[k]}/documents")),
    "api document": (("completed",),
                     lambda a, c, k: a.api_get(f"/api/v1/requests/{c[k]}/documents/{c['conclusion_pdf']}")),
    "api conclusion": (("completed",), lambda a, c, k: a.api_get(f"/api/v1/requests/{c[k]}/conclusion")),
    "api zip": (("completed",), lambda a, c, k: a.api_get(f"/api/v1/requests/{c[k]}/conclusion/zip")),
    "api messages": (("fresh", "taken", "completed"),
                     lambda a, c, k: a.api_get(f"/api/v1/requests/{c[k]}/messages")),
    "api message file": (("fresh",),
                         lambda a, c, k: a.api_get(f"/api/v1/requests/{c[k]}/messages/{c['message']}/file")),
    "socket join": (("fresh", "taken", "completed"), lambda a, c, k: a.socket_ack("join", {"request_id": c[k]})),
    "video room": (("fresh", "taken", "completed"), lambda a, c, k: a.get(f"/requests/{c[k]}/video")),
    "api video": (("fresh", "taken", "completed"), lambda a, c, k: a.api_get(f"/api/v1/requests/{c[k]}/video")),
    # leaving a room one is not in changes nothing
    "api video left": (("fresh", "taken", "completed"), lambda a, c, k: a.api_post(
        f"/api/v1/requests/{c[k]}/video/events", json={"event": "left"})),
    "api send": (("fresh", "taken", "completed"),
                 lambda a, c, k: a.api_post(f"/api/v1/requests/{c[k]}/messages", json={"text": "Вопрос"})),
    "socket send": (("fresh", "taken", "completed"), _socket_send),
}

READS = [way for way in WAYS if not way.endswith("send") and way != "list"]
CHAT = {"api messages", "api message file", "socket join", "api send", "socket send"}
WRITES = ["api send", "socket send"]

# What a relation may do with a request: see it (every read but the chat), also read its chat (a
# consultant before the take), or also write in it.
NONE, SEES, READER, MEMBER = "none", "sees", "reader", "member"

# (user, relation) → access to (fresh, taken, completed)
MATRIX = [
    ("requester1", "author", MEMBER, MEMBER, MEMBER),
    ("moadmin2", "administrator of the requesting МО", MEMBER, MEMBER, MEMBER),
    ("requester2", "doctor of another requesting МО", NONE, NONE, NONE),
    ("consultant1", "consultant of the route: in his queue / took it", READER, MEMBER, MEMBER),
    ("consultant2", "same МО and profile: in his queue / taken by a colleague", READER, NONE, NONE),
    ("coordinator1", "coordinator of the consulting МО", SEES, SEES, SEES),
    ("moadmin1", "administrator of the consulting МО", MEMBER, MEMBER, MEMBER),
    ("consultant3", "consultant of another consulting МО", NONE, NONE, NONE),
    ("coordinator2", "coordinator of another consulting МО", NONE, NONE, NONE),
    ("regadmin", "regional administrator", SEES, SEES, SEES),
]


def expected(access: str, way: str, case: str) -> int:
    if access == NONE or (access == SEES and way in CHAT):
        return 404
    if way == "api video" and (access == READER or case == "completed"):
        return 409  # a consultant takes the request first; a closed request's video is over (its page says so)
    if access == READER and way in WRITES:  # the API says why; the socket's answer is «no such chat»
        return 403 if way == "api send" else 404
    return 201 if way == "api send" else 200


def _denied(app) -> int:
    with app.app_context():
        return db.session.query(AuditEvent).filter(AuditEvent.action.like("%denied")).count()


@pytest.mark.parametrize("username, relation, fresh, taken, completed", MATRIX, ids=[row[0] for row in MATRIX])
def test_every_way_in_answers_by_relation(matrix_app, cases, username, relation, fresh, taken, completed):
    actor = Actor(matrix_app, username)
    for case, access in (("fresh", fresh), ("taken", taken), ("completed", completed)):
        ways = [way for way, (applies, _go) in WAYS.items() if case in applies]
        before = _denied(matrix_app)
        answers = {way: WAYS[way][1](actor, cases, case) for way in ways}
        assert answers == {way: expected(access, way, case) for way in ways}, f"{relation}: {case}"
        if access == NONE:  # every refused read of the request is in the audit trail
            assert _denied(matrix_app) - before >= len([w for w in ways if w in READS and w != "socket join"])


# «Найти пациента» of the request form, given the patient's number of each case: who creates requests
# finds the patient of a request he sees, and gets «Пациент не найден» (404) for any other, exactly as for
# an unknown number (never an oracle of another МО's patients); everyone else is refused (403).
CREATORS = {"requester1", "requester2", "consultant2"}


def lookup_expected(username: str, access: str) -> int:
    if username not in CREATORS:
        return 403
    return 404 if access == NONE else 200


@pytest.mark.parametrize("username, relation, fresh, taken, completed", MATRIX, ids=[row[0] for row in MATRIX])
def test_patient_lookup_answers_by_relation(matrix_app, cases, username, relation, fresh, taken, completed):
    client = login(matrix_app.test_client(), username)
    answers = {case: client.post("/requests/patients/lookup", json=cases["patients"][case]).status_code
               for case in ("fresh", "taken", "completed")}
    assert answers == {"fresh": lookup_expected(username, fresh), "taken": lookup_expected(username, taken),
                       "completed": lookup_expected(username, completed)}, relation


# The changes of a request, tried on «taken» (in work by consultant1) with bodies that change nothing:
# way → (how, answer of the consultant who holds it, of the requesting side — author and his МО's
# administrator —, of the consulting side and the region — coordinator, МО administrator, regional
# administrator). Whoever may not see the request gets 404 from every one of them. A page that refuses a
# visible request's change redirects back to it with the reason (302); the API says 409 or 422.
CHANGES = {
    "page take": (lambda a, r: a.client.post(f"/requests/{r}/action/take").status_code, 302, 302, 302),
    "api take": (lambda a, r: a.api_post(f"/api/v1/requests/{r}/take"), 409, 409, 409),
    "page refuse without a reason": (
        lambda a, r: a.client.post(f"/requests/{r}/action/refuse").status_code, 302, 302, 302),
    "api refuse without a reason": (lambda a, r: a.api_post(f"/api/v1/requests/{r}/refuse", json={}), 422, 409, 409),
    "conclusion form": (lambda a, r: a.get(f"/requests/{r}/conclusion"), 200, 302, 302),
    "conclusion form, empty post": (
        lambda a, r: a.client.post(f"/requests/{r}/conclusion", data={}).status_code, 302, 302, 302),
    "conclusion progress": (lambda a, r: a.get(f"/requests/{r}/conclusion/progress"), 302, 302, 302),
    "signing page": (lambda a, r: a.get(f"/requests/{r}/conclusion/sign"), 302, 302, 302),
    "signature, empty post": (
        lambda a, r: a.client.post(f"/requests/{r}/conclusion/signature", data={}).status_code, 302, 302, 302),
    "skip signing": (lambda a, r: a.client.post(f"/requests/{r}/conclusion/skip").status_code, 302, 302, 302),
    "scan page": (lambda a, r: a.get(f"/requests/{r}/conclusion/scan"), 200, 302, 302),
    "scan, empty post": (
        lambda a, r: a.client.post(f"/requests/{r}/conclusion/scan", data={}).status_code, 200, 302, 302),
    "draft form": (lambda a, r: a.get(f"/requests/{r}/edit"), 302, 302, 302),
    "api conclusion, wrong body": (
        lambda a, r: a.api.put(f"/api/v1/requests/{r}/conclusion", json={"answer": 5}, headers=a.headers).status_code,
        422, 422, 422),
    "api render": (lambda a, r: a.api_post(f"/api/v1/requests/{r}/conclusion/render"), 422, 422, 409),
    "api signature, empty": (lambda a, r: a.api_post(f"/api/v1/requests/{r}/conclusion/signature", data={}),
                             422, 422, 422),
    "api skip signing": (lambda a, r: a.api_post(f"/api/v1/requests/{r}/conclusion/skip_signature"), 409, 409, 409),
    "api scan, empty": (lambda a, r: a.api_post(f"/api/v1/requests/{r}/conclusion/scan", data={}), 422, 422, 422),
}
SIDES = {"consultant1": 1, "requester1": 2, "moadmin2": 2, "coordinator1": 3, "moadmin1": 3, "regadmin": 3}


@pytest.mark.parametrize("username", [row[0] for row in MATRIX])
def test_every_change_answers_by_relation(matrix_app, cases, username):
    actor = Actor(matrix_app, username)
    answers = {way: how(actor, cases["taken"]) for way, (how, *_) in CHANGES.items()}
    side = SIDES.get(username)
    assert answers == {way: row[side] if side else 404 for way, row in CHANGES.items()}
    with matrix_app.app_context():
        assert db.session.get(ConsultationRequest, cases["taken"]).status == "in_work"


# «Позвонить консультанту» on «taken» (in work by consultant1) and «Позвонить всем участникам» on «fresh» (in
# the queue): a member of the open request's chat rings (201); one who sees the request without a seat in its
# chat (a consultant who may still take it, the coordinator, the regional administrator), or the consultant
# calling himself, is told why (409); whoever may not see it gets 404, an anonymous caller 401.
CALLS = {
    "requester1": (201, 201), "moadmin2": (201, 201), "requester2": (404, 404), "consultant1": (409, 409),
    "consultant2": (404, 409), "coordinator1": (409, 409), "moadmin1": (201, 201), "consultant3": (404, 404),
    "coordinator2": (404, 404), "regadmin": (409, 409),
}


@pytest.mark.parametrize("username", [row[0] for row in MATRIX])
def test_video_calls_answer_by_relation(matrix_app, cases, username, monkeypatch):
    for name, value in {"JITSI_APP_ID": "tmk", "JITSI_APP_SECRET": "test-secret",
                        "TMK_VIDEO_CALL_TIMEOUT_SECONDS": 3600}.items():  # a video server; no timer fires here
        monkeypatch.setitem(matrix_app.config, name, value)
    actor = Actor(matrix_app, username)
    answers = (actor.api_post(f"/api/v1/requests/{cases['taken']}/video/call", json={"to": "consultant"}),
               actor.api_post(f"/api/v1/requests/{cases['fresh']}/video/call", json={"to": "all"}))
    assert answers == CALLS[username]
    anonymous = matrix_app.test_client().post(f"/api/v1/requests/{cases['taken']}/video/call", json={"to": "all"})
    assert anonymous.status_code == 401


def test_the_matrix_covers_every_request_endpoint(matrix_app):
    """Every endpoint about one request, one document or patients has its way in WAYS, CHANGES or the
    lookup's table: a new one fails here until it is added to the table."""
    tried = {
        "/requests/<int:request_id>", "/requests/<int:request_id>/panel",
        "/requests/<int:request_id>/files/<int:attachment_id>", "/requests/<int:request_id>/conclusion/state",
        "/requests/<int:request_id>/conclusion/zip", "/documents/<int:document_id>/download",
        "/documents/<int:document_id>/view",
        "/api/v1/requests/<int:request_id>", "/api/v1/requests/<int:request_id>/documents",
        "/api/v1/requests/<int:request_id>/documents/<int:document_id>",
        "/api/v1/requests/<int:request_id>/conclusion", "/api/v1/requests/<int:request_id>/conclusion/zip",
        "/api/v1/requests/<int:request_id>/messages",
        "/api/v1/requests/<int:request_id>/messages/<int:message_id>/file",
        "/requests/<int:request_id>/video", "/api/v1/requests/<int:request_id>/video",
        "/api/v1/requests/<int:request_id>/video/events",
        # CHANGES
        "/requests/<int:request_id>/conclusion",
        "/requests/<int:request_id>/action/<action>", "/api/v1/requests/<int:request_id>/<action>",
        "/requests/<int:request_id>/conclusion/progress", "/requests/<int:request_id>/conclusion/sign",
        "/requests/<int:request_id>/conclusion/signature", "/requests/<int:request_id>/conclusion/skip",
        "/requests/<int:request_id>/conclusion/scan", "/requests/<int:request_id>/edit",
        "/api/v1/requests/<int:request_id>/conclusion/render", "/api/v1/requests/<int:request_id>/conclusion/signature",
        "/api/v1/requests/<int:request_id>/conclusion/skip_signature",
        "/api/v1/requests/<int:request_id>/conclusion/scan",
        # test_video_calls_answer_by_relation
        "/api/v1/requests/<int:request_id>/video/call",
        # test_patient_lookup_answers_by_relation
        "/requests/patients/lookup",
    }
    about_one = {rule.rule for rule in matrix_app.url_map.iter_rules()
                 if "<int:request_id>" in rule.rule or "<int:document_id>" in rule.rule or "/patients" in rule.rule}
    assert about_one - tried == set()


# Pages of a role rather than of a request: page → the roles that open it (everyone else gets the
# «access denied» page, 403). Which rows each one shows is the pages' own tests' matter
# (tests/test_user_access.py, test_patient_privacy.py, test_mail_failures.py).
ROLE_PAGES = {
    "/users/list/": {"regadmin", "moadmin1", "moadmin2"},
    "/patient-mismatches/list/": {"regadmin", "moadmin1", "moadmin2"},
    "/undelivered-mail/list/": {"regadmin", "moadmin1", "moadmin2"},
    "/medicalorganizationview/list/": {"regadmin"},
    "/routeview/list/": {"regadmin"},
    "/departmentview/list/": {"regadmin", "moadmin1", "moadmin2"},
    "/documents/": {row[0] for row in MATRIX},
    "/messages/": {row[0] for row in MATRIX},
    "/help/": {row[0] for row in MATRIX},
    "/help/guide/lists": {row[0] for row in MATRIX},
    "/help-articles/list/": {"regadmin"},
    "/help-articles/add": {"regadmin"},
    "/profile/info": {row[0] for row in MATRIX},
    "/profile/notifications": {row[0] for row in MATRIX},
}


@pytest.mark.parametrize("username", [row[0] for row in MATRIX])
def test_role_pages_open_for_their_roles_only(matrix_app, username):
    client = login(matrix_app.test_client(), username)
    answers = {page: client.get(page).status_code for page in ROLE_PAGES}
    assert answers == {page: 200 if username in roles else 403 for page, roles in ROLE_PAGES.items()}


def test_logout_everywhere_is_a_post_of_the_signed_in_user(matrix_app):
    assert matrix_app.test_client().post("/logout-everywhere/").status_code == 302  # to the login page
    assert login(matrix_app.test_client(), "requester1").get("/logout-everywhere/").status_code == 405


# the own profile: every signed-in role reaches only his own account (no id in any address but a photo's, which
# is named by its content); empty forms answer 422 in Russian, an anonymous visitor goes to the login page
PROFILE_WAYS = [
    ("GET", "/profile/", 302),
    ("POST", "/profile/info", 422),
    ("POST", "/profile/photo", 422),
    ("POST", "/profile/photo/delete", 302),
    ("POST", "/profile/access", 422),
    ("POST", "/profile/contacts", 422),
    ("GET", f"/profile/photos/{'0' * 64}.jpg", 404),  # no account has this photo
    ("GET", "/profile/photos/not-a-hash.jpg", 404),
    ("GET", "/video/equipment", 200),  # «Проверка оборудования», linked from «Доступ», under the profile's permission
]


@pytest.mark.parametrize("username", [row[0] for row in MATRIX])
def test_the_own_profile_answers_every_role_and_nobody_anonymous(matrix_app, username):
    client, anonymous = login(matrix_app.test_client(), username), matrix_app.test_client()
    answers = {path: client.open(path, method=method).status_code for method, path, _ in PROFILE_WAYS}
    assert answers == {path: expected for _, path, expected in PROFILE_WAYS}
    for method, path, _ in PROFILE_WAYS:
        answer = anonymous.open(path, method=method)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"], path
    assert "Обязательное поле" in client.post("/profile/contacts").get_data(as_text=True)


def _session_id(client) -> str:
    with client.session_transaction() as stored:
        return stored["tmk_sid"]


@pytest.mark.parametrize("username", [row[0] for row in MATRIX])
def test_ending_a_session_answers_by_whose_it_is(matrix_app, username):
    """«Завершить» on «Доступ»: one's own other session ends (302 back to the tab), anyone else's is 404, an
    anonymous POST goes to the login page, a GET is no way to end one."""
    mine, other_of_mine = login(matrix_app.test_client(), username), login(matrix_app.test_client(), username)
    someone_else = "requester2" if username != "requester2" else "requester1"
    foreign = _session_id(login(matrix_app.test_client(), someone_else))

    def end(client, session_id):
        return client.post(f"/profile/access/sessions/{session_id}/end")

    assert end(mine, foreign).status_code == 404
    assert mine.get(f"/profile/access/sessions/{_session_id(other_of_mine)}/end").status_code == 405
    answer = end(mine, _session_id(other_of_mine))
    assert (answer.status_code, answer.headers["Location"]) == (302, "/profile/access")
    assert "/login" in other_of_mine.get("/profile/info").headers["Location"]
    assert "/login" in end(matrix_app.test_client(), foreign).headers["Location"]


def test_changes_that_succeed_through_every_way_are_committed_by_apply(matrix_app, cases, commit_watch):
    """The pages, the API and the chat moving requests for real, under the same watch as the matrix."""
    consultant, author = Actor(matrix_app, "consultant1"), Actor(matrix_app, "requester1")
    with matrix_app.app_context():
        first, second = new_request(author="requester1").id, new_request(author="requester1").id
        route_id = db.session.get(ConsultationRequest, first).route_id
    assert consultant.client.post(f"/requests/{first}/action/take").status_code == 302
    assert consultant.api_post(f"/api/v1/requests/{first}/request_info", json={"comment": "Нужна ЭКГ"}) == 200
    assert author.client.post(f"/requests/{first}/action/provide_info", data={"comment": "ЭКГ в чате"}).status_code == 302
    assert author.api_post(f"/api/v1/requests/{first}/messages", json={"text": "Посмотрите"}) == 201
    assert consultant.socket_ack("send", {"request_id": first, "text": "Смотрю"}) == 200
    assert consultant.api_post(f"/api/v1/requests/{second}/take") == 200
    assert consultant.api_post(f"/api/v1/requests/{second}/refuse", json={"reason": "Не по профилю"}) == 200
    data = {**request_form(matrix_app), "attachments": [(io.BytesIO(PDF + b"%walk\n"), "ЭКГ.pdf")]}
    made = author.client.post(f"/requests/new/route/{route_id}", data=data, content_type="multipart/form-data")
    assert made.status_code == 302
    with matrix_app.app_context():
        statuses = [db.session.get(ConsultationRequest, i).status for i in (first, second)]
    assert statuses == ["in_work", "refused"]


def test_nothing_but_workflow_apply_commits_a_change_of_a_request(matrix_app, commit_watch):
    """Last in this module: every way of the matrix has been walked under the watch."""
    assert commit_watch.stray == [], "\n\n".join(commit_watch.stray)
    assert commit_watch.owned >= 8  # the walk's own changes at least: the watch saw them


def test_the_watch_sees_a_status_moved_outside_apply(matrix_app, cases):
    """The watch itself: an UPDATE of a request's row committed by hand is a stray commit."""
    from sqlalchemy import update

    with CommitWatch() as watch, matrix_app.app_context():
        db.session.execute(update(ConsultationRequest).where(ConsultationRequest.id == cases["completed"])
                           .values(diagnosis_text=ConsultationRequest.diagnosis_text))
        db.session.commit()
    assert len(watch.stray) == 1 and watch.owned == 0
