from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tandem.web"
    label = "web"

    def ready(self):
        # The project's Jinja environment (config/jinja2.py) is shared by every app; the pages
        # add their own display filters and navigation to it here.
        from django.template import engines

        from tandem.access.policies import Action
        from tandem.web import display, navigation

        env = engines["jinja2"].env
        env.filters.update(display.FILTERS)
        # ACTIONS: what a page may offer is asked of the request's grant (`grant.may(...)`).
        env.globals.update(
            navigation_items=navigation.navigation_items,
            account=navigation.account,
            ACTIONS=Action,
        )
