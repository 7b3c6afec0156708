"""Hooks for what follows a change of a request (the chat's system message, notifications).

Receivers run inside the transition's transaction: what they add to the session is committed
with the RequestEvent, or not at all.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the ConsultationRequest; keyword: event (the RequestEvent just written)
request_changed = _signals.signal("request-changed")

# sender: the chat message just added (a StoredMessage; inserted, not yet committed)
message_posted = _signals.signal("message-posted")
