"""The child's and the parent's view, as each interface takes them, for tests of decisions."""

from tandem.casework.voice import Views

VIEWS = Views(
    child_view="I want to stay at my school and see my friends.",
    child_view_how="in_person",
    parent_not_gathered="declined",
)
# The same, as a decision form posts them.
VIEWS_FORM = {
    "child_gathered": "yes",
    "child_view": VIEWS.child_view,
    "child_view_how": "in_person",
    "parent_gathered": "no",
    "parent_not_gathered": "declined",
}
# The same, as an API body holds them.
VIEWS_API = {
    "child": {"view": VIEWS.child_view, "how": "in_person"},
    "parent": {"not_gathered": "declined"},
}
