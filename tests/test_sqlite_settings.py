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


VAR = """
import django
from django.conf import settings
django.setup()
print(settings.VAR_DIR)
"""


def _var_dir(env) -> str:
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "tandem.config.settings", **env}
    out = subprocess.run(
        [sys.executable, "-c", VAR], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def test_files_go_beside_the_sqlite_database_or_where_tandem_var_dir_says(tmp_path):
    """`tandem demo` with DATABASE_URL elsewhere must not write var/ into the checkout."""
    database = tmp_path / "elsewhere" / "tandem.sqlite3"
    assert _var_dir({"DATABASE_URL": f"sqlite:///{database}"}) == str(database.parent)
    chosen = tmp_path / "files"
    assert _var_dir({"DATABASE_URL": f"sqlite:///{database}", "TANDEM_VAR_DIR": str(chosen)}) == (
        str(chosen)
    )
    assert (database.parent / "secret_key").exists()  # the development key went there too
