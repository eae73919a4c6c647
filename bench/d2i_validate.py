"""Run data-to-insight's validators over a Tandem return and print the count of each rule.

Runs in its own Python (they need pandas < 2), not Tandem's: `bench/d2i_check.sh` builds that
environment once. Usage:
    d2i-python bench/d2i_validate.py ssda903 DIR --year 2026 [--la E09000027]
    d2i-python bench/d2i_validate.py cin FILE.xml --year 2026
Prints JSON: {"errors": total, "rules": {code: count}, "seconds": s, "rules_run": n}.
"""

import argparse
import contextlib
import importlib
import io
import json
import logging
import re
import sys
import time
from pathlib import Path

logging.disable(logging.CRITICAL)


def ssda903(path: Path, year: int, la: str) -> dict:
    from lac_validator.lac_validator import LacValidator
    from lac_validator.report import Report
    from lac_validator.utils import process_uploaded_files

    # The DfE tables only: not the validation report Tandem writes beside them.
    files = [str(p) for p in sorted(path.glob("*.csv")) if p.name != "validation_errors.csv"]
    ruleset = f"lac{year - 1}_{str(year)[2:]}"
    registry = importlib.import_module(f"lac_validator.rules.{ruleset}").registry
    started = time.perf_counter()
    v = LacValidator(
        metadata={"collectionYear": str(year), "localAuthority": la},
        files=process_uploaded_files({"This year": files}),
        registry=registry,
    )
    report = Report(v.ds_results, registry).error_report
    seconds = time.perf_counter() - started
    counts = {str(r.Code): int(r.Count) for r in report.itertuples() if r.Count}
    return {
        "ruleset": ruleset,
        "errors": sum(counts.values()),
        "rules": counts,
        "rules_run": len(v.dones),
        "skipped": len(v.skips),
        "failed_to_run": v.fails,
        "seconds": round(seconds, 2),
    }


def cin(path: Path, year: int) -> dict:
    import xml.etree.ElementTree as ET

    from cin_validator import cin_validator

    ruleset = f"cin{year - 1}_{str(year)[2:]}"
    registry = importlib.import_module(f"cin_validator.rules.{ruleset}").registry
    started = time.perf_counter()
    raw = cin_validator.convert_data(ET.parse(path).getroot())
    data = cin_validator.process_data(raw)
    # A rule that raises is printed ("Error with rule X: ...") and skipped: keep the list.
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        v = cin_validator.CinValidator(data, registry)
    issues = v.full_issue_df
    seconds = time.perf_counter() - started
    failed = sorted(set(re.findall(r"Error with rule (\w+):", printed.getvalue())))
    counts = {}
    if len(issues):
        # One count per child and rule, as their report lists them.
        per_rule = issues.drop_duplicates(["rule_code", "child_id", "row_id"])
        counts = {str(k): int(n) for k, n in per_rule["rule_code"].value_counts().items()}
    la_level = sorted({str(c) for c in getattr(v, "la_rule_issues", {}).get("rule_code", [])})
    return {
        "ruleset": ruleset,
        "errors": sum(counts.values()),
        "rules": counts,
        "la_level": la_level,
        "failed_to_run": failed,
        "seconds": round(seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("which", choices=["ssda903", "cin"])
    parser.add_argument("path", type=Path)
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--la", default="E09000027")
    args = parser.parse_args()
    # Their rules print as they go: keep stdout for the JSON.
    with contextlib.redirect_stdout(sys.stderr):
        if args.which == "ssda903":
            result = ssda903(args.path, args.year, args.la)
        else:
            result = cin(args.path, args.year)
    json.dump(result, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
