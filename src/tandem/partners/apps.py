from django.apps import AppConfig
from django.db.models.signals import post_save


class PartnersConfig(AppConfig):
    name = "tandem.partners"
    label = "partners"
    verbose_name = "Partners, teams and practitioners"

    def ready(self):
        from tandem.partners.models import Partner, Team, User
        from tandem.partners.tokens import forget_checked_tokens

        # A user made inactive, or moved to another team, is checked afresh on the next call.
        for model in (User, Team, Partner):
            post_save.connect(forget_checked_tokens, sender=model, dispatch_uid=f"tokens-{model}")
