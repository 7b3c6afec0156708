"""Browser tests: the real portal started with the README's command, driven in the system Chromium."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"
# a video server for the portal under test: its script is the local stand-in (tests/browser/stand_in), served
# in place of https://meet.test/external_api.js by jitsi_stand_in()
VIDEO_SERVER = {"JITSI_DOMAIN": "meet.test", "JITSI_APP_ID": "tmk", "JITSI_APP_SECRET": "test-secret-of-the-browser-portal-0001",
                "JITSI_TOKEN_SUBJECT": "meet.jitsi"}
STAND_IN = Path(__file__).resolve().parent / "stand_in" / "external_api.js"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def portal():
    """`python run.py --demo` on a free port with a fresh instance folder; yields (url, its output file)."""
    port = _free_port()
    instance = tempfile.mkdtemp(prefix="tmk-browser-")
    # the tests sign in as many people within a minute: a wider login limit than the default
    env = {**os.environ, "TMK_INSTANCE_PATH": instance, "TMK_DEMO_PASSWORD": "Demo-2026!",
           "AUTH_RATE_LIMIT": "200 per minute", **VIDEO_SERVER,
           "TMK_VIDEO_CALL_TIMEOUT_SECONDS": "12"}  # calls that ring 12 s
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    log_path = Path(instance) / "portal.log"
    with log_path.open("w") as log:
        process = subprocess.Popen([sys.executable, "run.py", "--demo", "--port", str(port)], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            pytest.fail(f"run.py exited:\n{log_path.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail(f"the portal did not start:\n{log_path.read_text()}")
    yield url, log_path
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run must install it")
        pytest.skip("no system Chromium (apt-get install chromium) — browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
    tab.js_errors = errors
    yield tab
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, url: str, login: str, password: str = "Demo-2026!") -> None:
    page.goto(url + "/login/")
    page.fill("#username", login)
    page.fill("#password", password)
    page.get_by_role("button", name="Войти").click()


def new_request(url: str, urgency: str = "urgent", profile: str = "Кардиология", organization: str = "больница № 1",
                author: str = "requester1") -> int:
    """A request of its own for a test, sent through the portal's API: the demo's few new requests are shared by
    every browser test, and one that takes a request would leave the next one without."""
    def call(method: str, path: str, body=None, token: str | None = None):
        headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
        data = json.dumps(body).encode() if body is not None else None
        with urllib.request.urlopen(urllib.request.Request(url + path, data, headers, method=method)) as answer:
            return json.load(answer)

    token = call("POST", "/api/v1/security/login", {"username": author, "password": "Demo-2026!", "provider": "db"})
    token = token["access_token"]
    route = next(r["id"] for r in call("GET", "/api/v1/routes/", token=token)["result"]
                 if r["care_profile"]["name"] == profile and organization in r["consulting_organization"]["name"])
    body = {
        "route": route, "urgency": urgency, "mode": "deferred", "goal": 1, "question": "Нужна ли коронарография?",
        "anamnesis": "Боли за грудиной 3 дня.", "diagnosis_code": "I20.0", "diagnosis_text": "Нестабильная стенокардия",
        "consent_given": True, "submit": True,
        "patient": {"last_name": "Браузеров", "first_name": "Тест", "middle_name": "Тестович", "birth_date": "1970-01-02", "sex": "male",
                    "oms_policy": f"{uuid.uuid4().int % 10**16:016d}"},
    }
    return call("POST", "/api/v1/requests/", body, token)["result"]["id"]


def jitsi_stand_in(context) -> None:
    """The browser context gets the stand-in whenever a page asks the video server for its IFrame API."""
    context.route(f"https://{VIDEO_SERVER['JITSI_DOMAIN']}/external_api.js",
                  lambda route: route.fulfill(path=str(STAND_IN), content_type="application/javascript"))
