"""Socket.IO: the request chats in real time (namespace /chat) and the bell (namespace /notifications)."""
from urllib.parse import urlsplit

from flask.sessions import SecureCookieSessionInterface

from app.security.sessions import sessions_revoked


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


class SocketSessionInterface(SecureCookieSessionInterface):
    """Flask-SocketIO pushes a request context for every socket event, with the environ of the socket's
    handshake, and then replaces the session Flask opened from the cookie by the socket's own copy (kept
    in that environ as "saved_session"). Opening the cookie again for every event parsed and verified it
    for nothing: two thirds of what pushing the context cost. An HTTP request's environ has no such copy."""

    def open_session(self, app, request):
        socket_session = request.environ.get("saved_session")
        return socket_session if socket_session is not None else super().open_session(app, request)


def register_realtime() -> None:
    """Once per process: every namespace the portal serves."""
    from app.realtime import chat, notifications
    from app.realtime.revocation import disconnect_revoked

    chat.register_realtime()
    notifications.register_namespace()
    sessions_revoked.connect(disconnect_revoked)
