"""API child-detail throughput and latency, with access check and audit, on PostgreSQL under
gunicorn at 50 concurrent clients, against a bare Django JSON view on the same server.

    scripts/with-postgres .venv/bin/python bench/api_throughput.py [--children N] [--seconds S]

(make bench sets TANDEM_PG_DURABLE=1 so PostgreSQL keeps fsync on, as in production.)
Prints one line per endpoint and the ratio, and appends them to bench/RESULTS.md.
"""

import argparse
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

from results import record as record_block

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
CONCURRENCY = 50


def tandem(*args: str, settings: str = "tandem.config.settings") -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [BIN / "tandem", *args], env=env, check=True, capture_output=True, text=True
    )
    return out.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk() -> str:
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
    return shutil.which("wrk")


def prepare(children: int) -> tuple[str, list[str], str]:
    """A synthetic partnership, and the practitioner with the most visible children."""
    tandem("migrate", "-v0")
    tandem("synth", "--children", str(children), "--seed", "11", "--replace")
    script = (
        "from tandem.partners.models import User\n"
        "from tandem.people.selectors import children_visible_to\n"
        "best = max(User.objects.filter(role__in=['social_worker','team_manager']),"
        " key=lambda u: children_visible_to(actor=u).count())\n"
        "ids = list(children_visible_to(actor=best).values_list('pk', flat=True)[:500])\n"
        "print(best.username); print(' '.join(str(i) for i in ids))\n"
    )
    username, ids = tandem("shell", "--no-imports", "-c", script).strip().splitlines()
    token_out = tandem("token", "create", "--user", username, "--name", "bench")
    token = re.search(r"\b([A-Za-z0-9_\-]{32,})\b", token_out).group(1)
    return username, ids.split(), token


def serve(port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "TANDEM_CONN_MAX_AGE": "600",
    }
    proc = subprocess.Popen(
        [
            BIN / "gunicorn",
            "tandem.config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            # As `tandem serve` runs it: threads overlap one request's wait for the database
            # (an audit row is a commit, and fsync is on) with another's work.
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
            "--backlog",
            "2048",
        ],
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in", timeout=1)
            return proc
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def run_wrk(wrk: str, port: int, prefix: str, ids_file: str, token: str, seconds: int) -> dict:
    env = {**os.environ, "PATH_PREFIX": prefix, "CHILD_IDS_FILE": ids_file, "API_TOKEN": token}
    out = subprocess.run(
        [
            wrk,
            "-t2",
            f"-c{CONCURRENCY}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(ROOT / "bench" / "wrk_children.lua"),
            f"http://127.0.0.1:{port}",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=20000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--rounds", type=int, default=3, help="alternating runs of each; medians are reported"
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Run under scripts/with-postgres: this benchmark is for PostgreSQL")

    wrk = ensure_wrk()
    username, ids, token = prepare(args.children)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(ids) + "\n")
    port = free_port()
    server = serve(port, args.workers)
    try:
        # Check both answer 200 before measuring, and warm up the workers.
        for prefix, tok in (("/api/children/", token), ("/bench/bare/children/", "")):
            req = urllib.request.Request(f"http://127.0.0.1:{port}{prefix}{ids[0]}")
            if tok:
                req.add_header("Authorization", f"Bearer {tok}")
            assert urllib.request.urlopen(req).status == 200
            run_wrk(wrk, port, prefix, f.name, tok, 3)
        # Alternate the two, so that other work on a shared machine weighs on both alike.
        tandem_runs, bare_runs = [], []
        for _ in range(args.rounds):
            tandem_runs.append(run_wrk(wrk, port, "/api/children/", f.name, token, args.seconds))
            bare_runs.append(run_wrk(wrk, port, "/bench/bare/children/", f.name, "", args.seconds))
        tandem_result, bare_result = median_run(tandem_runs), median_run(bare_runs)
    finally:
        server.terminate()
        server.wait()
        os.unlink(f.name)

    ratio = tandem_result["rps"] / bare_result["rps"]
    lines = [
        row("Tandem `GET /api/children/{id}` (token, access check, audit row)", tandem_result),
        row("bare Django JSON view (same child, no auth, no audit)", bare_result),
    ]
    print("\n".join(lines))
    print(f"ratio Tandem / bare = {ratio:.2f} (goal >= 0.4)")
    record(args, username, lines, ratio)


def median_run(runs: list[dict]) -> dict:
    """The run with the median throughput (its latencies with it), errors summed over all."""
    middle = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
    return {**middle, "errors": sum(r["errors"] for r in runs)}


def row(label: str, r: dict) -> str:
    cells = [f"{r['rps']:.0f}", *(f"{r[k]:.1f}" for k in ("p50_ms", "p95_ms", "p99_ms"))]
    return f"| {label} | {' | '.join(cells)} | {r['errors']} |"


def machine() -> str:
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    mem = (
        int(
            next(
                ln.split()[1]
                for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")
            )
        )
        // 1024
        // 1024
    )
    pg = subprocess.run(["postgres", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem} GiB RAM, Python {platform.python_version()}, {pg}"
    )


def record(args, username: str, lines: list[str], ratio: float) -> None:
    record_block(
        "## API child detail under load",
        f"### {date.today().isoformat()}\n\n"
        f"Machine: {machine()}.  \n"
        f"Command: `make bench` → `TANDEM_PG_DURABLE=1 scripts/with-postgres .venv/bin/python "
        f"bench/api_throughput.py --children {args.children} --seconds {args.seconds} "
        f"--workers {args.workers} --rounds {args.rounds}`  \n"
        f"Setup: gunicorn, {args.workers} workers × 4 threads (as `tandem serve`), "
        "PostgreSQL 15 with fsync on, "
        f"{CONCURRENCY} concurrent clients (wrk), random children seen by {username!r}; "
        f"{args.rounds} alternating runs of {args.seconds} s each, the median run shown.\n\n"
        "| endpoint | requests/s | p50 ms | p95 ms | p99 ms | errors |\n"
        "|---|---|---|---|---|---|\n"
        + "\n".join(lines)
        + f"\n\n**Ratio Tandem / bare: {ratio:.2f}** (goal ≥ 0.4).\n",
    )


if __name__ == "__main__":
    sys.exit(main())
