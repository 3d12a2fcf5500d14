#!/usr/bin/env python3
"""End-to-end speed of kb.classify_many from Python (issue #15: at least 1,000,000 rows/s).

    PYTHONPATH=build/python /usr/bin/python3 bench/python_bulk.py [--rows 1000000] [--repeat 5]

Times the whole call -- interning the columns (pandas.factorize), the engine (api::ClassifyMany,
GIL released) and the per-row outcome codes -- and, separately, building the result frame
(to_frame). Tables of `rows` random rows over every catalog chip, a date each day of 1,700 days
from 2022-01-01 and 20 destinations: with string columns (as read from a CSV), categorical columns,
and with a headquarters column (a quarter of the rows with a Chinese parent). Reports the best of
`repeat` runs (the machine is shared; the best run is the least disturbed) and the median.
build/bench/bulk_bench measures the engine alone.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

import ceiling

COUNTRIES = ["CN", "AE", "US", "VN", "MO", "RU", "SA", "IN", "DE", "SG", "MY", "JP", "KR", "TW",
             "IL", "FR", "GB", "BR", "MX", "ID"]


def tables(kb: ceiling.KnowledgeBase, rows: int) -> dict:
    rng = np.random.default_rng(1)
    ids = np.array(kb.chips().ids, dtype=object)
    dates = pd.date_range("2022-01-01", periods=1700).strftime("%Y-%m-%d").to_numpy(dtype=object)
    countries = np.array(COUNTRIES, dtype=object)
    strings = pd.DataFrame({
        "chip": ids[rng.integers(0, len(ids), rows)],
        "date": dates[rng.integers(0, len(dates), rows)],
        "to": countries[rng.integers(0, len(countries), rows)],
    })
    hq = strings.copy()
    hq["hq"] = np.where(rng.integers(0, 4, rows) == 0, "CN", None)
    return {
        "string columns": strings,
        "categorical columns": strings.astype("category"),
        "datetime64 dates": strings.assign(date=pd.to_datetime(strings["date"])),
        "string columns + hq": hq,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    kb = ceiling.load()
    print(f"{args.rows:,} rows, best and median of {args.repeat} runs")
    print(f"{'input':24} {'classify_many':>14} {'rows/s (best)':>14} {'rows/s (median)':>16} "
          f"{'to_frame':>9} {'distinct':>9}")
    for name, frame in tables(kb, args.rows).items():
        times, frame_times = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = kb.classify_many(frame)
            times.append(time.perf_counter() - start)
            start = time.perf_counter()
            result.to_frame()
            frame_times.append(time.perf_counter() - start)
        best, median = min(times), statistics.median(times)
        print(f"{name:24} {best * 1000:11.0f} ms {args.rows / best / 1e6:10.2f} M/s "
              f"{args.rows / median / 1e6:12.2f} M/s {min(frame_times) * 1000:6.0f} ms "
              f"{result.distinct_queries:9,}")


if __name__ == "__main__":
    main()
