"""Soak: `tandem serve` on loopback under 50 concurrent API clients reading and writing for ten
minutes, with a large extract upload and a linking run in the middle and the background worker
killed once (SIGKILL) while it loads the upload. It passes when no request failed, every write
answered 2xx is in the database, every write that was not is absent, and every job finished.

    .venv/bin/python bench/soak.py                                  # SQLite, a throwaway file
    scripts/with-postgres .venv/bin/python bench/soak.py
    .venv/bin/python bench/soak.py --minutes 2 --clients 20 --no-write   # a quick look

Bounded (it stops after --minutes, then waits for the jobs) and loopback only. Appends its
figures to bench/RESULTS.md.
"""

import argparse
import json
import os
import platform
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

from results import record

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
STALE_SECONDS = 30  # the worker's heartbeat limit in this run (default 120): recovery sooner


def tandem(*args: str, check=True) -> str:
    out = subprocess.run([BIN / "tandem", *args], check=check, capture_output=True, text=True)
    return out.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PREPARE = """
import json
from tandem.partners.models import Team, User
from tandem.people.selectors import children_visible_to
worker = max(User.objects.filter(role__in=['social_worker', 'team_manager']),
             key=lambda u: children_visible_to(actor=u).count())
analyst = User.objects.filter(role='partnership_analyst').order_by('username').first()
door = Team.objects.filter(receives_referrals=True).order_by('name').first()
ids = [str(i) for i in children_visible_to(actor=worker).values_list('pk', flat=True)[:500]]
from django.utils.text import slugify
print(json.dumps({'worker': worker.username, 'analyst': analyst.username,
                  'partner': slugify(analyst.team.partner.name),
                  'door': str(door.pk), 'children': ids}))
"""

LINK = """
from tandem.linkage.linking import link_start
from tandem.partners.models import User
job = link_start(actor=User.objects.get(username='{analyst}'))
print(job.pk)
"""

CHECK = """
import json, sys
from tandem.jobs.models import Job
from tandem.people.models import Person
from tandem.referrals.models import Referral
given = json.load(open('{path}'))
out = {{
    'referrals_present': Referral.objects.filter(pk__in=given['ok_referrals']).count(),
    'children_present': Person.objects.filter(pk__in=given['ok_children']).count(),
    'failed_present': Referral.objects.filter(concerns__in=given['failed_markers']).count()
        + Person.objects.filter(known_as__in=given['failed_markers']).count(),
    'jobs': [
        dict(title=j.title, status=j.status, attempts=j.attempts, error=j.error)
        for j in Job.objects.order_by('created_at')
    ],
}}
print(json.dumps(out))
"""


def token_for(username: str) -> str:
    out = tandem("token", "create", "--user", username, "--name", "soak", "--days", "1")
    return re.search(r"\b([A-Za-z0-9_\-]{32,})\b", out).group(1)


class Api:
    def __init__(self, port: int, token: str):
        self.base, self.token = f"http://127.0.0.1:{port}/api", token

    def call(self, method: str, path: str, body=None, *, data=None, headers=None, timeout=120):
        headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            self.base + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except (OSError, urllib.error.URLError) as e:
            return 0, str(e).encode()


def multipart(fields: dict, file_field: str, file_name: str, content: bytes):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{file_name}"\r\nContent-Type: text/csv\r\n\r\n'
    )
    body = "".join(parts).encode() + head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


