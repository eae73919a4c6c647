"""One style for what people read (issue 22): every page each kind of viewer can reach, signed
in for real, is read for the faults a newcomer found: a record id where a person's name should
be, a literal "None", a strftime code, an ISO date, a 24-hour clock or an abbreviated month
(GOV.UK writes "7 December 2026 at 2:23pm", one way, through tandem.formats)."""

import re

import pytest

from tests.access.test_related_sweep import _real_sign_in, _requests, world  # noqa: F401
from tests.web.support import text_of

pytestmark = pytest.mark.django_db

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
FAULTS = {
    "a record id": re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"),
    "None": re.compile(r"\bNone\b(?! of| recorded| yet| found| known)"),
    "a strftime code": re.compile(r"%-?[a-zA-Z]\b"),
    "an ISO date": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "a 24-hour clock": re.compile(r"\b\d{1,2}:\d{2}(?!\s?[ap]m)\b"),
    "a zero-padded day": re.compile(rf"\b0\d ({MONTHS})\b"),
    "a plural of one": re.compile(
        r"\b1 (notifications|holds|restrictions|emergency accesses|extracts|entries|jobs|returns|"
        r"pairs|lines|decisions|events|items|children|referrals|shares|requests)\b"
    ),
    "an abbreviated month": re.compile(
        r"\b\d{1,2} (Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec) \d{4}\b"
    ),
}


def faults_in(text: str) -> list[tuple[str, str]]:
    return [
        (fault, text[max(0, m.start() - 40) : m.end() + 40])
        for fault, pattern in FAULTS.items()
        for m in pattern.finditer(text)
    ]


@pytest.mark.parametrize(
    "viewer",
    ["owning_team", "involved", "team_around_the_family", "front_door", "break_glass",
     "ig_lead", "analyst", "referrer", "named"],
)  # fmt: skip
def test_no_page_shows_an_id_none_or_a_raw_date(world, viewer):  # noqa: F811
    client = _real_sign_in(world["viewers"][viewer])
    read = 0
    found = []
    for label, method, url, data in _requests(world["ids"]):
        if method != "get" or url.startswith("/api/"):
            continue
        response = client.get(url, data or {})
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        read += 1
        found += [(label, *fault) for fault in faults_in(text_of(response))]
    assert not found, "\n".join(map(str, found))
    assert read > 5


def test_the_sweep_sees_each_fault():
    for text in (
        "Record 04d5e0c1-7a3b-4c2d-9e8f-0123456789ab",
        "Lead professional None",
        "due by %d %B %Y",
        "Born 2014-02-02",
        "14:23 on 7 December 2026",
        "due by 01 January 2027",
        "07 Dec 2026",
        "1 notifications, newest first",
    ):
        assert faults_in(text), text
    assert not faults_in("Seen 7 December 2026 at 2:23pm. None of these apply. NHS 943 476 5919")
