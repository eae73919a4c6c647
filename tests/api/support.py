"""Clients for the JSON API, signed in with a personal token or with a browser session, and a
helper that collects the audit rows a request wrote."""

import json
from contextlib import contextmanager

from tandem.audit.models import AccessEvent
from tandem.partners.tokens import Operator, api_token_create
from tests.signing_in import VerifiedClient


class ApiClient:
    """Sends JSON to the API as one user, with a token (`Authorization: Bearer`) or a session."""

    def __init__(self, user, mode: str = "token", *, enforce_csrf_checks: bool = False):
        self.user = user
        self.mode = mode
        self.client = VerifiedClient(enforce_csrf_checks=enforce_csrf_checks)
        self.headers = {}
        if mode == "token":
            _, token = api_token_create(actor=Operator("test"), user=user)
            self.headers["Authorization"] = f"Bearer {token}"
        elif mode == "session":
            self.client.force_login(user)
        else:
            assert mode == "anonymous"

    def get(self, path: str, params: dict | None = None):
        return self.client.get(path, params or {}, headers=self.headers)

    def send(self, method: str, path: str, body=None, *, raw: str | None = None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        return getattr(self.client, method.lower())(
            path, data, content_type="application/json", headers=self.headers
        )

    def post(self, path: str, body=None, **kwargs):
        return self.send("post", path, body, **kwargs)

    def patch(self, path: str, body=None, **kwargs):
        return self.send("patch", path, body, **kwargs)

    def delete(self, path: str):
        return self.send("delete", path)


@contextmanager
def audit_rows():
    """Collects the audit rows written inside the block, oldest first."""
    last = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    rows: list[AccessEvent] = []
    yield rows
    rows.extend(AccessEvent.objects.filter(id__gt=last).order_by("id"))


def summary(rows) -> list[tuple]:
    """What each audit row says happened: (action, record type, person, channel)."""
    return [(r.action, r.record_type, r.person_id, r.channel) for r in rows]