class Soak:
    def __init__(self, api: Api, children: list[str], door: str, allow_writes: bool):
        self.api, self.children, self.door = api, children, door
        self.allow_writes = allow_writes
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.statuses: Counter = Counter()
        self.latency = {"read": [], "write": []}
        self.failures: list[str] = []
        self.ok_referrals, self.ok_children, self.failed_markers = [], [], []

    def client(self, seed: int) -> None:
        rng = random.Random(seed)
        while not self.stop.is_set():
            roll = rng.random()
            if self.allow_writes and roll < 0.15:
                self._write_referral(rng)
            elif self.allow_writes and roll < 0.25:
                self._write_child(rng)
            else:
                self._read(rng, roll)

    def _note(self, kind: str, label: str, status: int, seconds: float, body: bytes) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.latency[kind].append(seconds)
            if status == 0 or status >= 500 or status in (401, 403, 404, 422):
                self.failures.append(f"{label} {status} {body[:160]!r}")

    def _read(self, rng, roll) -> None:
        child = rng.choice(self.children)
        path = (
            f"/children/{child}"
            if roll < 0.6
            else f"/children/{child}/referrals"
            if roll < 0.75
            else "/referrals/made"
            if roll < 0.9
            else f"/children?page={rng.randint(1, 5)}"
        )
        started = time.perf_counter()
        status, body = self.api.call("GET", path)
        self._note(
            "read", f"GET {path.split('/')[1]}", status, time.perf_counter() - started, body
        )

    def _write_referral(self, rng) -> None:
        marker = f"Soak referral {uuid.uuid4().hex}"
        body = {
            "child_id": rng.choice(self.children),
            "to_team_id": self.door,
            "source": "1A",
            "reasons": ["other"],
            "concerns": marker,
            "family_aware": "yes",
        }
        started = time.perf_counter()
        status, answer = self.api.call("POST", "/referrals", body)
        self._note("write", "POST referrals", status, time.perf_counter() - started, answer)
        with self.lock:
            if 200 <= status < 300:
                self.ok_referrals.append(json.loads(answer)["id"])
            else:
                self.failed_markers.append(marker)

    def _write_child(self, rng) -> None:
        marker = "Soak" + "".join(chr(97 + int(c, 16)) for c in uuid.uuid4().hex[:20])
        body = {
            "given_name": "Sam",
            "family_name": "Soak",
            "known_as": marker,
            "date_of_birth": f"2015-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        }
        started = time.perf_counter()
        status, answer = self.api.call("POST", "/children", body)
        self._note("write", "POST children", status, time.perf_counter() - started, answer)
        with self.lock:
            if 200 <= status < 300:
                self.ok_children.append(json.loads(answer)["id"])
            else:
                self.failed_markers.append(marker)


def worker_pid(serve_pid: int) -> int | None:
    out = subprocess.run(
        ["pgrep", "-P", str(serve_pid), "-f", "db_worker"], capture_output=True, text=True
    )
    pids = out.stdout.split()
    return int(pids[0]) if pids else None


def percentile(values, p) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--children", type=int, default=3000, help="synthetic partnership size")
    parser.add_argument(
        "--upload-children", type=int, default=100_000, help="children behind the large upload"
    )
    parser.add_argument("--no-write", action="store_true", help="print, do not append")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="tandem-soak-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{work}/soak.sqlite3")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="tandem.config.settings",
        TANDEM_VAR_DIR=str(work / "var"),
        TANDEM_SECRET_KEY=secrets.token_urlsafe(40),
        TANDEM_JOB_STALE_SECONDS=str(STALE_SECONDS),
    )
    database = "PostgreSQL" if os.environ["DATABASE_URL"].startswith("postgres") else "SQLite"
    print(f"Preparing ({database}, {args.children:,} children) in {work}", flush=True)
    tandem("migrate", "-v0")
    tandem("synth", "--children", str(args.children), "--seed", "11", "--replace")
    people = json.loads(tandem("shell", "--no-imports", "-c", PREPARE).strip().splitlines()[-1])
    tandem(
        "extracts",
        "--out",
        str(work / "extracts"),
        "--children",
        str(args.upload_children),
        "--agencies",
        "police,health,council,school",
        "--seed",
        "5",
    )
    # The other agencies' extracts are loaded first (not timed): the school roll is the large
    # upload made during the run, and the linking run then links all four.
    for agency in ("police", "health", "council"):
        tandem(
            "extract",
            "load",
            str(work / "extracts" / f"{agency}.csv"),
            "--partner",
            people["partner"],
            "--type",
            agency,
            "--user",
            people["analyst"],
            "--mapping",
            str(work / "extracts" / "mapping.toml"),
            "--quarantine",
        )
    upload_file = (work / "extracts" / "school.csv").read_bytes()
    mapping = (work / "extracts" / "mapping.toml").read_text()
    upload_rows = upload_file.count(b"\n") - 1
    worker_api = Api(0, token_for(people["worker"]))
    analyst_api = Api(0, token_for(people["analyst"]))

    port = free_port()
    log_path = work / "server.log"
    serve = subprocess.Popen(
        [BIN / "tandem", "serve", "--port", str(port), "--no-migrate"],
        stdout=subprocess.DEVNULL,
        stderr=log_path.open("w"),
        start_new_session=True,
    )
    for api in (worker_api, analyst_api):
        api.base = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 60
    while worker_api.call("GET", "/referrals/made", timeout=5)[0] != 200:
        if time.monotonic() > deadline or serve.poll() is not None:
            raise SystemExit("tandem serve did not start")
        time.sleep(0.5)

    soak = Soak(worker_api, people["children"], people["door"], allow_writes=True)
    threads = [
        threading.Thread(target=soak.client, args=(i,), daemon=True) for i in range(args.clients)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    print(f"{args.clients} clients for {args.minutes} minutes on port {port}", flush=True)
    events = []
    total = args.minutes * 60

    def at(fraction: float) -> None:
        time.sleep(max(0.0, started + total * fraction - time.monotonic()))

    at(0.1)
    body, headers = multipart(
        {"extract_type": "school", "bad_rows": "quarantine", "mapping": mapping},
        "file",
        "school.csv",
        upload_file,
    )
    status, answer = analyst_api.call("POST", "/extracts", data=body, headers=headers)
    if status != 202:
        raise SystemExit(f"The upload was refused: {status} {answer[:300]!r}")
    upload_job = json.loads(answer)["job_id"]
    events.append(f"{time.monotonic() - started:.0f} s: uploaded {upload_rows:,} rows")
    killed = None
    while time.monotonic() - started < total * 0.6:
        status, answer = analyst_api.call("GET", f"/jobs/{upload_job}")
        job = json.loads(answer) if status == 200 else {}
        if job.get("stage") == "Loading the records" and 0 < job.get("done", 0) < job["total"]:
            pid = worker_pid(serve.pid)
            if pid:
                os.kill(pid, signal.SIGKILL)
                killed = job["done"]
                events.append(
                    f"{time.monotonic() - started:.0f} s: killed the worker (SIGKILL) with "
                    f"{job['done']:,} of {job['total']:,} rows loaded"
                )
                break
        time.sleep(0.2)
    # The analyst links once the upload has loaded (it runs again after the kill).
    while time.monotonic() - started < total * 0.8:
        status, answer = analyst_api.call("GET", f"/jobs/{upload_job}")
        if status == 200 and json.loads(answer)["status"] in ("succeeded", "failed"):
            break
        time.sleep(1)
    link_job = tandem(
        "shell", "--no-imports", "-c", LINK.format(analyst=people["analyst"])
    ).strip()
    events.append(f"{time.monotonic() - started:.0f} s: started a linking run")
    at(1.0)
    soak.stop.set()
    for t in threads:
        t.join(timeout=180)
    elapsed = time.monotonic() - started
    print("Clients stopped; waiting for the jobs", flush=True)
    jobs_deadline = time.monotonic() + 30 * 60
    while time.monotonic() < jobs_deadline:
        states = [
            json.loads(analyst_api.call("GET", f"/jobs/{j}")[1]).get("status")
            for j in (upload_job, link_job)
        ]
        if all(s in ("succeeded", "failed") for s in states):
            break
        time.sleep(2)
    jobs_done = time.monotonic() - started
    serve.send_signal(signal.SIGTERM)
    try:
        serve.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(serve.pid, signal.SIGKILL)
    server_log = log_path.read_text()

    given = work / "writes.json"
    given.write_text(
        json.dumps(
            {
                "ok_referrals": soak.ok_referrals,
                "ok_children": soak.ok_children,
                "failed_markers": soak.failed_markers,
            }
        )
    )
    checked = json.loads(
        tandem("shell", "--no-imports", "-c", CHECK.format(path=given)).strip().splitlines()[-1]
    )
    requests_made = sum(soak.statuses.values())
    errors = len(soak.failures)
    writes_ok = len(soak.ok_referrals) + len(soak.ok_children)
    present = checked["referrals_present"] + checked["children_present"]
    jobs = checked["jobs"]
    jobs_ok = all(j["status"] == "succeeded" for j in jobs)
    passed = (
        errors == 0
        and present == writes_ok
        and checked["failed_present"] == 0
        and jobs_ok
        and killed is not None
    )
    restarts = server_log.count("The background worker stopped")
    lines = [
        f"- {requests_made:,} requests in {elapsed:.0f} s from {args.clients} clients "
        f"({requests_made / elapsed:,.0f}/s): "
        + ", ".join(f"{n:,} × {s or 'no answer'}" for s, n in sorted(soak.statuses.items())),
        f"- errors (no answer, 5xx, or an unexpected 4xx): **{errors}**"
        + (f"; first: {soak.failures[:3]}" if errors else ""),
        f"- reads: p50 {percentile(soak.latency['read'], 0.5):.0f} ms, "
        f"p95 {percentile(soak.latency['read'], 0.95):.0f} ms, "
        f"max {percentile(soak.latency['read'], 1):.0f} ms; writes: "
        f"p50 {percentile(soak.latency['write'], 0.5):.0f} ms, "
        f"p95 {percentile(soak.latency['write'], 0.95):.0f} ms, "
        f"max {percentile(soak.latency['write'], 1):.0f} ms",
        f"- writes answered 2xx: {writes_ok:,}, found in the database: {present:,}; writes "
        f"refused or unanswered: {len(soak.failed_markers)}, found: {checked['failed_present']}",
        *[f"- {e}" for e in events],
        f"- the server started {restarts} new worker{'s' if restarts != 1 else ''}; jobs: "
        + "; ".join(
            f"{j['title']}: {j['status']} after {j['attempts']} "
            f"start{'s' if j['attempts'] != 1 else ''}"
            + (f" ({j['error']})" if j["error"] else "")
            for j in jobs
        )
        + f"; all finished {jobs_done:.0f} s after the start",
        f"- **{'passed' if passed else 'FAILED'}**",
    ]
    load = os.getloadavg()
    heading = (
        f"### {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: soak, {database} "
        f"(`python bench/soak.py --minutes {args.minutes:g} --clients {args.clients} "
        f"--children {args.children} --upload-children {args.upload_children}`)"
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    machine = (
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs shared with other work, load "
        f"average at the end {load[0]:.2f}; Python {platform.python_version()}; commit {commit}; "
        f"TANDEM_JOB_STALE_SECONDS={STALE_SECONDS}."
    )
    block = "\n".join([heading, "", machine, "", *lines])
    print(block)
    if not passed:
        print(f"\nThe server's log: {log_path}")
    if not args.no_write:
        record("## Long work that survives: the soak (issue 28)", block)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
