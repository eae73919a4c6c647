from tandem.audit.context import Origin, reset_origin, set_origin
from tandem.audit.models import Channel


class RequestContextMiddleware:
    """Records each request's channel and address for the audit rows written while serving it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = Channel.API if request.path.startswith("/api/") else Channel.WEB
        token = set_origin(Origin(channel=channel, ip_address=request.META.get("REMOTE_ADDR")))
        try:
            return self.get_response(request)
        finally:
            reset_origin(token)
