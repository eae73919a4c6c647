"""Django forms drawn with the GOV.UK Frontend macros, and the GOV.UK date input.

A page calls `form.field("name")` and `form.error_summary()`; the form works out which GOV.UK
component fits the widget (text input, date input, radios, checkboxes, select, textarea,
password) and passes it the label, hint, value and error. Overrides merge into the macro's
parameters: `form.field("nhs_number", classes="govuk-input--width-10")`.

Every input's id is its name, so the error summary can link straight to it, as the Design
System's error summary pattern requires.
"""

import calendar
from datetime import date
from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.template import engines
from django.utils import timezone
from markupsafe import Markup

DATE_PARTS = ("day", "month", "year")
_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}


@cache
def _macro(component: str, name: str):
    env = engines["jinja2"].env
    return getattr(
        env.get_template(f"govuk_frontend_jinja/components/{component}/macro.html").module, name
    )


class DatePartsWidget(forms.Widget):
    """Three boxes, day, month and year, named `<name>-day`, `<name>-month`, `<name>-year`."""

    def value_from_datadict(self, data, files, name):
        return tuple(str(data.get(f"{name}-{part}", "")).strip() for part in DATE_PARTS)

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}-{part}" in data for part in DATE_PARTS)


class GovukDateField(forms.Field):
    """A date typed as day, month and year, with the Design System's error messages."""

    widget = DatePartsWidget

    def __init__(self, *, noun: str, past: bool = False, **kwargs):
        self.noun = noun  # "Date of birth": the start of every message about this field
        self.past = past
        kwargs.setdefault("error_messages", {}).setdefault("required", f"Enter the {noun.lower()}")
        super().__init__(**kwargs)

    def to_python(self, value):
        if value is None or isinstance(value, date):
            return value
        if not any(value):
            return None
        missing = [part for part, text in zip(DATE_PARTS, value, strict=True) if not text]
        if missing:
            raise ValidationError(
                f"{self.noun} must include a {' and '.join(missing)}",
                code="incomplete",
                params={"parts": missing},
            )
        day, month, year = value
        month_number = _MONTHS.get(month.lower(), month)
        if len(year) != 4 or not year.isdigit():
            raise ValidationError(
                "Year must include 4 numbers", code="year", params={"parts": ["year"]}
            )
        try:
            result = date(int(year), int(month_number), int(day))
        except ValueError:
            raise ValidationError(f"{self.noun} must be a real date", code="invalid") from None
        return result

    def validate(self, value):
        super().validate(value)
        if value and self.past and value > timezone.localdate():
            raise ValidationError(f"{self.noun} must be today or in the past", code="future")


def _date_parts(value) -> tuple[str, str, str]:
    if isinstance(value, date):
        return str(value.day), str(value.month), str(value.year)
    if isinstance(value, tuple | list) and len(value) == 3:
        return tuple(value)
    return "", "", ""


def _merge(params: dict, overrides: dict) -> dict:
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(params.get(key), dict):
            params[key] = _merge(dict(params[key]), value)
        else:
            params[key] = value
    return params


