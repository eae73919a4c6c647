"""A real worker (`tandem db_worker`, a subprocess) killed with SIGKILL in the middle of loading
an extract: nothing it wrote is visible, its progress moved while it loaded (read from another
connection), and the next worker marks the job interrupted and loads the file again, whole and
once. On the suite's own database (PostgreSQL), or a copy of it in a file (SQLite's test
database lives in memory, where no other process can reach it)."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tandem.linkage import ingest
from tandem.partners.models import Role
from tests import factories
from tests.linkage.test_ingest import HEADER, MAPPING

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 60_000
TANDEM = str(Path(sys.executable).parent / "tandem")


class Database:
    """The database a worker process can open, and plain reads of it from this one."""

    def __init__(self, tmp_path: Path):
        self.sqlite = connection.vendor == "sqlite"
        if self.sqlite:
            self.file = tmp_path / "worker.sqlite3"
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM INTO '{self.file}'")
            self.url = f"sqlite:///{self.file}"
        else:
            s = connection.settings_dict
            self.url = (
                f"postgres://{s['USER']}:{s['PASSWORD']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
            )

    def key(self, pk) -> str:
        return pk.hex if self.sqlite else str(pk)

    def one(self, sql: str, *params):
        if self.sqlite:
            con = sqlite3.connect(self.file, timeout=30)
            try:
                return con.execute(sql.replace("%s", "?"), params).fetchone()
            finally:
                con.close()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()


def _worker(db: Database, var_dir) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": db.url,
        "TANDEM_VAR_DIR": str(var_dir),
        "TANDEM_JOB_STALE_SECONDS": "3",
        "DJANGO_SETTINGS_MODULE": "tandem.config.settings",
    }
    argv = [TANDEM, "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"]
    return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait(what, check, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.05)
    raise AssertionError(f"Waited {seconds} s for {what}")


def test_a_worker_killed_mid_load_leaves_nothing_and_the_next_one_loads_it_whole(
    tmp_path, settings
):
    analyst = factories.UserFactory(
        role=Role.PARTNERSHIP_ANALYST,
        team=factories.TeamFactory(partner=factories.PartnerFactory(name="Hamley NHS Trust")),
    )
    rows = "".join(
        f"B{i};Name{i % 97};Family{i % 89};2011-03-07;{1 + i % 2};HM12AB;;A&E;2026-05-01\n"
        for i in range(ROWS)
    )
    upload = ingest.upload_start(
        actor=analyst,
        extract_type="health",
        file_name="health.csv",
        chunks=[(HEADER + rows).encode()],
        mapping_text=MAPPING,
    )
    db = Database(tmp_path)
    job, up = db.key(upload.job_id), db.key(upload.pk)

    def job_row():
        return db.one(
            "SELECT status, stage, done, attempts, interrupted_at FROM jobs_job WHERE id = %s",
            job,
        )

    def visible():  # the records anything reads: those of loaded uploads
        return db.one(
            "SELECT count(*) FROM linkage_extractrecord r JOIN linkage_extractupload u"
            " ON u.id = r.upload_id WHERE u.status IN ('loaded', 'quarantined')"
        )[0]

    first = _worker(db, settings.VAR_DIR)
    try:
        loading = lambda: (r := job_row())[1] == "Loading the records" and r[2] > 0 and r[2]  # noqa: E731
        seen = _wait("the first progress while loading", loading)
        later = _wait("more progress", lambda: (d := loading()) and d > seen and d)
        assert seen < later < ROWS  # the bar moves, read from another connection
        assert db.one("SELECT status FROM linkage_extractupload WHERE id = %s", up)[0] == "queued"
        assert visible() == 0
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    assert job_row()[0] == "running"  # as the dead worker left it
    assert visible() == 0

    second = _worker(db, settings.VAR_DIR)
    try:
        _wait("the job to finish", lambda: job_row()[0] in ("succeeded", "failed"), 180)
    finally:
        second.send_signal(signal.SIGTERM)
        _, errors = second.communicate(timeout=30)
    status, _, done, attempts, interrupted_at = job_row()
    assert (status, attempts) == ("succeeded", 2), errors
    assert interrupted_at is not None
    assert b"was interrupted: queued again" in errors
    assert db.one("SELECT status, rows_loaded FROM linkage_extractupload WHERE id = %s", up) == (
        "loaded",
        ROWS,
    )
    assert visible() == ROWS  # whole, and once
    assert db.one("SELECT count(*) FROM linkage_extractrecord WHERE upload_id = %s", up)[0] == ROWS
    tasks = db.one(
        "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED'"
    )
    assert tasks[0] == 1  # the dead worker's task, closed
