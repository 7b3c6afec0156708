"""marshmallow schemas, one per operation (load) and per resource (dump), with Russian messages: what the
forms, the API, the OpenAPI spec and the sockets share. A low layer: it imports models, never the workflow,
security, views, API or realtime."""
