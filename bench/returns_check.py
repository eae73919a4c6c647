"""The judge's check: data-to-insight's validators over Tandem's synthetic returns.

    python bench/returns_check.py                  # 5,000 children
    python bench/returns_check.py --sizes 5000 50000
    python bench/returns_check.py --care-errors    # with known errors injected

For each size: a fresh SQLite database, `tandem synth --children N --seed 1 --as-of 2026-11-23`,
then `tandem returns ssda903` and `tandem returns cin` for 2025-26 (timed), then
`csc-validator-be-903` (lac2025_26) and `csc-validator-be-cin` (cin2025_26) over the files, in
their own Python 3.11 environment (they need pandas < 2), built once in var/d2i-venv from the
PyPI mirror. Prints the errors per rule and appends the figures to bench/RESULTS.md.
"""

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results import record

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "var" / "d2i-venv"
VALIDATORS = ["csc-validator-be-903==0.1.17", "csc-validator-be-cin==0.1.13", "pytest==9.2.0"]
AS_OF = "2026-11-23"
YEAR = 2026
TANDEM = [sys.executable, "-m", "tandem.cli"]


def d2i_python() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        base = os.environ.get("D2I_PYTHON", "python3.11")
        subprocess.run([base, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *VALIDATORS],
            check=True,
            stderr=subprocess.DEVNULL,
        )
    return python


def run(cmd: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def run_json(cmd: list[str], env: dict) -> tuple[float, dict]:
    """Run a command that prints JSON; adds its peak memory (MB) as "peak_mb"."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        child = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.DEVNULL, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        if child.returncode:
            raise subprocess.CalledProcessError(child.returncode, cmd)
        out.seek(0)
        result = json.load(out)
    result["peak_mb"] = round(usage.ru_maxrss / 1024)  # kilobytes on Linux
    return seconds, result


def check(children: int, care_errors: bool, python: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
        run([*TANDEM, "migrate", "-v0"], env)
        synth = [*TANDEM, "synth", "--children", str(children), "--seed", "1", "--as-of", AS_OF]
        run(synth + (["--care-errors"] if care_errors else []), env)
        user = subprocess.run(
            [
                *TANDEM,
                "shell",
                "-c",
                "from tandem.partners.models import User; print(User.objects.filter("
                "role='partnership_analyst', team__partner__kind='local_authority')"
                ".order_by('username').first().username)",
            ],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()[-1]
        out903, cin_xml = Path(tmp, "ssda903"), Path(tmp, "cin.xml")
        args = ["--year", str(YEAR), "--user", user]
        build_903, job = run_json(
            [*TANDEM, "returns", "-v0", "ssda903", "--out", str(out903), *args], env
        )
        build_cin, cin_job = run_json(
            [*TANDEM, "returns", "-v0", "cin", "--out", str(cin_xml), *args], env
        )
        results = {}
        for which, path in (("ssda903", out903), ("cin", cin_xml)):
            done = subprocess.run(
                [str(python), str(ROOT / "bench" / "d2i_validate.py"), which, str(path)]
                + ["--year", str(YEAR)],
                check=True,
                capture_output=True,
                text=True,
            )
            results[which] = json.loads(done.stdout)
        header = (out903 / "header.csv").read_text().count("\n") - 1
        oc3 = (out903 / "oc3.csv").read_text().count("\n") - 1
    return {
        "children": children,
        "care_errors": care_errors,
        "children_in_903": header,
        "oc3_rows": oc3,
        "tandem_build_s": {"ssda903": round(build_903, 2), "cin": round(build_cin, 2)},
        "tandem_rules": job["failures"],
        "tandem_validation_s": job["validation_seconds"],
        "tandem_cin_rules": cin_job["failures"],
        "tandem_cin_validation_s": cin_job["validation_seconds"],
        "tandem_peak_mb": {"ssda903": job["peak_mb"], "cin": cin_job["peak_mb"]},
        "d2i": results,
        "compare": {
            which: compare(mine, results[which]["rules"])
            for which, mine in (("ssda903", job["failures"]), ("cin", cin_job["failures"]))
        },
    }


def compare(tandem: dict, d2i: dict) -> dict:
    """Per rule firing on either side: (Tandem's count, data-to-insight's count)."""
    return {code: (tandem.get(code, 0), d2i.get(code, 0)) for code in sorted({*tandem, *d2i})}


def write_results(rows: list[dict]) -> None:
    lines = [
        "",
        f"### Returns against data-to-insight's validators, {dt.date.today()}",
        f"Machine: {platform.node()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, SQLite. Command: `python bench/returns_check.py "
        f"{' '.join(sys.argv[1:])}`.",
        "",
        "| children | injected errors | 903 children (care leavers in OC3) "
        "| 903 errors (rules run) | 903 rules firing "
        "| Tandem's own 903 rules firing | CIN errors | CIN rules firing "
        "| Tandem's own CIN rules firing "
        "| Tandem build 903 / CIN (s, incl. start-up) | Tandem peak memory 903 / CIN (MB) "
        "| Tandem 903 / CIN validation (s) | d2i 903 / CIN (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lac, cin = r["d2i"]["ssda903"], r["d2i"]["cin"]
        lines.append(
            f"| {r['children']:,} | {'yes' if r['care_errors'] else 'no'} | "
            f"{r['children_in_903']:,} ({r['oc3_rows']:,}) | "
            f"{lac['errors']} ({lac['rules_run']}) | "
            f"{json.dumps(lac['rules']) if lac['rules'] else '-'} | "
            f"{json.dumps(r['tandem_rules']) if r['tandem_rules'] else '-'} | {cin['errors']} | "
            f"{json.dumps(cin['rules']) if cin['rules'] else '-'} | "
            f"{json.dumps(r['tandem_cin_rules']) if r['tandem_cin_rules'] else '-'} | "
            f"{r['tandem_build_s']['ssda903']} / {r['tandem_build_s']['cin']} | "
            f"{r['tandem_peak_mb']['ssda903']} / {r['tandem_peak_mb']['cin']} | "
            f"{r['tandem_validation_s']} / {r['tandem_cin_validation_s']} | "
            f"{lac['seconds']} / {cin['seconds']} |"
        )
    record("## Statutory returns", "\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000])
    parser.add_argument("--care-errors", action="store_true")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args()
    python = d2i_python()
    rows = []
    for size in args.sizes:
        row = check(size, args.care_errors, python)
        print(json.dumps(row, indent=2))
        rows.append(row)
    if not args.no_record:
        write_results(rows)


if __name__ == "__main__":
    main()
