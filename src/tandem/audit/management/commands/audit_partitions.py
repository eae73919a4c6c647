"""`tandem audit_partitions`: make the audit table's monthly partitions a year back to a year
ahead (PostgreSQL only; SQLite has one plain table). Safe to run again: it makes only what is
missing."""

from django.core.management.base import BaseCommand
from django.db import connection

from tandem.audit.partitions import ensure_months, is_partitioned


class Command(BaseCommand):
    help = "Make the audit table's monthly partitions up to a year ahead (PostgreSQL)."

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("SQLite keeps the audit trail in one table: nothing to do.")
            return
        with connection.cursor() as cursor:
            if not is_partitioned(cursor):
                self.stdout.write("The audit table is not partitioned: run tandem migrate.")
                return
            made = ensure_months(cursor)
        self.stdout.write(f"Made {made} monthly partitions.")
