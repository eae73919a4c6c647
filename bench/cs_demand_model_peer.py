"""Run data-to-insight's cs-demand-model 0.5.1 on SSDA903 files and print, as JSON, the children
in care it forecasts on the days asked and how long it took. Runs inside the peer's own virtual
environment (made by `bench/forecast_speed.py`; it needs pandas 1), never Tandem's."""

import json
import sys
import time
from datetime import datetime, timedelta

from cs_demand_model import DemandModellingDataContainer, ModelPredictor, PopulationStats
from cs_demand_model.config import Config
from cs_demand_model.datastore import fs_datastore


def main(source, window_start, window_end, days, horizon):
    started = time.perf_counter()
    config = Config()
    stats = PopulationStats(
        DemandModellingDataContainer(fs_datastore(source), config).enriched_view, config
    )
    start = datetime.strptime(window_start, "%Y-%m-%d")
    end = datetime.strptime(window_end, "%Y-%m-%d")
    predictor = ModelPredictor.from_model(stats, start, end)
    fitted = time.perf_counter()
    predicted = predictor.predict(horizon)
    finished = time.perf_counter()
    in_care = [c for c in predicted.columns if c and c[1] != "NOT_IN_CARE"]
    totals = predicted[in_care].sum(axis=1)
    wanted = {d: float(totals.loc[end + timedelta(days=d)]) for d in days}
    print(
        json.dumps(
            {
                "in_care": wanted,
                "stock": float(predictor.initial_population.sum()),
                "fit_seconds": fitted - started,
                "forecast_seconds": finished - fitted,
                "seconds": finished - started,
            }
        )
    )


if __name__ == "__main__":
    source, a, b, days, horizon = sys.argv[1:6]
    main(source, a, b, [int(d) for d in days.split(",")], int(horizon))
