"""Scratch space for a job's temporary files (DuckDB's spill, an upload converted to CSV): one
folder per job, removed when the job ends however it ends, and by the next worker's sweep when
the job's own worker died and could not."""

import os
import shutil
from pathlib import Path

from django.conf import settings

from tandem.jobs.models import Job, JobStatus


def scratch_root() -> Path:
    return Path(settings.VAR_DIR) / "job-scratch"


def job_scratch(job) -> Path:
    folder = scratch_root() / str(job.pk)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def scratch_remove(job) -> None:
    shutil.rmtree(scratch_root() / str(job.pk), ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def scratch_sweep() -> list[Path]:
    """Remove every job's folder but those of running jobs, and the DuckDB spill folders
    (named `<pid>-<random>`, see `linkage.standardise.connect`) of processes that have gone.
    Returns what it removed."""
    removed = []
    root = scratch_root()
    if root.is_dir():
        folders = {p.name: p for p in root.iterdir() if p.is_dir()}
        running = {
            str(pk)
            for pk in Job.objects.filter(status=JobStatus.RUNNING).values_list("pk", flat=True)
        }
        for name, folder in folders.items():
            if name not in running:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    spill = Path(settings.TANDEM_DUCKDB_TEMP_DIR)
    if spill.is_dir():
        for folder in spill.iterdir():
            pid = folder.name.split("-", 1)[0]
            if folder.is_dir() and pid.isdigit() and not _alive(int(pid)):
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed
