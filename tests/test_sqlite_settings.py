"""The embedded database's settings, checked on a new SQLite file in a fresh interpreter (the
suite's own database may be PostgreSQL)."""

import subprocess
import sys

CHECK = """
import django
from django.db import connection
django.setup()
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE t (x)")
    print(cursor.execute("PRAGMA page_size").fetchone()[0],
          cursor.execute("PRAGMA journal_mode").fetchone()[0])
"""


def test_a_new_sqlite_database_has_16_kib_pages_and_a_write_ahead_log(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}", "PATH": "/usr/bin:/bin"}
    env["DJANGO_SETTINGS_MODULE"] = "tandem.config.settings"
    out = subprocess.run(
        [sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["16384", "wal"]
