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
]


def navigation_items(request, current: str = "") -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return [
        {"text": text, "href": reverse(name), "active": key == current}
        for key, text, name, action in LINKS
        if role_allows(user, action)
    ]
