"""Lists that can grow past a page are read a page at a time (Django's Paginator), so a list
always says how long it is and nothing hides past an arbitrary cut-off. A selector returns the
page it read, and audits only the rows on it."""

from django.core.paginator import Page, Paginator

PER_PAGE = 25


def page_of(rows, number: int = 1, per_page: int = PER_PAGE) -> Page:
    """One page of `rows` (a query or a list): a number past the end gives the last page."""
    return Paginator(rows, per_page).get_page(number)
