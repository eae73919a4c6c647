"""The portal's pages are written at a reading age a 12-year-old can manage (issue 6).

Each page is rendered as a young person or a parent sees it, with a plan made from the synthetic
partnership's own goals and actions (`synth.cases`), and its main text scored with textstat:
Flesch-Kincaid grade 7 at most (a US grade 7 reader is 12 to 13) and Flesch reading ease 70 or
more ("fairly easy"). A page that fails names its hardest sentences, so the wording can be fixed.
"""

import datetime as dt
from html.parser import HTMLParser

import pytest
import textstat
from django.test import Client
from django.urls import reverse

from tandem.casework import services as cw
from tandem.partners.models import PartnerKind, Role
from tandem.people.models import Relationship
from tandem.portal.services import portal_invite, portal_message_reply
from tandem.synth.cases import ACTIONS, GOALS
from tests import factories
from tests.grants import grant_for
from tests.voices import VIEWS

pytestmark = pytest.mark.django_db
WORK = "direct_work"
MAX_GRADE = 7.0
MIN_EASE = 70.0
BLOCKS = {"p", "li", "h1", "h2", "h3", "label", "div", "legend", "a", "button", "dt", "dd"}


class _MainText(HTMLParser):
    """The words of the page's <main>, one block (paragraph, heading, label, list item) a line,
    each ending as a sentence: a heading is read as one, not run into the next paragraph."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        if tag in ("script", "style", "textarea") or ("class", "govuk-visually-hidden") in attrs:
            self.skip += 1
        if tag in BLOCKS:
            self._end_block()

    def handle_endtag(self, tag):
        if tag in ("script", "style", "textarea") and self.skip:
            self.skip -= 1
        if tag in BLOCKS:
            self._end_block()
        if tag == "main":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.current.append(data)

    def _end_block(self):
        text = " ".join(" ".join(self.current).split())
        self.current = []
        if text:
            self.blocks.append(text if text[-1] in '.?!:”"' else f"{text}.")


def _words(response) -> str:
    assert response.status_code in (200, 404), response.status_code
    parser = _MainText()
    parser.feed(response.content.decode())
    return "\n".join(parser.blocks)


def _hardest(text: str, n: int = 3) -> list[tuple[float, str]]:
    sentences = [s for s in text.replace("\n", " ").split(". ") if len(s.split()) > 3]
    return sorted(((textstat.flesch_kincaid_grade(s), s) for s in sentences), reverse=True)[:n]


def _assert_plain(name: str, text: str) -> None:
    assert len(text.split()) >= 20, f"{name}: too little text to score: {text!r}"
    grade = textstat.flesch_kincaid_grade(text)
    ease = textstat.flesch_reading_ease(text)
    why = (
        f"{name}: Flesch-Kincaid grade {grade} (at most {MAX_GRADE}), reading ease {ease} "
        f"(at least {MIN_EASE}). Hardest sentences: {_hardest(text)}"
    )
    assert grade <= MAX_GRADE, why
    assert ease >= MIN_EASE, why


@pytest.fixture
def synthetic_plan(social_worker, child):
    """A case with an agreed plan in the synthetic partnership's words: goals in the child's
    words and in the adults', actions for the lead and for the school."""
    school = factories.TeamFactory(partner=factories.PartnerFactory(kind=PartnerKind.SCHOOL))
    teacher = factories.UserFactory(role=Role.SCHOOL_DSL, team=school, first_name="Tess")
    case = cw.case_open(
        grant=grant_for(social_worker, child.pk, WORK),
        level="early_help",
        lead_professional_id=social_worker.pk,
    )
    for i, (text, in_words, _) in enumerate(GOALS[:2] + GOALS[5:7]):
        goal = cw.plan_goal_add(
            actor=social_worker,
            case_id=case.pk,
            text=text,
            in_childs_words=in_words,
            purpose=WORK,
        )
        for j, owner in enumerate((social_worker, teacher)):
            cw.plan_action_add(
                actor=social_worker,
                case_id=case.pk,
                goal_id=goal.pk,
                text=ACTIONS[(2 * i + j) % len(ACTIONS)],
                owner_id=owner.pk,
                due_on=dt.date.today() + dt.timedelta(days=7 * (i + j + 1)),
                purpose=WORK,
            )
    cw.plan_agree(
        actor=social_worker,
        case_id=case.pk,
        summary="Agreed at home",
        views=VIEWS,
        review_every_weeks=6,
        purpose=WORK,
    )
    return case


