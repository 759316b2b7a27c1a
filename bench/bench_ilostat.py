"""Benchmark the ILOSTAT data paths side by side (run by hand: ``python bench/bench_ilostat.py``).

(a) a filtered ``Snapshot.get`` on the largest indicator (SDG_0831_SEX_ECO_RT_A, 4 MB raw CSV) against
    plain ``pandas.read_csv`` of the raw file + the same filter (target: snapshot >= 2x faster);
(b) the same request answered from the disk cache by ``evidencekit.ilostat.Client`` (offline, cache
    filled with the whole dataset as a live answer would have stored it), when that client exists;
(c) ``search("youth unemployment")`` over the full offline catalogue (target < 20 ms).

Times are medians of ``--reps`` repetitions (after one warm-up) on this machine; ratios are against the
plain read. Needs ``../shared/data/ilostat`` for the raw file (``--raw`` to point elsewhere).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Callable

import pandas as pd

from evidencekit.ilostat.catalogue import search
from evidencekit.ilostat.query import Query
from evidencekit.ilostat.snapshot import Snapshot

REPO = Path(__file__).resolve().parents[1]
DATASET = "SDG_0831_SEX_ECO_RT_A"
AREA = "IDN"  # a SEA country present in the file (it has no PHL rows)


def timed(fn: Callable[[], object], reps: int) -> tuple[float, object]:
    """Median wall time in ms over ``reps`` runs after one warm-up run, and the last result."""
    result = fn()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), result


def cache_row(snap: Snapshot, reps: int) -> tuple[str, float | None, str]:
    """Time ``Client.get(..., offline=True)`` from a disk cache holding the whole dataset."""
    try:
        from evidencekit.ilostat import Client
        from evidencekit.ilostat.client import DATA_PATH, _query_record
        from evidencekit.ilostat.http import build_url
    except ImportError as err:
        return "Client.get from disk cache", None, f"pending: evidencekit.ilostat.Client not available ({err})"
    tmp = tempfile.mkdtemp(prefix="ek-bench-cache-")
    client = Client(cache_dir=tmp, offline=True, snapshot=snap)
    whole = Query.build(DATASET)
    full = snap.get(whole)
    url = build_url(client.settings.base_url, DATA_PATH, whole.params())
    client.cache.put(client.cache.key(url), full.drop(columns="period"), {
        "dataset": DATASET, "url": url, "last_update": snap.manifest["datasets"][DATASET]["vintage"],
        "query": _query_record(whole), "label": None})
    ms, df = timed(lambda: client.get(DATASET, ref_area=AREA, offline=True), reps)
    origin = df.attrs["provenance"]["origin"]
    if origin != "cache":
        return "Client.get from disk cache", None, f"answered from {origin}, not the cache: not timed"
    return "Client.get from disk cache", ms, f"{len(df)} rows, origin={origin}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--raw", type=Path, default=REPO.parent / "shared/data/ilostat/bulk" / f"{DATASET}.csv")
    args = ap.parse_args(argv)
    if not args.raw.is_file():
        print(f"raw file not found: {args.raw} (give --raw)", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")
    rows: list[tuple[str, float | None, str]] = []

    def plain() -> pd.DataFrame:
        df = pd.read_csv(args.raw)
        return df[df["ref_area"] == AREA]

    base, raw_df = timed(plain, args.reps)
    rows.append((f"pandas.read_csv raw {args.raw.stat().st_size / 1e6:.1f} MB + filter", base, f"{len(raw_df)} rows"))

    snap = Snapshot()
    q = Query.build(DATASET, ref_area=AREA)
    ms, df = timed(lambda: snap.get(q), args.reps)
    rows.append((f"Snapshot.get {DATASET} ref_area={AREA}", ms, f"{len(df)} rows"))
    ms, df = timed(lambda: Snapshot().get(q), args.reps)
    rows.append(("  same, new Snapshot() each time (manifest read)", ms, f"{len(df)} rows"))
    ms, df = timed(lambda: snap.get(Query.build(DATASET, ref_area=AREA, labels=True)), args.reps)
    rows.append(("  same, labels=True", ms, f"{len(df)} rows, {sum(c.endswith('.label') for c in df.columns)} label cols"))
    ms, df = timed(lambda: snap.get(Query.build(DATASET)), args.reps)
    rows.append((f"Snapshot.get {DATASET} unfiltered", ms, f"{len(df)} rows"))
    assert len(df) == len(pd.read_csv(args.raw)), "the snapshot must hold every row of the raw file"

    rows.append(cache_row(snap, args.reps))

    toc = snap.toc()
    ms, res = timed(lambda: search(toc, "youth unemployment"), max(args.reps, 30))
    rows.append((f"search('youth unemployment') over {len(toc)} toc rows", ms, f"top: {res.iloc[0]['indicator']}"))
    ms, _ = timed(lambda: Snapshot().toc(), args.reps)
    rows.append(("  Snapshot().toc() first read", ms, ""))

    width = max(len(r[0]) for r in rows)
    print(f"{'path':<{width}}  {'median ms':>10}  {'vs read_csv':>11}  notes")
    for name, t, note in rows:
        if t is None:
            print(f"{name:<{width}}  {'-':>10}  {'-':>11}  {note}")
        else:
            print(f"{name:<{width}}  {t:>10.2f}  {base / t:>10.1f}x  {note}")
    print(f"\n{args.reps} repetitions (median), Python {sys.version.split()[0]}, pandas {pd.__version__}; "
          f"snapshot {snap.snapshot_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