class GovukForm(forms.Form):
    """A form the pages can draw with GOV.UK components. `govuk_options` holds per-field
    defaults (widths, autocomplete, …) so templates stay short."""

    govuk_options: dict[str, dict] = {}
    # Where the error summary sends the reader for an error that is not about one field.
    non_field_anchor: str | None = None

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "%s")
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    # -- errors -------------------------------------------------------------------------------

    def add_service_errors(
        self, error: ValidationError, names: dict[str, str] | None = None
    ) -> None:
        """Put a service's ValidationError on the fields it names (`names` maps the service's
        argument names to this form's field names); anything else goes to the top of the form."""
        names = names or {}
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for key, messages in error.message_dict.items():
            field = names.get(key, key)
            self.add_error(field if field in self.fields else None, messages)

    def _anchor(self, name: str) -> str:
        bf = self[name]
        if isinstance(bf.field, GovukDateField):
            return f"#{bf.auto_id}-{self._date_error_parts(name)[0]}"
        return f"#{bf.auto_id}"

    def _date_error_parts(self, name: str) -> list[str]:
        for error in self.errors.as_data().get(name, []):
            if error.params and "parts" in error.params:
                return list(error.params["parts"])
        return list(DATE_PARTS)

    def error_list(self) -> list[dict]:
        """The error summary's list: one line per field with an error, in the page's order."""
        items = []
        first = self.non_field_anchor or next(iter(self.fields), None)
        for message in self.non_field_errors():
            items.append({"text": message, "href": f"#{first}" if first else "#"})
        for bf in self:
            if bf.errors:
                items.append({"text": bf.errors[0], "href": self._anchor(bf.name)})
        return items

    def error_summary(self) -> Markup:
        items = self.error_list()
        if not items:
            return Markup("")
        return _macro("error-summary", "govukErrorSummary")(
            {
                "titleText": "There is a problem",
                "errorList": items,
            }
        )

    # -- fields -------------------------------------------------------------------------------

    def field(self, name: str, **overrides) -> Markup:
        bf = self[name]
        widget = bf.field.widget
        if isinstance(widget, forms.HiddenInput):
            return Markup(str(bf))
        kind, params = self._params(bf, widget)
        legend_kinds = {"govukRadios", "govukCheckboxes", "govukDateInput"}
        if kind in legend_kinds and "label" in overrides:
            overrides = {**overrides, "fieldset": {"legend": overrides.pop("label")}}
        conditionals = overrides.pop("conditionals", {})
        params = _merge(params, {**self.govuk_options.get(name, {}), **overrides})
        for item in params.get("items", []):
            if item.get("value") in conditionals:
                item["conditional"] = {"html": conditionals[item["value"]]}
        component = {
            "govukInput": "input",
            "govukPasswordInput": "password-input",
            "govukTextarea": "textarea",
            "govukSelect": "select",
            "govukRadios": "radios",
            "govukCheckboxes": "checkboxes",
            "govukDateInput": "date-input",
        }[kind]
        return _macro(component, kind)(params)

    def _params(self, bf, widget) -> tuple[str, dict]:
        error = {"text": bf.errors[0]} if bf.errors else None
        hint = {"text": bf.help_text} if bf.help_text else None
        common = {"name": bf.html_name, "errorMessage": error, "hint": hint}
        label = {"text": bf.label, "classes": "govuk-label--s"}
        legend = {"text": bf.label, "classes": "govuk-fieldset__legend--s"}
        value = bf.value()

        if isinstance(widget, DatePartsWidget):
            wrong = set(self._date_error_parts(bf.name)) if bf.errors else set()
            widths = {"day": 2, "month": 2, "year": 4}
            items = [
                {
                    "name": part,
                    "value": text,
                    "classes": f"govuk-input--width-{widths[part]}"
                    + (" govuk-input--error" if part in wrong else ""),
                }
                for part, text in zip(DATE_PARTS, _date_parts(value), strict=True)
            ]
            return "govukDateInput", {
                **common,
                "id": bf.auto_id,
                "namePrefix": bf.html_name,
                "items": items,
                "fieldset": {"legend": legend},
                "hint": hint or {"text": "For example, 27 3 2012"},
            }
        # Before radios: Django makes CheckboxSelectMultiple a subclass of RadioSelect.
        if isinstance(widget, forms.CheckboxSelectMultiple):
            chosen = {str(v) for v in (value or [])}
            items = [
                {"value": str(v), "text": str(t), "checked": str(v) in chosen}
                for v, t in bf.field.choices
            ]
            return "govukCheckboxes", {
                **common,
                "idPrefix": bf.auto_id,
                "items": items,
                "fieldset": {"legend": legend},
            }
        if isinstance(widget, forms.RadioSelect):
            items = [{"value": str(v), "text": str(t)} for v, t in bf.field.choices if v != ""]
            return "govukRadios", {
                **common,
                "idPrefix": bf.auto_id,
                "items": items,
                "fieldset": {"legend": legend},
                "value": "" if value is None else str(value),
            }
        if isinstance(widget, forms.Select):
            current = "" if value is None else str(value)
            items = [
                {"value": str(v), "text": str(t), "selected": str(v) == current}
                for v, t in bf.field.choices
            ]
            return "govukSelect", {**common, "id": bf.auto_id, "label": label, "items": items}
        text = "" if value is None else str(value)
        if isinstance(widget, forms.Textarea):
            return "govukTextarea", {
                **common,
                "id": bf.auto_id,
                "label": label,
                "value": text,
                "rows": 5,
            }
        if isinstance(widget, forms.PasswordInput):
            # A password is never sent back to the browser, even after an error.
            return "govukPasswordInput", {**common, "id": bf.auto_id, "label": label}
        return "govukInput", {
            **common,
            "id": bf.auto_id,
            "label": label,
            "value": text,
            "type": "email" if isinstance(widget, forms.EmailInput) else "text",
        }
