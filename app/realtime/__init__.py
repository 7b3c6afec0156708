"""Socket.IO: the request chats in real time (namespace /chat)."""
