"""The outcomes pages' one form: which cohort (spells started between two days)."""

from tandem.web.govuk import GovukDateField, GovukForm


class PeriodForm(GovukForm):
    started_from = GovukDateField(
        noun="The start of the period", label="Started from", past=True, required=False
    )
    started_to = GovukDateField(
        noun="The end of the period", label="Started by", past=True, required=False
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("started_from"), data.get("started_to")
        if start and end and start > end:
            self.add_error(
                "started_to", "The end of the period must be the same as or after its start"
            )
        return data
