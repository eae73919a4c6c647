"""The JSON API (django-ninja). Routers live in each app's api.py; this assembles them."""

from ninja import NinjaAPI

api = NinjaAPI(title="Tandem API", version="1", urls_namespace="api")
