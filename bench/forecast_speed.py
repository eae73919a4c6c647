"""The demand forecast against data-to-insight's cs-demand-model 0.5.1, in one run (issue 24).

1. Agreement: on cs-demand-model's own sample and on a Tandem synthetic SSDA903 history, Tandem
   fitted with the v1 quirks forecasts the children in care after 30, 180 and 365 days; both
   figures are printed with their difference (the goal: within 0.5 %).
2. Speed: a 10-year daily forecast from the same files (reading, fitting and forecasting, with
   bands for Tandem) on the sample and on a synthetic history of about 100,000 episodes; the
   goal is under 5 s and at least 50 times faster than cs-demand-model.

cs-demand-model needs pandas 1 and numpy 1, which need Python 3.11 or older: this script makes
its own virtual environment for it under var/bench/ with such a Python from the machine, never
in Tandem's. Run: `.venv/bin/python bench/forecast_speed.py` (add `--quick` to skip the peer's
10-year runs)."""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from tandem.planning.fit import fit  # noqa: E402
from tandem.planning.forecast import project  # noqa: E402
from tandem.planning.history import read_ssda903  # noqa: E402
from tandem.planning.shape import standard  # noqa: E402
from tandem.synth.history903 import write_history  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from results import record  # noqa: E402

PEER = "cs-demand-model==0.5.1"
VENV = ROOT / "var" / "bench" / "cs-demand-model"
DAYS = (30, 180, 365)
TEN_YEARS = 3652


def peer_python() -> Path:
    python = VENV / "bin" / "python"
    if python.exists():
        return python
    for name in ("python3.11", "python3.10"):
        found = shutil.which(name) or (Path("/usr/bin") / name).exists() and f"/usr/bin/{name}"
        if (
            found
            and subprocess.run([found, "-c", "import venv"], capture_output=True).returncode == 0
        ):
            break
    else:
        sys.exit("cs-demand-model needs Python 3.10 or 3.11 (pandas 1); none was found")
    VENV.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([found, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "-q", PEER], check=True)
    return python


def peer(python: Path, source: Path, window, horizon: int) -> dict:
    out = subprocess.run(
        [
            str(python),
            str(ROOT / "bench" / "cs_demand_model_peer.py"),
            str(source),
            window[0].isoformat(),
            window[1].isoformat(),
            ",".join(map(str, DAYS)),
            str(horizon),
        ],  # fmt: skip
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def tandem(source: Path, window, months: int, method: str) -> tuple[list[float], float]:
    started = time.perf_counter()
    fitted = fit(read_ssda903([source]), standard(), window, method=method)
    forecast = project(fitted, months)
    forecast.band("95")
    seconds = time.perf_counter() - started
    return [forecast.in_care(d) for d in DAYS], seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the peer's 10-year runs")
    args = parser.parse_args()
    python = peer_python()
    sample = next((VENV / "lib").glob("python3.*/site-packages/cs_demand_model_samples/combined"))
    work = ROOT / "var" / "bench" / "histories"
    small, large = work / "synthetic-small", work / "synthetic-100k"
    if not small.exists():
        write_history(small, entrants_a_year=300, years=8, last_year=2025, seed=11)
    if not large.exists():
        write_history(large, entrants_a_year=4200, years=8, last_year=2025, seed=12)
    inputs = [
        ("cs-demand-model sample", sample, (date(2019, 7, 1), date(2020, 1, 1))),
        ("Tandem synthetic history", small, (date(2024, 10, 1), date(2025, 3, 31))),
        ("Tandem synthetic, 100k episodes", large, (date(2024, 10, 1), date(2025, 3, 31))),
    ]
    lines = ["1. Children in care after 30 / 180 / 365 days (Tandem fitted with v1's quirks):", ""]
    lines += ["| Input | Episodes | cs-demand-model | Tandem (v1) | Largest difference |"]
    lines += ["|---|---:|---|---|---:|"]
    for name, source, window in inputs:
        theirs = [peer(python, source, window, 365)["in_care"][str(d)] for d in DAYS]
        ours, _ = tandem(source, window, 12, "v1")
        worst = max(abs(o - t) / t * 100 for o, t in zip(ours, theirs, strict=True))
        lines.append(
            f"| {name} | {read_ssda903([source]).height:,} | "
            + " / ".join(f"{x:.2f}" for x in theirs)
            + " | "
            + " / ".join(f"{x:.2f}" for x in ours)
            + f" | {worst:.4f} % |"
        )
    lines += ["", "2. A 10-year daily forecast from the files (read, fit, forecast):", ""]
    lines += ["| Input | Tandem, with bands (best of 3) | cs-demand-model | Ratio |"]
    lines += ["|---|---:|---:|---:|"]
    for name, source, window in inputs[::2]:
        runs = [tandem(source, window, 120, "tandem")[1] for _ in range(3)]
        seconds = min(runs)
        if args.quick:
            lines.append(f"| {name} | {seconds:.2f} s | (not run) | |")
            continue
        theirs = peer(python, source, window, TEN_YEARS)
        lines.append(
            f"| {name} | {seconds:.2f} s | {theirs['seconds']:.1f} s (fit "
            f"{theirs['fit_seconds']:.1f} s, forecast {theirs['forecast_seconds']:.1f} s) | "
            f"{theirs['seconds'] / seconds:.0f}× |"
        )
    print("\n".join(lines))
    command = "python bench/forecast_speed.py" + (" --quick" if args.quick else "")
    record(
        "## Demand forecast (issue 24)",
        f"### {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: `{command}`\n\n"
        f"Machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}; the peer "
        f"{PEER} in its own environment; load average at the start {os.getloadavg()[0]:.2f}."
        "\n\n" + "\n".join(lines),
    )


if __name__ == "__main__":
    main()
