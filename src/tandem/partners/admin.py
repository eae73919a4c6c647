"""Django's admin, for system administrators only: partners, teams and user accounts.

Nothing about a child is registered here (people, referrals, involvement, audit): the admin
bypasses the selectors, so it must never show a child's record.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from tandem.audit.models import AuditAction, Purpose
from tandem.audit.services import Audit
from tandem.partners.models import Partner, Role, Team, User


def is_system_admin(user) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.role == Role.SYSTEM_ADMIN
    )


class AuditedAdmin:
    """Every change made in the admin also goes into the audit trail: giving someone a team is
    giving them that team's children, so IG leads must be able to see who did it."""

    def _audit(self, request, obj, action: str, detail: dict) -> None:
        Audit(request.user, Purpose.ACCOUNT).row(
            action, obj._meta.model_name, obj.pk, detail={"via": "admin", **detail}
        )

    def log_addition(self, request, obj, message):
        self._audit(request, obj, AuditAction.CREATE, {"change": str(message)})
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        self._audit(request, obj, AuditAction.UPDATE, {"change": str(message)})
        return super().log_change(request, obj, message)


class SystemAdminOnly(AuditedAdmin):
    """Every permission of these pages belongs to system administrators, whatever else a user
    has been granted (a practitioner marked as staff by mistake still sees nothing)."""

    def has_module_permission(self, request):
        return is_system_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_system_admin(request.user)

    def has_add_permission(self, request, obj=None):
        # Django 6.1 passes the parent object to this check too.
        return is_system_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return is_system_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        # Accounts and teams are made inactive, not deleted: the audit trail points at them.
        return False


class TeamInline(SystemAdminOnly, admin.TabularInline):
    model = Team
    extra = 0
    fields = ("name", "receives_referrals", "contact_email", "contact_phone")


@admin.register(Partner)
class PartnerAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("name", "kind", "contact_name", "contact_email", "contact_phone")
    list_filter = ("kind",)
    search_fields = ("name",)
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("name", "partner", "receives_referrals", "contact_email")
    list_filter = ("receives_referrals", "partner")
    list_select_related = ("partner",)
    search_fields = ("name", "partner__name")


class TandemUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email", "role", "team")


class TandemUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class TandemUserAdmin(SystemAdminOnly, UserAdmin):
    form = TandemUserChangeForm
    add_form = TandemUserCreationForm
    list_display = (
        "username",
        "first_name",
        "last_name",
        "role",
        "team",
        "is_active",
        "locked_until",
    )
    list_filter = ("role", "is_active", "team__partner")
    list_select_related = ("team__partner",)
    search_fields = ("username", "first_name", "last_name", "email")
    readonly_fields = ("last_login", "date_joined", "failed_sign_ins")

    def get_readonly_fields(self, request, obj=None):
        # Nobody gives themselves a team (and so its children) or more power.
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.pk == request.user.pk:
            fields = (*fields, "role", "team", "is_active", "is_staff")
        return fields

    actions = ["unlock", "remove_authenticator"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "job_title", "phone")}),
        ("Work", {"fields": ("role", "team", "is_active", "is_staff")}),
        ("Sign-in", {"fields": ("failed_sign_ins", "locked_until", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "role",
                    "team",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    @admin.action(description="Unlock the selected accounts")
    def unlock(self, request, queryset):
        for user in queryset:
            self._audit(request, user, AuditAction.UPDATE, {"change": "unlocked"})
        count = queryset.update(failed_sign_ins=0, locked_until=None)
        self.message_user(request, f"Unlocked {count} accounts", messages.SUCCESS)

    # Sign-in security (issue 4): a lost or changed phone.
    @admin.action(description="Remove the authenticator app (they set up a new one next time)")
    def remove_authenticator(self, request, queryset):
        from tandem.security.two_factor import devices_remove

        for user in queryset:
            devices_remove(actor=request.user, user=user)
        self.message_user(
            request, f"Removed the authenticator of {queryset.count()} accounts", messages.SUCCESS
        )


# Packages register these; task arguments can carry record ids, and groups play no part in access.
for model in (Group, DBTaskResult):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


def admin_sign_in(request, extra_context=None):
    """The admin has no sign-in of its own: it would bypass the lock-out and the audit trail."""
    return redirect_to_login(request.get_full_path(), reverse("web:sign-in"))


admin.site.login = admin_sign_in
