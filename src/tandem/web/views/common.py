"""Helpers the page modules share: page numbers and the GOV.UK pagination component."""

from urllib.parse import urlencode

from tandem.paging import PER_PAGE

# Far past any real list, and small enough that page * 25 stays a valid SQL integer.
MAX_PAGE = 100_000


def page_number(request) -> int:
    try:
        return min(MAX_PAGE, max(1, int(request.GET.get("page", "1"))))
    except ValueError:
        return 1


def pagination(request, *, number: int, total: int, per_page: int = PER_PAGE) -> dict | None:
    """Parameters for govukPagination: previous, next and page numbers with gaps ("…")."""
    pages = max(1, -(-total // per_page))
    if pages == 1:
        return None

    def href(n: int) -> str:
        query = request.GET.copy()
        query["page"] = str(n)
        return "?" + urlencode(sorted(query.lists()), doseq=True)

    shown = sorted({1, pages, number - 1, number, number + 1} & set(range(1, pages + 1)))
    items, last = [], 0
    for n in shown:
        if n - last > 1:
            items.append({"ellipsis": True})
        items.append({"number": n, "href": href(n), "current": n == number})
        last = n
    params = {"items": items}
    if number > 1:
        params["previous"] = {"href": href(number - 1)}
    if number < pages:
        params["next"] = {"href": href(number + 1)}
    return params


def paged(request, found) -> dict:
    """The context a paged list's template needs: the page itself and its pagination."""
    return {
        "found": found,
        "pagination": pagination(request, number=found.number, total=found.paginator.count),
    }
