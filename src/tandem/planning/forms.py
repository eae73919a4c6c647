"""Planning's forms: a forecast to run, a scenario (by hand, or from a service's measured effect),
a funding stream, a pooled budget and a capacity."""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from tandem.planning.forecast import MAX_MONTHS
from tandem.planning.models import (
    Accommodation,
    Capacity,
    CapacityKind,
    ForecastMethod,
    ForecastSource,
    StreamKind,
    financial_year_check,
)
from tandem.planning.shape import standard
from tandem.web.govuk import GovukDateField, GovukForm


def _required(message: str) -> dict:
    return {"required": message, "invalid_choice": message, "invalid": message}


class ForecastForm(GovukForm):
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="For example, Placement sufficiency 2027",
        error_messages=_required("Enter a name for the forecast"),
    )
    source = forms.ChoiceField(
        label="Care history",
        choices=ForecastSource.choices,
        widget=forms.RadioSelect,
        initial=ForecastSource.RECORD,
        error_messages=_required("Choose where the care history comes from"),
    )
    window_start = GovukDateField(
        noun="First day of the reference window", label="From", past=True
    )
    window_end = GovukDateField(noun="Last day of the reference window", label="To", past=True)
    months = forms.IntegerField(
        label="Months to forecast",
        min_value=1,
        max_value=MAX_MONTHS,
        initial=MAX_MONTHS,
        help_text=f"Up to {MAX_MONTHS} (ten years)",
        error_messages={
            "required": "Enter the number of months to forecast",
            "invalid": f"Enter the number of months as a whole number from 1 to {MAX_MONTHS}",
            "min_value": f"Enter a number of months from 1 to {MAX_MONTHS}",
            "max_value": f"Enter a number of months from 1 to {MAX_MONTHS}",
        },
    )
    method = forms.ChoiceField(
        label="Method",
        choices=ForecastMethod.choices,
        widget=forms.RadioSelect,
        initial=ForecastMethod.TANDEM,
        error_messages=_required("Choose how the model is fitted"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The usual reference window: the last six months.
        today = timezone.localdate()
        self.fields["window_end"].initial = today - timedelta(days=1)
        self.fields["window_start"].initial = today - timedelta(days=183)


def _choose(rows) -> list[tuple[str, str]]:
    """A select's options: "Choose" first, then each row by its name."""
    return [("", "Choose")] + [(str(row.pk), row.name) for row in rows]


def _bands():
    return [(b.code, b.label) for b in standard().bands]


def _categories():
    return [(c.code, c.label) for c in standard().categories]


class ScenarioForm(GovukForm):
    """One change, by hand: entrants scaled, moves scaled, or children a year transferred."""

    KINDS = [
        ("entrants", "Children entering care: more or fewer"),
        ("moves", "Moves between placements, or out of care: more or fewer"),
        ("transfer", "Children moved a year from one placement category to another"),
    ]
    name = forms.CharField(
        label="Name", max_length=200, error_messages=_required("Enter a name for the scenario")
    )
    description = forms.CharField(
        label="What it assumes, and why", required=False, widget=forms.Textarea
    )
    kind = forms.ChoiceField(
        label="What changes",
        choices=KINDS,
        widget=forms.RadioSelect,
        error_messages=_required("Choose what changes"),
    )
    bands = forms.MultipleChoiceField(
        label="Ages",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for every age",
    )
    categories = forms.MultipleChoiceField(
        label="Placement categories",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For entrants, the placements they enter; for moves, where they move from. "
        "Leave all unticked for every category",
    )
    to = forms.ChoiceField(label="Moving to (for moves and transfers)", required=False)
    percent = forms.DecimalField(
        label="Change, in per cent (for entrants and moves)",
        required=False,
        min_value=Decimal(-100),
        max_value=Decimal(900),
        help_text="For example, -30 for 30% fewer",
        error_messages={"invalid": "Enter the change as a number of per cent, like -30"},
    )
    from_category = forms.ChoiceField(label="Moving from (for transfers)", required=False)
    per_year = forms.DecimalField(
        label="Children a year (for transfers)",
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal(100000),
        error_messages={"invalid": "Enter the number of children a year, like 2"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bands"].choices = _bands()
        self.fields["categories"].choices = _categories()
        self.fields["to"].choices = [("", "Choose")] + _categories() + [("leaving", "Out of care")]
        self.fields["from_category"].choices = [("", "Choose")] + _categories()

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in ("entrants", "moves") and data.get("percent") is None:
            self.add_error("percent", "Enter the change in per cent, like -30")
        if kind == "moves" and not data.get("categories"):
            self.add_error("categories", "Choose the categories the moves are from")
        if kind in ("moves", "transfer") and not data.get("to"):
            self.add_error("to", "Choose where the children move to")
        if kind == "transfer":
            if not data.get("from_category"):
                self.add_error("from_category", "Choose the category the children move from")
            if data.get("per_year") is None:
                self.add_error("per_year", "Enter the number of children a year")
            if data.get("to") == "leaving":
                self.add_error("to", "A transfer goes to another placement category")
            elif data.get("to") and data.get("to") == data.get("from_category"):
                self.add_error("to", "A transfer goes to a different placement category")
        return data

    def change(self) -> dict:
        data = self.cleaned_data
        kind = data["kind"]
        if kind == "entrants":
            return {
                "kind": "entrants",
                "bands": data["bands"],
                "categories": data["categories"],
                "factor": float(1 + data["percent"] / 100),
            }
        if kind == "moves":
            return {
                "kind": "moves",
                "bands": data["bands"],
                "from_categories": data["categories"],
                "to": data["to"],
                "factor": float(1 + data["percent"] / 100),
            }
        return {
            "kind": "transfer",
            "bands": data["bands"],
            "from_category": data["from_category"],
            "to_category": data["to"],
            "per_year": float(data["per_year"]),
        }


class EvidenceForm(GovukForm):
    name = forms.CharField(
        label="Name", max_length=200, error_messages=_required("Enter a name for the scenario")
    )
    service = forms.ChoiceField(
        label="Service",
        help_text="Services whose outcome framework compares entering care",
        error_messages=_required("Choose the service"),
    )
    children_a_year = forms.DecimalField(
        label="Children it will work with a year",
        min_value=Decimal(1),
        max_value=Decimal(1000000),
        error_messages={
            "required": "Enter how many children the service will work with a year",
            "invalid": "Enter the number of children a year, like 120",
            "min_value": "Enter at least 1 child a year",
        },
    )
    bands = forms.MultipleChoiceField(
        label="Ages whose entries it prevents",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for every age",
    )

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = _choose(services)
        self.fields["bands"].choices = _bands()


class YearForm(GovukForm):
    def clean_year(self):
        year = self.cleaned_data["year"].strip()
        try:
            financial_year_check(year)
        except ValidationError as error:
            raise ValidationError(error.messages[0]) from None
        return year


class StreamForm(YearForm):
    partner = forms.ChoiceField(label="Partner", error_messages=_required("Choose the partner"))
    name = forms.CharField(
        label="Name", max_length=200, error_messages=_required("Enter the stream's name")
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=StreamKind.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Choose the kind of funding"),
    )
    year = forms.CharField(
        label="Financial year",
        max_length=7,
        help_text="For example, 2026-27",
        error_messages=_required("Enter the financial year, like 2026-27"),
    )
    amount = forms.DecimalField(
        label="Amount, in pounds",
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={
            "required": "Enter the amount",
            "invalid": "Enter the amount in pounds, like 125000.00",
            "max_decimal_places": "Enter the amount to the penny (at most 2 decimal places)",
            "min_value": "Enter an amount of at least 1p",
        },
    )
    pooled_budget = forms.ChoiceField(
        label="Pooled budget it goes into", required=False, help_text="Leave blank if none"
    )

    def __init__(self, *args, partners=(), budgets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = _choose(partners)
        self.fields["pooled_budget"].choices = [("", "Not in a pooled budget")] + [
            (str(b.pk), str(b)) for b in budgets
        ]


class BudgetForm(YearForm):
    name = forms.CharField(
        label="Name", max_length=200, error_messages=_required("Enter the budget's name")
    )
    year = forms.CharField(
        label="Financial year",
        max_length=7,
        help_text="For example, 2026-27",
        error_messages=_required("Enter the financial year, like 2026-27"),
    )
    service = forms.ChoiceField(
        label="Service it pays for", error_messages=_required("Choose the service")
    )
    unit_cost = forms.ChoiceField(
        label="Unit cost of the service's activity",
        help_text="From the unit-cost register: a cost per week is charged for each week of each "
        "spell in the year; any other unit, once for each spell",
        error_messages=_required("Choose the unit cost"),
    )

    def __init__(self, *args, services=(), unit_costs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = _choose(services)
        self.fields["unit_cost"].choices = [("", "Choose")] + [
            (u.code, f"{u.code} {u.description} (£{u.value:,} {u.unit}, {u.price_year})")
            for u in unit_costs
        ]


class CapacityForm(GovukForm):
    name = forms.CharField(
        label="Name", max_length=200, error_messages=_required("Enter the capacity's name")
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=CapacityKind.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Choose places or caseload"),
    )
    service = forms.ChoiceField(
        label="Service",
        required=False,
        help_text="For places, the service they belong to; for a caseload, the service the "
        "team gives, if its open spells measure the caseload (otherwise the team's open cases)",
    )
    team = forms.ChoiceField(label="Team (for a caseload)", required=False)
    places = forms.IntegerField(label="Places", required=False, min_value=1)
    workers = forms.IntegerField(label="Workers", required=False, min_value=1)
    worker_title = forms.CharField(
        label="What the workers are called",
        required=False,
        max_length=60,
        help_text="For example, personal advisers",
    )
    caseload = forms.IntegerField(
        label="Standard caseload of a worker", required=False, min_value=1
    )
    measure = forms.ChoiceField(
        label="Which forecast needs it",
        choices=Capacity.Measure.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    accommodation = forms.ChoiceField(
        label="Kind of accommodation (for care leavers' places)",
        choices=[("", "Not accommodation")] + list(Accommodation.choices),
        required=False,
        help_text="The need is then the forecast × the share of care leavers living in it "
        "(from the record's care leaver contacts) × the share below",
    )
    share = forms.DecimalField(
        label="Share of that forecast needing it",
        initial=Decimal(1),
        min_value=Decimal("0.0001"),
        max_value=Decimal(1),
        decimal_places=4,
        help_text="For example, 0.15 if 15% of care leavers live in supported lodgings",
        error_messages={
            "required": "Enter the share, from 0.0001 to 1",
            "invalid": "Enter the share as a number, like 0.15",
        },
    )

    def __init__(self, *args, services=(), teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = _choose(services)
        self.fields["team"].choices = [("", "Choose")] + [
            (str(t.pk), f"{t.name} ({t.partner.name})") for t in teams
        ]
