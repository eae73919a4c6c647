"""'Known to other partners?': which partners have a child open, and how to reach them. Never
the record itself, so a practitioner can find the right colleague without seeing a child they
do not work with."""

from django.shortcuts import render

from tandem.access.checks import require_role
from tandem.access.policies import Action
from tandem.people.selectors import known_to_partners
from tandem.web.decorators import page
from tandem.web.forms import KnownForm


@page
def known(request):
    """POST, like a search: an NHS number or a name must not sit in a web address."""
    require_role(request.user, Action.LOOKUP_KNOWN)
    answer = None
    if request.method == "POST":
        form = KnownForm(request.POST)
        if form.is_valid():
            answer = known_to_partners(actor=request.user, **form.lookup())
    else:
        form = KnownForm()
    return render(request, "web/known.html", {"form": form, "answer": answer})
