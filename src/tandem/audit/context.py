"""Where the current request or command came from, for the audit trail."""

import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field

from tandem.audit.models import Channel


@dataclass(frozen=True)
class Origin:
    channel: str = Channel.CLI
    ip_address: str | None = None
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))


_origin: ContextVar[Origin | None] = ContextVar("audit_origin", default=None)


def current_origin() -> Origin:
    return _origin.get() or Origin()


def set_origin(origin: Origin):
    return _origin.set(origin)


def reset_origin(token) -> None:
    _origin.reset(token)
