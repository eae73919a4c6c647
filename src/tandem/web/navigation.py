"""The service navigation: which links a signed-in user sees, by what their role allows."""

from django.urls import reverse

from tandem.access.policies import Action, role_allows

# (key, text, url name, the action the role needs to use the page). Short words, so a role's
# links fit on one line at 1280 px; the account's own links (notifications, emergency access,
# signing out) are in the account bar (`account_links`).
LINKS = [
    ("work", "Work tray", "web:work-tray", Action.VIEW_CHILD),
    ("caseload", "Children", "web:caseload", Action.VIEW_CHILD),
    ("referrals", "Referrals", "web:referrals-made", Action.MAKE_REFERRAL),
    ("known", "Known to partners?", "web:known", Action.LOOKUP_KNOWN),
    ("worklist", "Worklist", "web:worklist", Action.TRIAGE),  # issue 5
    ("returns", "Returns", "web:returns", Action.PREPARE_RETURN),  # issue 7
    ("extracts", "Extracts", "web:extracts", Action.LOAD_EXTRACT),  # issue 5
    ("linkage", "Linkage", "web:linkage", Action.REVIEW_LINKS),  # issue 5
    ("reports", "Reports", "web:voice-report", Action.VIEW_REPORTS),
    # Information governance
    ("governance", "Governance", "web:governance", Action.MANAGE_GOVERNANCE),
    ("reviews", "Emergency access reviews", "web:break-glass-queue", Action.VIEW_AUDIT),
    ("audit", "Audit", "web:audit", Action.VIEW_AUDIT),
]
# Where "Referrals" starts: those who decide them start with the ones sent to their team.
REFERRALS_FOR_DECIDERS = "web:referrals-received"


def _fully_signed_in(request) -> bool:
    """Password, code and notice: until then no link of the service works, so none is shown."""
    from tandem.security.middleware import session_complete

    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and session_complete(request))


def navigation_items(request, current: str = "") -> list[dict]:
    if not _fully_signed_in(request):
        return []
    user = request.user
    items = []
    for key, text, name, action in LINKS:
        if action is not None and not role_allows(user, action):
            continue
        if key == "referrals" and role_allows(user, Action.DECIDE_REFERRAL):
            name = REFERRALS_FOR_DECIDERS
        items.append({"text": text, "href": reverse(name), "active": key == current})
    return items


def account(request) -> dict | None:
    """Who is signed in (name, role, team and partner) and their own links: notifications with
    how many are unread, emergency access for a role that may use it."""
    from tandem.access.models import Notification
    from tandem.access.related import restricted_from

    if not _fully_signed_in(request):
        return None
    if hasattr(request, "tandem_account"):  # once a request, however often a page asks
        return request.tandem_account
    user = request.user
    where = f"{user.team.name}, {user.team.partner.name}" if user.team_id else ""
    request.tandem_account = {
        "name": user.get_full_name() or user.username,
        "role": user.get_role_display(),
        "where": where,
        "unread": Notification.objects.filter(recipient=user, read_at__isnull=True)
        .exclude(child_id__in=restricted_from(user).values("child_id"))
        .count(),
        "break_glass": role_allows(user, Action.BREAK_GLASS),
    }
    return request.tandem_account
