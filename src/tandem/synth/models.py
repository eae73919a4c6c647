"""A record of each synthetic build, so the known truth can be regenerated for the data in hand."""

from django.db import models


class SynthRun(models.Model):
    """The parameters that, with the generator's code, determine every synthetic row."""

    seed = models.PositiveBigIntegerField()
    children = models.PositiveIntegerField()
    chunk_size = models.PositiveIntegerField()
    as_of = models.DateField(help_text="Everything generated happened before this day")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.JSONField(default=dict, blank=True, help_text="Rows written per table")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.children} children, seed {self.seed}, as of {self.as_of}"
