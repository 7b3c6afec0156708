"""All settings come from environment variables; every one has an embedded default.

The embedded default (nothing set) is SQLite in ``instance/``, jobs in-process, mail written to
``instance/outbox/``. See README.md for the full table.
"""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def instance_path() -> Path:
    return Path(os.environ.get("TMK_INSTANCE_PATH", BASE_DIR / "instance")).resolve()


def _secret_key(folder: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    folder.mkdir(parents=True, exist_ok=True)
    key_file = folder / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def sqlalchemy_url(url: str) -> str:
    """postgres:// and postgresql:// URLs get the psycopg 3 driver we ship."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    """Read once per create_app(); tests pass overrides on top."""

    def __init__(self) -> None:
        folder = instance_path()
        self.INSTANCE_PATH = str(folder)
        self.SECRET_KEY = _secret_key(folder)
        self.SQLALCHEMY_DATABASE_URI = sqlalchemy_url(
            os.environ.get("DATABASE_URL", f"sqlite:///{folder / 'tmk.db'}")
        )
        self.SQLALCHEMY_TRACK_MODIFICATIONS = False
        self.REDIS_URL = os.environ.get("REDIS_URL", "")

        # Flask-AppBuilder
        self.APP_NAME = "ТМК"
        self.APP_ICON = ""
        self.FAB_CREATE_DB = False  # the schema belongs to migrations/
        self.FAB_UPDATE_PERMS = False  # permissions are synced by `flask tmk init`, not per start
        self.FAB_SECURITY_MANAGER_CLASS = "app.views.users.PortalSecurityManager"
        self.FAB_INDEX_VIEW = "app.views.home.HomeView"
        self.FAB_BASE_TEMPLATE = "tmk/base.html"
        self.FAB_ADD_SECURITY_VIEWS = True
        self.FAB_ADD_SECURITY_PERMISSION_VIEW = False
        self.FAB_ADD_SECURITY_VIEW_MENU_VIEW = False
        self.FAB_ADD_SECURITY_PERMISSION_VIEWS_VIEW = False
        self.FAB_API_SWAGGER_UI = True
        self.FAB_ADD_OPENAPI_VIEWS = False  # app/api/openapi.py serves the spec, completed
        self.FAB_API_MAX_PAGE_SIZE = 100
        self.AUTH_TYPE = 1  # AUTH_DB
        self.AUTH_USER_REGISTRATION = False
        self.AUTH_ROLE_ADMIN = "Региональный администратор"
        self.AUTH_ROLE_PUBLIC = "Гость"
        # failed sign-ins, per client address and per account name (app/security/login_limits.py)
        self.AUTH_RATE_LIMITED = _bool("AUTH_RATE_LIMITED", True)
        self.AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "10 per minute")
        self.TMK_AUTH_ACCOUNT_RATE_LIMIT = os.environ.get("TMK_AUTH_ACCOUNT_RATE_LIMIT", "5 per minute")
        self.RATELIMIT_ENABLED = self.AUTH_RATE_LIMITED
        # with several processes the login limit must be counted in one place
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        # Redis down: fail open to memory, each process counts alone (the reason: login_limits.py); an
        # unreachable Redis is given up on quickly instead of holding the sign-in
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2} if self.REDIS_URL else {}
        # reverse proxies in front of the portal (1 behind deploy/nginx.conf): the client's address and
        # scheme are taken from that many X-Forwarded-For/-Proto entries; 0 trusts none
        self.TMK_PROXY_COUNT = int(os.environ.get("TMK_PROXY_COUNT", "0"))
        self.FAB_PASSWORD_COMPLEXITY_ENABLED = True
        self.FAB_SAFE_REDIRECT_HOSTS = [
            h.strip() for h in os.environ.get("TMK_SAFE_REDIRECT_HOSTS", "").split(",") if h.strip()
        ]

        # Language, dates and time zone
        self.BABEL_DEFAULT_LOCALE = "ru"
        self.BABEL_DEFAULT_TIMEZONE = os.environ.get("TMK_TIMEZONE", "Europe/Moscow")
        # FAB adds its own catalog first; then our supplement to it, then ours (later ones win)
        self.BABEL_TRANSLATION_DIRECTORIES = ";".join(
            str(BASE_DIR / "app" / "translations" / sub) for sub in ("fab", "")
        )
        self.LANGUAGES = {"ru": {"flag": "ru", "name": "Русский"}}

        # Sessions and cookies
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _bool("TMK_HTTPS", False)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.PREFERRED_URL_SCHEME = "https" if self.SESSION_COOKIE_SECURE else "http"
        self.WTF_CSRF_ENABLED = True
        self.WTF_CSRF_TIME_LIMIT = None  # a doctor may keep a form open for a whole shift

        # Uploads: the largest accepted file; Flask answers a bigger request body with 413
        self.TMK_MAX_UPLOAD_MB = int(os.environ.get("TMK_MAX_UPLOAD_MB", "50"))
        self.MAX_CONTENT_LENGTH = self.TMK_MAX_UPLOAD_MB * 1024 * 1024

        # Mail (Flask-Mail); notifications use it
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
        self.MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "tmk@localhost")
        self.MAIL_SUPPRESS_SEND = False  # Flask-Mail would keep quiet under TESTING; the tests use a real server
        # the portal's address as users open it: links in e-mails point here
        self.TMK_BASE_URL = os.environ.get("TMK_BASE_URL", "http://127.0.0.1:5000")

        # Jobs: pauses between the attempts of a failed job, in seconds
        self.TMK_JOB_RETRY_SECONDS = os.environ.get("TMK_JOB_RETRY_SECONDS", "10,30,60,120,300,600,1800")

        # «Портал врача»: the patient's record in the region's doctor portal; {snils} and {policy} are
        # filled in. Empty: the link is not shown.
        self.TMK_DOCTOR_PORTAL_URL = os.environ.get("TMK_DOCTOR_PORTAL_URL", "")

        # Video (app/video): a self-hosted Jitsi with token authentication. None by default: an outside
        # server would break the offline rule; the video block then says what to set.
        self.JITSI_DOMAIN = os.environ.get("JITSI_DOMAIN", "")  # host[:port] of its web, served over HTTPS
        self.JITSI_APP_ID = os.environ.get("JITSI_APP_ID", "")
        self.JITSI_APP_SECRET = os.environ.get("JITSI_APP_SECRET", "")
        # the tokens' "sub": the server's XMPP domain (meet.jitsi in docker-jitsi-meet); empty: JITSI_DOMAIN's host
        if "/" in self.JITSI_DOMAIN:
            raise ValueError("JITSI_DOMAIN is host[:port], without https:// or a path")
        self.JITSI_TOKEN_SUBJECT = os.environ.get("JITSI_TOKEN_SUBJECT", "")
        # what the server has: the whiteboard (an Excalidraw backend) and recording (Jibri)
        self.JITSI_WHITEBOARD = _bool("JITSI_WHITEBOARD", False)
        self.JITSI_RECORDING = _bool("JITSI_RECORDING", False)
        # a call rings this long; whoever has not answered by then missed it (app/video/calls.py)
        self.TMK_VIDEO_CALL_TIMEOUT_SECONDS = float(os.environ.get("TMK_VIDEO_CALL_TIMEOUT_SECONDS", "45"))

        # Real-time: Origin values allowed to open a Socket.IO connection besides the portal's own origin
        # and TMK_BASE_URL's (app/realtime/__init__.py)
        self.SOCKETIO_CORS_ORIGINS = [
            o.strip() for o in os.environ.get("TMK_SOCKETIO_ORIGINS", "").split(",") if o.strip()
        ]
        # the Redis pub/sub channel of Socket.IO: processes (and jobs) on one channel share rooms; pub/sub
        # ignores Redis' database number, so two portals (or test runs) on one Redis need two channels
        self.SOCKETIO_CHANNEL = os.environ.get("TMK_SOCKETIO_CHANNEL", "flask-socketio")
        # threading (simple-websocket) for run.py; gevent under `gunicorn -k gevent`: a thread per socket
        # bounds a gthread worker to its --threads sockets, gevent held 500 (bench/socket_bench.py).
        # Never eventlet (DESIGN.md §3). It must match the server the process runs in.
        self.SOCKETIO_ASYNC_MODE = os.environ.get("TMK_SOCKETIO_ASYNC_MODE", "threading")
        if self.SOCKETIO_ASYNC_MODE not in ("threading", "gevent"):
            raise ValueError("TMK_SOCKETIO_ASYNC_MODE is threading or gevent")

        # First regional administrator and the demo region
        self.TMK_ADMIN_USER = os.environ.get("TMK_ADMIN_USER", "")
        self.TMK_ADMIN_PASSWORD = os.environ.get("TMK_ADMIN_PASSWORD", "")
        self.TMK_DEMO_PASSWORD = os.environ.get("TMK_DEMO_PASSWORD", "Demo-2026!")