def _signed_in(invitation) -> Client:
    client = Client()
    client.get(reverse("portal:start") + f"?invitation={invitation.token}")
    response = client.post(reverse("portal:sign-in"), {"passcode": invitation.passcode})
    assert response["Location"] == reverse("portal:plan")
    return client


def test_the_young_person_s_plan_reads_easily(social_worker, synthetic_plan):
    invitation = portal_invite(
        actor=social_worker, case_id=synthetic_plan.pk, who="young_person", purpose=WORK
    )
    client = _signed_in(invitation)
    _assert_plain("plan (nothing sent yet)", _words(client.get(reverse("portal:plan"))))
    client.post(reverse("portal:plan"), {"text": "Can we meet after school, not at lunch?"})
    message = invitation.account.messages.get()
    portal_message_reply(
        actor=social_worker,
        case_id=synthetic_plan.pk,
        message_id=message.pk,
        reply="Yes, that is fine.",
        so_we="will meet at half past three on Tuesdays.",
        purpose=WORK,
    )
    _assert_plain("plan (with a reply)", _words(client.get(reverse("portal:plan"))))
    # The page with an error on it reads as easily.
    _assert_plain("plan (an error)", _words(client.post(reverse("portal:plan"), {"text": " "})))


def test_the_parent_s_page_reads_easily(social_worker, synthetic_plan, child):
    mum = factories.AdultFactory(given_name="Maya")
    a, b = sorted([mum, child], key=lambda p: str(p.pk))
    Relationship.objects.create(person_a=a, person_b=b, kind="parent" if a == mum else "child")
    invitation = portal_invite(
        actor=social_worker,
        case_id=synthetic_plan.pk,
        who="parent_carer",
        person_id=mum.pk,
        purpose=WORK,
    )
    client = _signed_in(invitation)
    _assert_plain("parent's plan", _words(client.get(reverse("portal:plan"))))


def test_signing_in_and_out_reads_easily(social_worker, synthetic_plan):
    invitation = portal_invite(
        actor=social_worker, case_id=synthetic_plan.pk, who="young_person", purpose=WORK
    )
    client = Client()
    client.get(reverse("portal:start") + f"?invitation={invitation.token}")
    sign_in = _words(client.get(reverse("portal:sign-in")))
    wrong = _words(client.post(reverse("portal:sign-in"), {"passcode": "12"}))
    # Short pages: scored together, as someone meets them one after another.
    expired = _words(Client().get(reverse("portal:start") + "?invitation=not-a-real-link"))
    signed_out = _words(Client().get(reverse("portal:signed-out")))
    _assert_plain("signing in", "\n".join([sign_in, wrong]))
    _assert_plain("a link that does not work, signed out", "\n".join([expired, signed_out]))


def test_the_check_tells_hard_words_from_plain_ones():
    """The measure itself: a council letter fails, the portal's own kind of sentence passes."""
    council = (
        "Following the multi-agency strategy discussion, the safeguarding partnership determined "
        "that the threshold for statutory intervention was met, necessitating an assessment "
        "under section 17 of the Children Act 1989, with consideration of contextual "
        "safeguarding arrangements and information-sharing protocols."
    )
    plain = (
        "This is the plan you made with your worker. It says what we are working on. It says "
        "who is doing what, and by when. Tell us what you think. Your worker will read it and "
        "write back."
    )
    assert textstat.flesch_kincaid_grade(council) > MAX_GRADE
    assert textstat.flesch_kincaid_grade(plain) <= MAX_GRADE
    assert textstat.flesch_reading_ease(plain) >= MIN_EASE
