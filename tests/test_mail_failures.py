"""One bad address must not stop the mail (issue 11, item 9): a real SMTP server (aiosmtpd), one account
whose e-mail has a CRLF in the database, 23 notifications to healthy accounts."""
import datetime
import os
import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs import tasks
from app.models import Notification, TmkUser, utcnow
from tests.conftest import login, make_app, visible_text
from tests.requests_helpers import new_request, user
from tests.test_conclusions import FORM, request_in_work
from tests.test_notifications import smtp, wait_for  # noqa: F401  (smtp: the fixture, a real SMTP server)

BAD_ADDRESS = "requester1@demo.tmk.local\r\nBcc: spy@evil.example"
HEALTHY = ["requester2", "consultant1", "consultant2", "consultant3", "coordinator1", "moadmin1"]


@pytest.fixture()
def mail_app(app, smtp):  # noqa: F811
    _, _, port = smtp
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                    TMK_JOB_RETRY_SECONDS="1,1", TMK_BASE_URL="https://tmk.region.local")


@pytest.fixture()
def bad_address(mail_app):
    """requester1's e-mail with a CRLF, set directly in the database (as an old import left it)."""
    with mail_app.app_context():
        bad = user("requester1")
        good_address, bad_id = bad.email, bad.id
        db.session.execute(sa.update(TmkUser).where(TmkUser.id == bad_id).values(email=BAD_ADDRESS))
        db.session.commit()
    yield bad_id
    with mail_app.app_context():
        db.session.execute(sa.update(TmkUser).where(TmkUser.id == bad_id).values(email=good_address))
        db.session.commit()


def lost_notifications(bad_id: int) -> tuple[int, list[int]]:
    """Pending mail whose jobs were lost (a restart): the bad one first, then 23 to healthy accounts."""
    consultation = new_request(author="requester2")
    # the new request's own mail goes out in this process's job threads: let it finish, or it lands in the
    # inbox the test counts
    assert wait_for(lambda: not db.session.query(Notification.id).filter(
        Notification.request_id == consultation.id, Notification.email_state == "pending").count())
    event_id, old = consultation.events[-1].id, utcnow() - datetime.timedelta(minutes=10)
    healthy = [user(login).id for login in HEALTHY]
    rows = [Notification(user_id=user_id, request_id=consultation.id, event_id=event_id, email_state="pending",
                         created_at=old) for user_id in [bad_id] + [healthy[i % len(healthy)] for i in range(23)]]
    db.session.add_all(rows)
    db.session.commit()
    return rows[0].id, [row.id for row in rows[1:]]


def test_one_bad_address_does_not_stop_the_others_and_is_given_up_visibly(mail_app, smtp, bad_address):  # noqa: F811
    inbox, _, _ = smtp
    with mail_app.app_context():
        bad, good = lost_notifications(bad_address)
        inbox.messages.clear()
        started = utcnow()
        assert tasks.sweep_unsent_mail() == 23
        db.session.expire_all()
        states = [db.session.get(Notification, i).email_state for i in good]
        assert states == ["sent"] * 23
        failing = db.session.get(Notification, bad)
        assert failing.email_state == "pending" and failing.email_attempts == 1  # to be retried later
        assert failing.email_error == "BadHeaderError" and failing.email_next_attempt_at > started
        request_number = failing.request.number
    assert len(inbox.messages) == 23
    assert not any("spy@evil.example" in " ".join(to) for to, _ in inbox.messages)
    with mail_app.app_context():
        for attempt in (2, 3):  # TMK_JOB_RETRY_SECONDS="1,1": two retries after the first attempt
            time.sleep(1.1)
            tasks.sweep_unsent_mail()
            db.session.expire_all()
            assert db.session.get(Notification, bad).email_attempts == attempt
        assert db.session.get(Notification, bad).email_state == "failed"  # given up
        time.sleep(1.1)
        tasks.sweep_unsent_mail()
        db.session.expire_all()
        assert db.session.get(Notification, bad).email_attempts == 3  # and not tried again
    # the administrator of requester1's МО sees it; another МО's administrator does not
    own = login(mail_app.test_client(), "moadmin2").get("/undelivered-mail/list/")
    assert own.status_code == 200
    text = visible_text(own.get_data(as_text=True))
    assert request_number in text and "Васильев" in text and "Не доставлено" in text
    assert "Адрес не принят: проверьте e-mail пользователя" in text and "BadHeaderError" not in text
    other = login(mail_app.test_client(), "moadmin1").get("/undelivered-mail/list/")
    assert other.status_code == 200 and "Васильев" not in visible_text(other.get_data(as_text=True))
    denied = login(mail_app.test_client(), "requester2").get("/undelivered-mail/list/")
    assert denied.status_code in (302, 403)


def test_mail_and_renders_go_to_separate_queues(app):
    from redis import Redis
    from rq import Queue

    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("TEST_REDIS_URL is not set")
    queued = make_app(app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=redis_url,
                      SOCKETIO_CHANNEL="tmk-test-mail-failures", TMK_RENDER_TIMEOUT_SECONDS=45)
    connection = Redis.from_url(redis_url)
    mail, render = Queue("tmk-mail", connection=connection), Queue("tmk-render", connection=connection)
    mail.empty(), render.empty()
    try:
        with queued.app_context():
            request_id = request_in_work()  # taken: the author is told by mail
            assert {job.func_name for job in mail.jobs} == {"app.jobs.tasks.send_notification_mail"}
        client = login(queued.test_client(), "consultant1")
        client.post(f"/requests/{request_id}/conclusion", data={**FORM, "render": "1"})
        jobs = render.jobs
        assert [job.func_name for job in jobs] == ["app.jobs.tasks.render_conclusion"]
        assert jobs[0].timeout == 45  # a render cannot hold a worker longer than this
    finally:
        mail.empty(), render.empty()
