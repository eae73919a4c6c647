"""The outcomes reference data a system administrator keeps: strategic aims, service types,
the partnership's services (who runs them, which teams deliver them, their framework) and the
unit-cost register. Nothing about a child: spells, SDQs and readings stay behind the selectors."""

from django.contrib import admin

from tandem.outcomes.frameworks import choices as framework_choices
from tandem.outcomes.models import Service, ServiceType, StrategicAim, UnitCost
from tandem.partners.admin import SystemAdminOnly


@admin.register(StrategicAim)
class StrategicAimAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("name", "code")


@admin.register(ServiceType)
class ServiceTypeAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("name", "code", "aim")
    list_filter = ("aim",)


@admin.register(Service)
class ServiceAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("name", "service_type", "aim", "partner", "framework")
    list_filter = ("aim", "service_type")
    list_select_related = ("service_type", "aim", "partner")
    search_fields = ("name",)
    filter_horizontal = ("delivered_by",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "framework":  # one of the framework files, by name
            from django import forms

            return forms.ChoiceField(
                choices=framework_choices(), required=False, label="Outcome framework"
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(UnitCost)
class UnitCostAdmin(SystemAdminOnly, admin.ModelAdmin):
    list_display = ("code", "description", "unit", "value", "price_year", "agency", "kind")
    list_filter = ("kind", "price_year", "agency")
    search_fields = ("code", "description", "source")
