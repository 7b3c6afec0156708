"""Notifications by e-mail through a real SMTP server (aiosmtpd): no medical content, and nothing is
lost while the server is down."""
import socket
import time

import pytest
from aiosmtpd.controller import Controller

from app.extensions import db
from app.jobs import tasks
from app.models import Notification
from app.models.users import EMAIL_EVENT_GROUPS
from app.workflow import apply
from tests.conftest import make_app
from tests.requests_helpers import new_request, user


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(condition, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


class SmtpServer:
    """A real SMTP server on a fixed port that can go down and come back (a new aiosmtpd controller
    each time: a stopped one cannot start again)."""

    def __init__(self, inbox, port):
        self.inbox, self.port, self.controller = inbox, port, None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture()
def smtp():
    inbox, port = Inbox(), free_port()
    server = SmtpServer(inbox, port)
    server.start()
    yield inbox, server, port
    server.stop()


@pytest.fixture()
def mail_app(app, smtp):
    _, _, port = smtp
    return make_app(app.config["SQLALCHEMY_DATABASE_URI"], MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                    TMK_JOB_RETRY_SECONDS="1,1", TMK_BASE_URL="https://tmk.region.local")


def test_participants_get_an_email_without_medical_content(mail_app, smtp):
    inbox, _, _ = smtp
    with mail_app.app_context():
        request = new_request()
        author_email = user("requester1").email
        inbox.messages.clear()
        apply(user("consultant1"), request, "take")
        number, request_id = request.number, request.id
        patient = request.patient.last_name
    assert wait_for(lambda: any(author_email in to for to, _ in inbox.messages))
    text = next(body for to, body in inbox.messages if author_email in to)
    assert number in text and f"https://tmk.region.local/requests/{request_id}" in text
    for secret in (patient, "I20.0", "стенокард", "Нужна ли коронарография"):
        assert secret not in text
    with mail_app.app_context():
        sent = db.session.query(Notification).filter_by(request_id=request_id, email_state="sent").count()
        assert sent >= 1


def test_nothing_is_lost_while_the_smtp_server_is_down(mail_app, smtp):
    inbox, controller, _ = smtp
    with mail_app.app_context():
        request = new_request()
        inbox.messages.clear()
        controller.stop()  # the mail server goes down
        apply(user("consultant1"), request, "take")
        request_id = request.id
        time.sleep(3)  # the in-process retries (1 s, 1 s) fail
        pending = db.session.query(Notification).filter_by(request_id=request_id, email_state="pending").count()
        assert pending >= 1
    controller.start()  # it comes back
    with mail_app.app_context():
        assert tasks.sweep_unsent_mail() >= 1
        db.session.expire_all()
        assert db.session.query(Notification).filter_by(request_id=request_id, email_state="pending").count() == 0
    assert inbox.messages


def test_no_email_for_those_who_switched_it_off_but_the_notification_stays(mail_app, smtp):
    inbox, _, _ = smtp
    with mail_app.app_context():
        author = user("requester2")
        address = author.email
        author.email_notifications = False
        db.session.commit()
        try:
            request = new_request(author="requester2")
            inbox.messages.clear()
            apply(user("consultant1"), request, "take")
            mine = db.session.query(Notification).filter_by(request_id=request.id, user_id=author.id).one()
            assert mine.email_state == "none"
        finally:
            author.email_notifications = True
            db.session.commit()
    time.sleep(1)
    assert not any(address in to for to, _ in inbox.messages)


def test_the_profile_switches_off_mail_for_chosen_events_only(mail_app, smtp):
    """«Настройка уведомлений»: «взята в работу» switched off, «запрошена информация» still mailed."""
    inbox, _, _ = smtp
    client = mail_app.test_client()
    client.post("/login/", data={"username": "requester2", "password": "Demo-2026!"})
    page = client.get("/profile/notifications").get_data(as_text=True)
    assert 'name="email_events"' in page and page.count('type="checkbox"') >= 13
    form = {"email_notifications": "y", "portal_events": list(EMAIL_EVENT_GROUPS),
            "email_events": ["incoming", "information", "declined", "completed", "deadlines", "calls"]}
    assert client.post("/profile/notifications", data=form).status_code == 302
    with mail_app.app_context():
        author = user("requester2")
        assert author.email_muted == "taken" and "taken" not in author.email_events
        try:
            request = new_request(author="requester2")
            apply(user("consultant1"), request, "take")
            taken = db.session.query(Notification).filter_by(request_id=request.id, user_id=author.id).one()
            assert taken.email_state == "none"
            apply(user("consultant1"), request, "request_info", {"comment": "Пришлите ЭКГ"})
            states = {n.event.action: n.email_state
                      for n in db.session.query(Notification).filter_by(request_id=request.id, user_id=author.id)}
            assert states["request_info"] in ("pending", "sent")
        finally:
            author.email_muted = ""
            db.session.commit()


def test_without_a_mail_server_mail_goes_to_the_outbox(app, tmp_path):
    from pathlib import Path

    outbox_app = make_app(app.config["SQLALCHEMY_DATABASE_URI"], MAIL_SERVER="")
    with outbox_app.app_context():
        request = new_request()
        apply(user("consultant1"), request, "take")
        outbox = Path(outbox_app.instance_path) / "outbox"
        assert wait_for(lambda: any(outbox.glob("notification-*.eml")))


def test_with_redis_the_mail_goes_through_an_rq_worker(app, smtp):
    import os

    from redis import Redis
    from rq import Queue, SimpleWorker

    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("TEST_REDIS_URL is not set")
    inbox, _, port = smtp
    queued = make_app(app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=redis_url, MAIL_SERVER="127.0.0.1",
                      MAIL_PORT=port, TMK_JOB_RETRY_SECONDS="1")
    connection = Redis.from_url(redis_url)
    queue = Queue("tmk-mail", connection=connection)
    queue.empty()
    with queued.app_context():
        request = new_request()
        inbox.messages.clear()
        apply(user("consultant1"), request, "take")
        assert queue.count >= 1  # queued after the commit, not sent yet
        SimpleWorker([queue], connection=connection).work(burst=True)
        db.session.expire_all()
        states = {n.email_state for n in db.session.query(Notification).filter_by(request_id=request.id)}
    assert states == {"sent"}
    assert inbox.messages


def test_the_bell_counts_and_the_list_marks_read(app, client_for):
    import re

    with app.app_context():
        request = new_request()
        apply(user("consultant1"), request, "take")
        number = request.number
    client = client_for("requester1")
    home = client.get("/").get_data(as_text=True)
    count = int(re.search(r'id="tmk-bell".*?<span class="badge tmk-unread">(\d+)</span>', home, re.S).group(1))
    assert count >= 1
    listing = client.get("/notifications/").get_data(as_text=True)
    assert number in listing and "Взята в работу" in listing
    # the bell goes out («Главная» below it counts unread chats, which reading notifications leaves unread)
    bell = re.search(r'id="tmk-bell".*?</a>', client.get("/").get_data(as_text=True), re.S).group(0)
    assert "Уведомления" in bell and 'class="badge tmk-unread"' not in bell


def test_rq_cron_config_registers_the_minute_job():
    """`rq cron app/jobs/cron.py` loads this file: it must register the minute job on our queue."""
    from redis import Redis
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=Redis())  # loading the file does not talk to Redis
    scheduler.load_config_from_file("app/jobs/cron.py")
    jobs = scheduler.get_jobs()
    assert [(j.func.__name__, j.queue_name, j.interval) for j in jobs] == [("every_minute", "tmk", 60)]
