"""Tandem's URLs plus the peer of the API benchmark: a bare Django view that returns the same
child as JSON with no authentication, no access check and no audit. The ratio of the two is the
price of doing it safely."""

from django.http import Http404, JsonResponse
from django.urls import path

from tandem.config.urls import urlpatterns as tandem_urlpatterns
from tandem.people.models import Person

FIELDS = (
    "id",
    "given_name",
    "family_name",
    "known_as",
    "date_of_birth",
    "expected_due_date",
    "sex",
    "ethnicity",
    "address",
    "postcode",
    "nhs_number",
    "upn",
)


def bare_child(request, child_id):
    row = Person.objects.filter(pk=child_id).values(*FIELDS).first()
    if row is None:
        raise Http404
    return JsonResponse(row)


urlpatterns = [path("bench/bare/children/<uuid:child_id>", bare_child), *tandem_urlpatterns]
