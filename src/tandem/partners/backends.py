"""The sign-in backend: Django's own, except that the signed-in user comes with their team and
partner in the same query. Every page names them (the account bar) and every audit row records
them, so each request would otherwise fetch them one by one."""

from django.contrib.auth.backends import ModelBackend


class UserWithTeamBackend(ModelBackend):
    def get_user(self, user_id):
        user = self.user_model_objects().select_related("team__partner").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    @staticmethod
    def user_model_objects():
        from django.contrib.auth import get_user_model

        return get_user_model()._default_manager
