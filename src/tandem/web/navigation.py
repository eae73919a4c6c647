"""The service navigation: which links a signed-in user sees, by what their role allows."""

from django.urls import reverse

from tandem.access.policies import Action, role_allows

# (key, text, url name, the action the role needs to use the page)
LINKS = [
    ("work", "Work tray", "web:work-tray", Action.VIEW_CHILD),
    ("caseload", "Caseload", "web:caseload", Action.VIEW_CHILD),
    ("find", "Find a child", "web:child-find", Action.VIEW_CHILD),
    ("referrals", "Referrals", "web:referrals-made", Action.MAKE_REFERRAL),
    ("known", "Known to partners?", "web:known", Action.LOOKUP_KNOWN),
    ("audit", "Audit", "web:audit", Action.VIEW_AUDIT),
    ("returns", "Returns", "web:returns", Action.PREPARE_RETURN),  # issue 7
    ("extracts", "Extracts", "web:extracts", Action.LOAD_EXTRACT),  # issue 5
    ("linkage", "Linkage review", "web:linkage", Action.REVIEW_LINKS),  # issue 5
    ("worklist", "Triage worklist", "web:worklist", Action.TRIAGE),  # issue 5
    # Information governance
    ("governance", "Governance", "web:governance", Action.MANAGE_GOVERNANCE),
    ("reviews", "Emergency access reviews", "web:break-glass-queue", Action.VIEW_AUDIT),
    ("break-glass", "Emergency access", "web:break-glass", Action.BREAK_GLASS),
    ("notifications", "Notifications", "web:notifications", None),
]


def navigation_items(request, current: str = "") -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return [
        {"text": text, "href": reverse(name), "active": key == current}
        for key, text, name, action in LINKS
        if action is None or role_allows(user, action)
    ]
