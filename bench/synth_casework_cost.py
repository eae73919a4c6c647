"""What the casework stage (issue 6, `synth.cases.case_rows`) adds to `tandem synth`: the time
to draw and prepare one 25,000-child chunk's casework rows (best of seven, on one drawn chunk),
beside the rows it adds. Needs no database. The stage runs in the drawing process, beside the
writes, so at 1,000,000 children (40 chunks) it adds 40 times this to the drawing, and its rows
to the writing.

    .venv/bin/python bench/synth_casework_cost.py
"""

import datetime as dt
import os
import time

import django
import numpy as np

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.config.settings")
django.setup()

from tandem.synth import build, cases, ids, load  # noqa: E402

SEED, CHILDREN, SIZE, ROUNDS = 1, 1_000_000, 25_000, 7
AS_OF = dt.date(2026, 11, 23)


def main() -> None:
    plan, _ = build.plan_and_staff(SEED, CHILDREN, SIZE, AS_OF)
    now = build.start_of(AS_OF)
    drawn = build.draw_chunk(SEED, 1, SIZE, SIZE, AS_OF, plan)
    child = np.asarray(drawn.fam.p_id, dtype=object)[drawn.fam.child_p]
    team_ids = np.asarray([t.id for t in plan.teams], dtype=object)
    all_rows = sum(
        load.prepare(m, d, "sqlite").n for m, d in build.chunk_rows(drawn, plan, SEED, now)
    )
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        rng = build.stream(SEED, 1, build.CASES)
        rows = cases.case_rows(
            rng,
            drawn=drawn,
            plan=plan,
            now=now,
            uuids=lambda model, n, start=0, rng=rng: ids.uuids(
                rng, n, table=build.table_prefix(SEED, model), chunk=1, start=start
            ),
            users=lambda r: build._users(plan, r),
            child=child,
            team_ids=team_ids,
        )
        prepared = [load.prepare(model, data, "sqlite") for model, data in rows]
        times.append(time.perf_counter() - started)
    n = sum(p.n for p in prepared)
    print(
        f"Casework rows of one {SIZE:,}-child chunk: {n:,} of the chunk's {all_rows:,} rows "
        f"({n / all_rows:.0%}), drawn and prepared in {min(times):.2f} s (best of {ROUNDS}); "
        f"{CHILDREN // SIZE} chunks: about {min(times) * CHILDREN / SIZE:.0f} s of drawing"
    )


if __name__ == "__main__":
    main()
