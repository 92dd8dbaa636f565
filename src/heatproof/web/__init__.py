"""The web application: dashboard, REST API with roles, audit trail, live stands and the public open-data view (FastAPI, docs/web.md)."""
