"""Security headers on every response, and the per-request CSP nonce FAB's templates ask for."""
import secrets

from flask import Flask, g


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def allow_video_server(domain: str) -> None:
    """This page embeds the video room: its script and frame may come from the Jitsi server. Only that
    page: everywhere else the portal is its one origin."""
    g.video_origin = f"https://{domain}"


def content_security_policy(nonce: str, video_origin: str = "") -> str:
    jitsi = video_origin
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}' {jitsi}".strip(),
            "style-src 'self' 'unsafe-inline'",  # FAB's widgets set inline styles
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",
            "font-src 'self'",
            "connect-src 'self'",
            f"frame-src 'self' {jitsi}".strip(),
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


def init_security_headers(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def set_security_headers(response):
        response.headers["Content-Security-Policy"] = content_security_policy(
            csp_nonce(), g.get("video_origin", "")
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Referrer-Policy"] = "same-origin"
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response
