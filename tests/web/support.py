"""Helpers for the page tests: audit rows, page text, the error summary."""

import html
import re

from tandem.audit.models import AccessEvent
from tests import factories


def audit_rows(**filters) -> list[tuple]:
    """(action, person_id, purpose, channel, record_type) for each audit row, oldest first."""
    return list(
        AccessEvent.objects.filter(**filters)
        .order_by("id")
        .values_list("action", "person_id", "purpose", "channel", "record_type")
    )


def text_of(response) -> str:
    """The page's visible text, with the markup and runs of white space removed."""
    page = response.content.decode()
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).strip())


def error_summary(response) -> list[tuple[str, str]]:
    """(href, message) for each link of the GOV.UK error summary on the page."""
    page = response.content.decode()
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', page, flags=re.S)
    if not match:
        return []
    return [
        (href, html.unescape(re.sub(r"\s+", " ", message).strip()))
        for href, message in re.findall(r'<a href="([^"]+)">(.*?)</a>', match.group(0), flags=re.S)
    ]


def child_of_team(team, **kwargs):
    child = factories.ChildFactory(**kwargs)
    factories.InvolvementFactory(child=child, team=team)
    return child
