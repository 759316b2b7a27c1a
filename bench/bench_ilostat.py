"""Benchmark the ILOSTAT data paths side by side (run by hand: ``python bench/bench_ilostat.py``).

(a) a filtered ``Snapshot.get`` on the largest indicator (SDG_0831_SEX_ECO_RT_A, 4 MB raw CSV) against
    plain ``pandas.read_csv`` of the raw file + the same filter (target: snapshot >= 2x faster);
(b) the same request answered from the disk cache by ``evidencekit.ilostat.Client`` (offline, cache
    filled with the whole dataset as a live answer would have stored it; target: no slower than (a), the
    ``Client.get`` from the snapshot, which is the same call through the same client);
(c) ``search("youth unemployment")`` and ``search("NEET")`` (synonyms) over the full offline catalogue
    (target < 20 ms).

Times are medians of ``--reps`` interleaved repetitions (after one warm-up; a new random order each time, the
garbage collector run between timings), wall clock and the process's CPU time (all threads: steadier when
the machine is shared); ratios are against the plain read. Needs ``../shared/data/ilostat`` for the raw file (``--raw`` to point elsewhere).
"""
from __future__ import annotations

import argparse
import gc
import random
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


def cache_case(snap: Snapshot, cache_dir: str) -> tuple[str, Callable[[], object] | None, str]:
    """``Client.get(..., offline=True)`` from a disk cache holding the whole dataset, if the Client exists."""
    name = "Client.get from disk cache (offline)"
    try:
        from evidencekit.ilostat import Client
        from evidencekit.ilostat.query import query_record
        from evidencekit.ilostat.sources import Request
    except ImportError as err:
        return name, None, f"pending: evidencekit.ilostat.Client not available ({err})"
    client = Client(cache_dir=cache_dir, offline=True, snapshot=snap)
    whole = Request.of(Query.build(DATASET), client.settings.base_url)
    client.cache.put(whole.key, snap.get(whole.query), {
        "dataset": DATASET, "url": whole.url, "last_update": snap.manifest["datasets"][DATASET]["vintage"],
        "query": query_record(whole.query), "label": None})
    fn = lambda: client.get(DATASET, ref_area=AREA, offline=True)  # noqa: E731
    origin = fn().attrs["provenance"]["origin"]
    if origin != "cache":
        return name, None, f"answered from {origin}, not the cache: not timed"
    return name, fn, ""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=21)
    ap.add_argument("--raw", type=Path, default=REPO.parent / "shared/data/ilostat/bulk" / f"{DATASET}.csv")
    args = ap.parse_args(argv)
    if not args.raw.is_file():
        print(f"raw file not found: {args.raw} (give --raw)", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")

    def plain() -> pd.DataFrame:
        df = pd.read_csv(args.raw)
        return df[df["ref_area"] == AREA]

    snap = Snapshot()
    toc = snap.toc()
    q = Query.build(DATASET, ref_area=AREA)
    ql = Query.build(DATASET, ref_area=AREA, labels=True)
    cases: dict[str, Callable[[], object]] = {
        f"pandas.read_csv raw {args.raw.stat().st_size / 1e6:.1f} MB + filter": plain,
        f"Snapshot.get {DATASET} ref_area={AREA}": lambda: snap.get(q),
        "  same, new Snapshot() each time (manifest read)": lambda: Snapshot().get(q),
        "  same, labels=True": lambda: snap.get(ql),
        f"Snapshot.get {DATASET} unfiltered": lambda: snap.get(Query.build(DATASET)),
    }
    cache_dir = tempfile.TemporaryDirectory(prefix="ek-bench-cache-")  # removed when the run ends
    cache_name, cache_fn, cache_note = cache_case(snap, cache_dir.name)
    if cache_fn is not None:
        cases[cache_name] = cache_fn
        from evidencekit.ilostat import Client

        snap_client = Client(cache_dir=tempfile.mkdtemp(dir=cache_dir.name), offline=True, snapshot=snap)
        cases["Client.get from the snapshot (offline, empty cache)"] = \
            lambda: snap_client.get(DATASET, ref_area=AREA, offline=True)
    cases[f"search('youth unemployment') over {len(toc)} toc rows"] = lambda: search(toc, "youth unemployment")
    cases["search('NEET') (synonyms)"] = lambda: search(toc, "NEET")
    cases["  Snapshot().toc() first read"] = lambda: Snapshot().toc()

    # interleaved: every repetition runs every case once, in a new random order, so a load spike or the
    # memory left by a heavy case hits all of them alike; the garbage collector runs between timings, not
    # during them (as timeit does)
    results = {name: fn() for name, fn in cases.items()}  # warm-up
    times: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}   # CPU time of the process (all threads)
    order = list(cases)
    shuffle = random.Random(2026).shuffle
    for _ in range(args.reps):
        shuffle(order)
        for name in order:
            gc.collect()
            gc.disable()
            try:
                t0, c0 = time.perf_counter(), time.process_time()
                results[name] = cases[name]()
                times[name].append((time.perf_counter() - t0) * 1000)
                cpu[name].append((time.process_time() - c0) * 1000)
            finally:
                gc.enable()
    assert len(results[f"Snapshot.get {DATASET} unfiltered"]) == len(pd.read_csv(args.raw)), "rows lost"

    def note(name: str, res: object) -> str:
        if isinstance(res, pd.DataFrame) and "score" in res.columns:
            return f"top: {res.iloc[0]['indicator']}"
        if isinstance(res, pd.DataFrame):
            extra = sum(c.endswith(".label") for c in res.columns)
            origin = (res.attrs.get("provenance") or {}).get("origin")
            return f"{len(res)} rows" + (f", {extra} label cols" if extra else "") + (f", origin={origin}" if origin else "")
        return ""

    base_name = next(iter(cases))
    base = statistics.median(times[base_name])
    width = max(len(n) for n in list(cases) + [cache_name])
    print(f"{'path':<{width}}  {'median ms':>10}  {'CPU ms':>7}  {'vs read_csv':>11}  notes")
    for name in cases:
        t = statistics.median(times[name])
        c = statistics.median(cpu[name])
        print(f"{name:<{width}}  {t:>10.2f}  {c:>7.2f}  {base / t:>10.1f}x  {note(name, results[name])}")
    if cache_fn is None:
        print(f"{cache_name:<{width}}  {'-':>10}  {'-':>7}  {'-':>11}  {cache_note}")
    print(f"\nmedian of {args.reps} interleaved repetitions after a warm-up; Python {sys.version.split()[0]}, "
          f"pandas {pd.__version__}; snapshot {snap.snapshot_id}")
    cache_dir.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
