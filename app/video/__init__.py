"""Video consultations (manual §3.5): a Jitsi room per request, its participants' tokens, calls that ring
and the sessions written into the request's history. Above workflow (a session is a request's event),
below the views, the API and the sockets that translate HTTP and Socket.IO into calls of it."""
