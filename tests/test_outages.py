"""Redis down (issue 11, item 8): what was committed answers success, what could not be queued is kept in
the database and sent to RQ by the minute sweep once Redis is back; a conclusion is rendered here and now."""
import datetime
import os

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs import tasks
from app.models import ConsultationRequest, KeptJob, Notification, Patient, utcnow
from app.workflow import apply
from tests.conftest import login, make_app
from tests.requests_helpers import new_request, user
from tests.test_conclusions import FORM, request_in_work
from tests.test_request_api import body
from tests.conftest import api_token

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused
CHANNEL = "tmk-test-outages"
LIVE_REDIS = os.environ.get("TEST_REDIS_URL")


@pytest.fixture()
def dead_redis_app(app):
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=DEAD_REDIS, SOCKETIO_CHANNEL=CHANNEL,
                    MAIL_SERVER="")


def kept_jobs(task: str) -> list:
    return db.session.query(KeptJob).filter_by(task=task).all()


def test_creating_and_taking_a_request_answer_success_while_redis_is_down(dead_redis_app):
    client = dead_redis_app.test_client()
    payload = body(dead_redis_app)
    created = client.post("/api/v1/requests/", json=payload, headers=api_token(dead_redis_app, "requester1"))
    assert created.status_code == 201, created.get_data(as_text=True)
    request_id = created.json["result"]["id"]
    taken = client.post(f"/api/v1/requests/{request_id}/take", headers=api_token(dead_redis_app, "consultant1"))
    assert taken.status_code == 200, taken.get_data(as_text=True)
    assert taken.json["result"]["status"] == "in_work"
    with dead_redis_app.app_context():
        policy = payload["patient"]["oms_policy"]
        made = db.session.query(ConsultationRequest).join(Patient).filter(Patient.oms_policy == policy).count()
        assert made == 1  # one request: the client had no reason to retry
        mails = {n.id for n in db.session.query(Notification).filter_by(request_id=request_id, email_state="pending")}
        assert mails  # the author wants to know it was taken
        kept = {job.args[0] for job in kept_jobs("app.jobs.tasks.send_notification_mail")}
        assert mails <= kept  # the mail is kept in the database, not lost


def test_the_form_pages_answer_success_while_redis_is_down(dead_redis_app):
    with dead_redis_app.app_context():
        request_id = new_request().id
    client = login(dead_redis_app.test_client(), "consultant1")
    response = client.post(f"/requests/{request_id}/action/take")
    assert response.status_code == 302
    with dead_redis_app.app_context():
        assert db.session.get(ConsultationRequest, request_id).status == "in_work"


def test_a_conclusion_is_rendered_here_while_redis_is_down(dead_redis_app):
    with dead_redis_app.app_context():
        request_id = request_in_work()
    client = login(dead_redis_app.test_client(), "consultant1")
    response = client.post(f"/requests/{request_id}/conclusion", data={**FORM, "render": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/requests/{request_id}/conclusion/sign")
    with dead_redis_app.app_context():
        consultation = db.session.get(ConsultationRequest, request_id)
        assert consultation.status == "signing" and consultation.conclusion.state == "ready"
        conclusion_id = consultation.conclusion.id
        assert conclusion_id not in {job.args[0] for job in kept_jobs("app.jobs.tasks.render_conclusion")}


@pytest.mark.skipif(not LIVE_REDIS, reason="TEST_REDIS_URL is not set")
def test_what_was_kept_is_queued_by_the_minute_sweep_when_redis_is_back(app, dead_redis_app):
    from redis import Redis
    from rq import Queue, SimpleWorker

    with dead_redis_app.app_context():
        consultation = new_request()
        apply(user("consultant1"), consultation, "take")  # committed; the mail job cannot be queued
        request_id = consultation.id
        mails = {n.id for n in db.session.query(Notification).filter_by(request_id=request_id, email_state="pending")}
        assert mails and mails <= {job.args[0] for job in kept_jobs("app.jobs.tasks.send_notification_mail")}
        # a minute later: the sweep leaves a job alone while the committing process may still queue it
        db.session.execute(sa.update(KeptJob).values(next_attempt_at=utcnow() - datetime.timedelta(seconds=1)))
        db.session.commit()
    live = make_app(app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=LIVE_REDIS, SOCKETIO_CHANNEL=CHANNEL,
                    MAIL_SERVER="")
    connection = Redis.from_url(LIVE_REDIS)
    mail_queue = Queue("tmk-mail", connection=connection)
    mail_queue.empty()
    try:
        with live.app_context():
            tasks.every_minute()  # what RQ's cron runs once Redis is back
            assert not {job.args[0] for job in kept_jobs("app.jobs.tasks.send_notification_mail")} & mails
            assert mail_queue.count >= len(mails)
            SimpleWorker([mail_queue], connection=connection).work(burst=True)
            db.session.expire_all()
            states = {n.email_state for n in db.session.query(Notification).filter(Notification.id.in_(mails))}
        assert states == {"sent"}
    finally:
        mail_queue.empty()


def demo_statuses(application) -> list[tuple[str, str]]:
    from app.demo.requests import CASES

    questions = {case[7] for case in CASES}
    with application.app_context():
        rows = (db.session.query(ConsultationRequest.question, ConsultationRequest.status)
                .order_by(ConsultationRequest.id))
        return [(question, status) for question, status in rows if question in questions][:len(CASES)]


@pytest.mark.skipif(not LIVE_REDIS, reason="TEST_REDIS_URL is not set")
def test_the_demo_loads_the_same_with_redis(app, tmp_path):
    """`run.py --demo` with REDIS_URL set: all 12 requests, each in the status it has without Redis."""
    from redis import Redis
    from rq import Queue

    from tests.conftest import prepare_database
    from tests.databases import drop_database, fresh_database

    backend = "postgresql" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else "sqlite"
    url = fresh_database(backend, tmp_path)
    with_redis = make_app(url, REDIS_URL=LIVE_REDIS, SOCKETIO_CHANNEL=CHANNEL, MAIL_SERVER="")
    try:
        prepare_database(with_redis)
        assert demo_statuses(with_redis) == demo_statuses(app)
        assert ("Оценка результатов суточного мониторирования АД", "signing") in demo_statuses(with_redis)
    finally:
        with with_redis.app_context():
            db.session.remove()
            db.engine.dispose()
        drop_database(url)
        for name in ("tmk", "tmk-mail", "tmk-render"):
            Queue(name, connection=Redis.from_url(LIVE_REDIS)).empty()
