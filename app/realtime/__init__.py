"""Socket.IO: the request chats in real time (namespace /chat) and the bell (namespace /notifications)."""
from urllib.parse import urlsplit


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def origin_check(app):
    """Which pages may open a socket (it carries the user's session cookie): the portal's own origin as
    the browser asked for it (scheme and Host), its public address TMK_BASE_URL (behind a proxy the Host
    the process sees may differ) and the extra origins of TMK_SOCKETIO_ORIGINS; no other site."""
    allowed = {origin_of(app.config["TMK_BASE_URL"]), *app.config["SOCKETIO_CORS_ORIGINS"]}

    def check(origin: str, environ: dict) -> bool:
        own = f"{environ['wsgi.url_scheme']}://{environ.get('HTTP_HOST', '')}".lower()
        return origin in allowed or origin == own

    return check


def register_realtime() -> None:
    """Once per process: every namespace the portal serves."""
    from app.realtime import chat, notifications

    chat.register_realtime()
    notifications.register_namespace()
