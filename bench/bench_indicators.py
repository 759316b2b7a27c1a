"""Benchmark: ten indicators by sex × age group with standard errors on a one-million-person survey,
``evidencekit.indicators.estimate`` against R ``survey`` on the same data, side by side in one run.

Run by hand (not collected by pytest)::

    python bench/bench_indicators.py                  # 1 000 000 persons, R side included
    python bench/bench_indicators.py --n-persons 100000 --no-r

Steps: (1) generate the SYNTHETIC survey (``evidencekit.microdata.synthetic.generate``, population
4 000 000, 120 households per EA) and write it once to Parquet and CSV in a temporary folder;
(2) read the Parquet with ``evidencekit.microdata.read`` and time a first (cold) pass over the ten
indicators on that fresh Survey, which codes the design and the groups once (read and cold pass repeated
``--reps`` times, best kept: a 0.3 s pass is easily delayed by other jobs on a shared machine), then
``estimate(s, name, by=["ilo_sex", "ilo_age_aggregate"])`` for each indicator (best of ``--reps`` runs); (3) measure our peak
Python memory of the estimation step with ``tracemalloc`` in a separate pass (tracemalloc slows numpy
allocations, so it is not in the timed runs) and the process peak RSS (``resource``; the data are
generated in a child process so that it counts only reading and estimating); (4) run
``bench/bench_indicators.R`` (``svydesign(ids=~psu, strata=~strata, weights=~ilo_wgt, nest=TRUE)`` on
persons 15+ as a domain, ``svyby(~y, ~ilo_sex+ilo_age_aggregate, denominator=~x, svyratio)``) on the CSV
and compare: time per indicator, the ratio, and the maximum relative difference of estimates and SEs
over the groups of persons 15+ (groups of children have no denominator and are not compared).
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from evidencekit.microdata import read
from evidencekit.microdata.synthetic import generate

HERE = Path(__file__).resolve().parent
BY = ["ilo_sex", "ilo_age_aggregate"]
INDICATORS = [
    "labour_force_participation_rate", "employment_to_population_ratio", "unemployment_rate",
    "time_related_underemployment_rate", "lu2_rate", "lu3_rate", "lu4_rate", "informal_employment_rate",
    "vulnerable_employment_rate", "mean_monthly_earnings_employees",
]


def build(folder: Path, n_persons: int, seed: int) -> tuple[Path, Path, float]:
    t = time.perf_counter()
    s = generate(n_persons=n_persons, seed=seed)
    secs = time.perf_counter() - t
    pq, csv = folder / "synthetic_lfs.parquet", folder / "synthetic_lfs.csv"
    s.data.to_parquet(pq, index=False)
    pacsv.write_csv(pa.Table.from_pandas(s.data, preserve_index=False), csv)
    return pq, csv, secs


def run_ours(pq: Path, reps: int) -> tuple[pd.DataFrame, dict[str, float], float, float, float]:
    from evidencekit.indicators import estimate

    t_read = t_cold = np.inf
    for _ in range(reps):   # cold: the first pass on a freshly read Survey (design coded, masks, flags), best of reps
        t = time.perf_counter()
        s = read(pq, weight="ilo_wgt", strata="strata", psu="psu")
        t_read = min(t_read, time.perf_counter() - t)
        t = time.perf_counter()
        for name in INDICATORS:
            estimate(s, name, by=BY)
        t_cold = min(t_cold, time.perf_counter() - t)
    times: dict[str, float] = {}
    frames = []
    for name in INDICATORS:
        best = np.inf
        for _ in range(reps):
            t = time.perf_counter()
            out = estimate(s, name, by=BY)
            best = min(best, time.perf_counter() - t)
        times[name] = best
        frames.append(out.assign(indicator=name))
    tracemalloc.start()
    for name in INDICATORS:
        estimate(s, name, by=BY)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return pd.concat(frames, ignore_index=True), times, t_read, t_cold, peak / 1e6


def run_r(csv: Path, folder: Path) -> tuple[pd.DataFrame, float]:
    out = folder / "r_results.csv"
    t = time.perf_counter()
    proc = subprocess.run(["Rscript", str(HERE / "bench_indicators.R"), str(csv), str(out)],
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    sys.stderr.write(proc.stderr)
    if proc.returncode != 0:
        raise SystemExit(f"R failed (exit {proc.returncode})")
    return pd.read_csv(out), wall


def compare(ours: pd.DataFrame, r: pd.DataFrame) -> pd.DataFrame:
    keys = ["indicator", *BY]
    o = ours.copy()
    for c in BY:   # by-columns carry value labels when the survey has them; the codes are in <col>_code
        o[c] = pd.to_numeric(o[f"{c}_code"] if f"{c}_code" in o.columns else o[c], errors="coerce")
    m = r.merge(o[keys + ["estimate", "se"]], on=keys, how="left", suffixes=("_r", "_ek"))
    if m["estimate_ek"].isna().any():
        missing = m.loc[m["estimate_ek"].isna(), keys]
        raise SystemExit(f"groups R has but evidencekit does not:\n{missing}")
    m["rel_est"] = (m["estimate_ek"] - m["estimate_r"]).abs() / m["estimate_r"].abs()
    m["rel_se"] = (m["se_ek"] - m["se_r"]).abs() / m["se_r"].abs()
    return m.groupby("indicator", sort=False)[["rel_est", "rel_se"]].max()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n-persons", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--reps", type=int, default=3, help="timed repetitions of the cold pass (a fresh read each) and "
                                                          "of each indicator (best kept)")
    p.add_argument("--no-r", action="store_true", help="skip the R side")
    p.add_argument("--keep", type=Path, help="keep the data files in this folder (default: a temp folder)")
    a = p.parse_args(argv)

    folder = a.keep or Path(tempfile.mkdtemp(prefix="ek_bench_"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        # generate in a child process, so this process's peak RSS is the read + estimation only
        with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
            pq, csv, t_gen = pool.submit(build, folder, a.n_persons, a.seed).result()
        n = pq.stat().st_size / 1e6
        print(f"survey: {pd.read_parquet(pq, columns=['ilo_key']).shape[0]:,} persons generated in {t_gen:.1f} s; "
              f"Parquet {n:.1f} MB, CSV {csv.stat().st_size / 1e6:.1f} MB in {folder}")
        ours, times, t_read, t_cold, peak = run_ours(pq, a.reps)
        print(f"evidencekit: read Parquet {t_read:.2f} s; first pass over the 10 indicators (cold, incl. the "
              f"design index) {t_cold:.2f} s; estimation peak Python memory (tracemalloc) {peak:.0f} MB; "
              f"process peak RSS (read + estimation; data generated in a child) "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        table = pd.DataFrame({"evidencekit_s": pd.Series(times)})
        if not a.no_r:
            r, r_wall = run_r(csv, folder)
            table["R_s"] = r.groupby("indicator", sort=False)["seconds"].first()
            table["ratio"] = table["R_s"] / table["evidencekit_s"]
            table = table.join(compare(ours, r))
            print(f"R: wall time of the whole Rscript run (read CSV, design, 10 svyby) {r_wall:.1f} s")
        total = table.sum(numeric_only=True)
        pd.set_option("display.width", 160)
        print(table.to_string(float_format=lambda v: f"{v:.3g}"))
        line = f"TOTAL evidencekit {total['evidencekit_s']:.3f} s (best of {a.reps}; cold first pass {t_cold:.2f} s)"
        if not a.no_r:
            line += (f", R {total['R_s']:.1f} s, ratio {total['R_s'] / total['evidencekit_s']:.0f}x "
                     f"(cold {total['R_s'] / t_cold:.0f}x); "
                     f"max rel. diff estimate {table['rel_est'].max():.2e}, SE {table['rel_se'].max():.2e}")
        print(line)
    finally:
        if a.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
