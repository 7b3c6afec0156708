"""Several processes: with REDIS_URL the portal's processes share Socket.IO rooms through Redis, so a
message sent through one reaches a client of the other, and a job run by an RQ worker (another process
again) reaches the sockets through the same queue.

Two real servers — `python run.py` (threading) and `gunicorn -k gevent wsgi:app` (the scaled shape) — over
one fresh PostgreSQL database, real logins, python-socketio
clients with the session cookie. The Redis channel and the RQ queue are named for this run, so runs on
one Redis do not hear each other (pub/sub ignores the database number)."""
import datetime
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from config import BASE_DIR
from tests.conftest import DEMO_PASSWORD, make_app, prepare_database
from tests.databases import drop_database, fresh_database
from tests.requests_helpers import new_request

DATABASE, REDIS = os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not (DATABASE and REDIS), reason="needs TEST_DATABASE_URL and TEST_REDIS_URL")

CHAT, BELL = "/chat", "/notifications"
WAIT = 20  # seconds: generous, the machine is shared


def wait_until(check, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A portal process on a free port, its output in a file (shown when it does not come up):
    `python run.py` (threading), or with ``gevent`` the scaled shape `gunicorn -k gevent wsgi:app`."""

    def __init__(self, env: dict, folder: Path, gevent: bool = False):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / f"server-{self.port}.log"
        command = [sys.executable, "run.py", "--port", str(self.port)]
        if gevent:
            command = [sys.executable, "-m", "gunicorn", "-k", "gevent", "--workers", "1",
                       "--bind", f"127.0.0.1:{self.port}", "wsgi:app"]
            env = {**env, "TMK_SOCKETIO_ASYNC_MODE": "gevent"}
        with self.log.open("w") as out:
            self.process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT)

    def wait_ready(self) -> None:
        import requests

        def answers():
            assert self.process.poll() is None, self.log.read_text()
            try:
                return requests.get(f"{self.url}/login/", timeout=2).status_code == 200
            except requests.ConnectionError:
                return False

        wait_until(answers, f"the server on {self.url}", timeout=90)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="module")
def portal():
    """Two servers over one prepared database and one Redis channel; the test data made here."""
    from redis import Redis

    folder = Path(tempfile.mkdtemp(prefix="tmk-processes-"))
    url = fresh_database("postgresql", folder)
    app = make_app(url)
    prepare_database(app)
    with app.app_context():
        from app.extensions import db
        from app.models import TmkUser

        # no notification mail: its jobs would go to the shared "tmk" queue of other runs' workers
        db.session.query(TmkUser).update({TmkUser.email_notifications: False})
        db.session.commit()
        request_id = new_request().id
        db.session.remove()
        db.engine.dispose()
    run = uuid.uuid4().hex[:12]
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": REDIS, "TMK_SOCKETIO_CHANNEL": f"tmk-test-{run}",
           "SECRET_KEY": uuid.uuid4().hex, "TMK_INSTANCE_PATH": str(folder / "instance"),
           "AUTH_RATE_LIMITED": "false"}
    # the embedded shape and the scaled one (gevent under gunicorn) share rooms through Redis
    servers = [Server(env, folder), Server(env, folder, gevent=True)]
    try:
        for server in servers:
            server.wait_ready()
        yield {"servers": servers, "env": env, "request_id": request_id, "app": app, "run": run,
               "redis": Redis.from_url(REDIS)}
    finally:
        for server in servers:
            server.stop()
        drop_database(url)
        shutil.rmtree(folder, ignore_errors=True)


def logged_in(server: Server, username: str):
    """A requests session logged in through the real login form (with its CSRF token)."""
    import requests

    http = requests.Session()
    form = http.get(f"{server.url}/login/", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    answer = http.post(f"{server.url}/login/", data={"username": username, "password": DEMO_PASSWORD,
                                                      "csrf_token": token}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302 and "session" in http.cookies, f"login of {username} failed"
    return http


class Client:
    """A python-socketio client over a websocket with the user's session cookie, on both namespaces;
    what it receives is kept in order."""

    def __init__(self, server: Server, username: str):
        import socketio

        http = logged_in(server, username)
        self.received = []
        self.sio = socketio.Client(reconnection=False)
        for namespace, event in ((CHAT, "message"), (BELL, "unread")):
            self.sio.on(event, lambda data, event=event: self.received.append((event, data)), namespace=namespace)
        cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
        self.sio.connect(server.url, headers={"Cookie": cookie}, transports=["websocket"],
                         namespaces=[CHAT, BELL], wait_timeout=WAIT)

    def call(self, event: str, data=None, namespace: str = CHAT):
        return self.sio.call(event, data, namespace=namespace, timeout=WAIT)

    def expect(self, event: str, matches, what: str):
        """The first payload of that event that matches, whatever else came; fails after WAIT seconds."""
        return wait_until(lambda: next((data for name, data in list(self.received) if name == event and matches(data)),
                                       None), what)


@pytest.fixture(scope="module")
def members(portal):
    """The request's author on the first server and the consulting МО's administrator on the second,
    both in the request's chat room; both servers subscribed to the run's channel."""
    first, second = portal["servers"]
    author, admin = Client(first, "requester1"), Client(second, "moadmin1")
    try:
        for client in (author, admin):
            assert client.call("join", {"request_id": portal["request_id"]}) == {"ok": True}
        channel = portal["env"]["TMK_SOCKETIO_CHANNEL"]
        # a server subscribes in a thread of its own once its first client is in: wait for both
        wait_until(lambda: portal["redis"].pubsub_numsub(channel)[0][1] == 2, "both servers on the channel")
        yield author, admin
    finally:
        author.sio.disconnect()
        admin.sio.disconnect()


def test_a_message_sent_through_one_process_reaches_a_client_of_the_other(portal, members):
    author, admin = members
    assert author.sio.connection_url != admin.sio.connection_url
    ack = author.call("send", {"request_id": portal["request_id"], "text": "Через два процесса",
                               "client_id": f"proc-{portal['run']}"})
    assert ack["ok"] and isinstance(ack["message"]["id"], int)
    got = admin.expect("message", lambda m: m["id"] == ack["message"]["id"], "message on the other process")
    assert got["text"] == "Через два процесса" and got["request_id"] == portal["request_id"]


def test_a_job_in_an_rq_worker_reaches_the_sockets_of_both_processes(portal, members):
    from redis import Redis
    from rq import Queue

    author, admin = members
    before = admin.call("count", namespace=BELL)["unread"]
    app, request_id = portal["app"], portal["request_id"]
    with app.app_context():
        from app.extensions import db
        from app.models import ConsultationRequest, utcnow

        db.session.get(ConsultationRequest, request_id).due_at = utcnow() - datetime.timedelta(minutes=1)
        db.session.commit()
        db.session.remove()
    jobs = Queue(f"tmk-test-{portal['run']}", connection=Redis.from_url(REDIS))
    job = jobs.enqueue("app.jobs.tasks.check_deadlines")
    try:
        worker = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "tmk", "worker", "--burst", jobs.name], cwd=BASE_DIR, env=portal["env"], capture_output=True, text=True,
            timeout=120)
        assert worker.returncode == 0, worker.stdout + worker.stderr
        assert job.get_status(refresh=True) == "finished", worker.stdout + worker.stderr
    finally:
        jobs.delete(delete_jobs=True)
    overdue = "Срок ответа по заявке истёк"
    for client in (author, admin):
        client.expect("message", lambda m: m["request_id"] == request_id and m["text"] == overdue,
                      "system message from the job")
    # the portal's own event goes to every participant: the bell of the administrator rings too
    admin.expect("unread", lambda data: data["unread"] > before, "a higher unread count from the job")
