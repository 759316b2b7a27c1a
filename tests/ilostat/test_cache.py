"""The disk cache: atomic writes, checksummed Parquet copies, damaged files discarded, clearing."""
from __future__ import annotations

import json
import os
import warnings

import pandas as pd
import pytest

from evidencekit.ilostat.cache import CacheWarning, DataCache, atomic_write, clear
from evidencekit.ilostat.tidy import tidy


def frame() -> pd.DataFrame:
    return tidy(pd.DataFrame({"ref_area": ["NA", "PHL"], "indicator": ["X", "X"], "time": ["2021", "2022Q1"],
                              "obs_value": ["1.5", ""], "obs_status": ["B", ""]}))


def test_round_trip_keeps_types_and_values(tmp_path):
    cache = DataCache(tmp_path)
    key = cache.key("u")
    cache.put(key, frame(), {"dataset": "X_A", "last_update": "2026-09-24T07:10:19"})
    df, record = cache.get(key)
    pd.testing.assert_frame_equal(df, frame())
    assert df["ref_area"].tolist() == ["NA", "PHL"]  # Namibia stays a code
    assert record["last_update"] == "2026-09-24T07:10:19" and record["rows"] == 2 and len(record["sha256"]) == 64


def test_atomic_write_leaves_the_old_file_when_interrupted(tmp_path, monkeypatch):
    target = tmp_path / "f.bin"
    atomic_write(target, b"old complete content")

    def crash(fd):
        raise OSError("killed during fsync")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError):
        atomic_write(target, b"new content that never completes")
    assert target.read_bytes() == b"old complete content"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]  # no temporary file left behind


def parquet_of(cache: DataCache, key: str):
    """The Parquet file the entry's record names."""
    return cache.folder / json.loads((cache.folder / f"{key}.json").read_text())["file"]


def test_a_parquet_file_without_matching_record_is_never_read(tmp_path):
    """Bytes that are not the ones the record describes are never served as data."""
    cache = DataCache(tmp_path)
    key = cache.key("u")
    cache.put(key, frame(), {"dataset": "X_A"})
    other = frame().assign(obs_value=99.0)
    other.to_parquet(parquet_of(cache, key))  # the record still describes the old bytes
    with pytest.warns(CacheWarning, match="checksum does not match"):
        assert cache.get(key) is None
    assert not list(cache.folder.iterdir())  # discarded: refetched next time


def test_a_writer_stopped_between_its_two_files_leaves_the_old_entry_whole(tmp_path, monkeypatch):
    """A second writer (another process, or one killed) wrote its Parquet but not yet its record."""
    import evidencekit.ilostat.cache as cache_mod

    cache = DataCache(tmp_path)
    key = cache.key("u")
    cache.put(key, frame(), {"dataset": "X_A", "version": 1})
    real = cache_mod.atomic_write

    def stop_before_the_record(path, data):
        if str(path).endswith(".json"):
            raise KeyboardInterrupt("stopped between the two files")
        real(path, data)

    monkeypatch.setattr(cache_mod, "atomic_write", stop_before_the_record)
    with pytest.raises(KeyboardInterrupt):
        cache.put(key, frame().assign(obs_value=99.0), {"dataset": "X_A", "version": 2})
    monkeypatch.undo()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "damaged" warning: nothing is damaged
        df, record = cache.get(key)
    assert record["version"] == 1 and df["obs_value"].tolist()[0] == 1.5


READER_RACE = """
import sys, pandas as pd
from evidencekit.ilostat.cache import DataCache
cache = DataCache(sys.argv[1])
key = cache.key("u")
v = int(sys.argv[2])
df = pd.DataFrame({"ref_area": ["PHL"] * (5000 + v), "obs_value": [float(v)] * (5000 + v)})
for i in range(30):
    cache.put(key, df, {"dataset": "X_A", "version": v})
"""


def test_two_processes_writing_one_entry_never_make_a_reader_see_damage(tmp_path):
    """Two processes refresh the same entry with different answers while a third reads it."""
    import subprocess
    import sys

    cache = DataCache(tmp_path)
    key = cache.key("u")
    writers = [subprocess.Popen([sys.executable, "-c", READER_RACE, str(tmp_path), str(v)]) for v in (1, 2)]
    seen = set()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        while any(w.poll() is None for w in writers):
            got = cache.get(key)
            if got is not None:
                df, record = got
                assert len(df) == 5000 + record["version"] and set(df["obs_value"]) == {float(record["version"])}
                seen.add(record["version"])
    assert [w.returncode for w in writers] == [0, 0]
    assert not [str(w.message) for w in caught], "a reader saw a half-replaced entry as damaged"
    assert seen and cache.get(key) is not None


@pytest.mark.parametrize("damage, needle", [
    (lambda p, m: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "checksum"),
    (lambda p, m: m.write_text("{not json"), "record"),
    (lambda p, m: p.unlink(), "cannot be read"),
])
def test_damaged_files_are_discarded_with_a_warning(tmp_path, damage, needle):
    cache = DataCache(tmp_path)
    key = cache.key("u")
    cache.put(key, frame(), {"dataset": "X_A"})
    damage(parquet_of(cache, key), cache.folder / f"{key}.json")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert cache.get(key) is None
    (w,) = caught
    assert issubclass(w.category, CacheWarning) and needle in str(w.message) and "fetched again" in str(w.message)


def test_missing_entry_is_none(tmp_path):
    assert DataCache(tmp_path).get("nothing") is None


def test_clear_removes_only_our_files(tmp_path):
    cache = DataCache(tmp_path)
    cache.put(cache.key("a"), frame(), {"dataset": "X_A"})
    (tmp_path / "http-metadata.sqlite").write_bytes(b"x")
    (tmp_path / "mine.txt").write_text("keep me")
    assert clear(tmp_path) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]
    assert clear(tmp_path / "absent") == 0


WRITER = """
import sys, pandas as pd
from evidencekit.ilostat.cache import DataCache
cache = DataCache(sys.argv[1])
key = cache.key("u")
big = pd.DataFrame({"ref_area": ["PHL"] * 200_000, "obs_value": range(200_000)})
i = 0
while True:
    i += 1
    cache.put(key, big.assign(obs_value=big["obs_value"] + i), {"dataset": "X_A", "version": i})
    print(i, flush=True)
"""


def test_a_killed_writer_never_leaves_a_file_that_is_read(tmp_path):
    """Kill -9 a process that rewrites one cache entry in a loop: what is left reads whole, or not at all."""
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    for _ in range(3):  # let it complete a few writes, so the kill lands in the middle of a later one
        proc.stdout.readline()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    cache = DataCache(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = cache.get(cache.key("u"))
    if got is not None:  # the last complete pair, consistent with its record
        df, record = got
        assert len(df) == 200_000 and df["obs_value"].iloc[0] == record["version"] >= 3
    else:  # killed between the Parquet and its record: detected, discarded, never read as data
        assert [str(w.message) for w in caught if "checksum does not match" in str(w.message)]
    clear(tmp_path)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # leftover temp files are cleared too


def test_an_entry_of_an_earlier_format_is_not_used_and_removed_quietly(tmp_path):
    """Earlier versions kept any answer, unchecked (a body cut at a row boundary among them): not served."""
    cache = DataCache(tmp_path)
    key = cache.key("u")
    record = cache.put(key, frame(), {"dataset": "X_A"})
    (cache.folder / record.pop("file")).rename(cache.folder / f"{key}.parquet")  # the layout of format 1
    record["format"] = 1
    (cache.folder / f"{key}.json").write_text(json.dumps(record))
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # nothing is damaged: no warning
        assert cache.get(key) is None
    assert not (cache.folder / f"{key}.json").exists() and cache.records() == []


def test_cache_files_are_readable_by_others_and_in_the_snapshot_layout(tmp_path):
    """A cache folder a trainer prepares can be shared read-only; its files read like the snapshot's."""
    import stat

    import pyarrow.parquet as pq

    cache = DataCache(tmp_path)
    record = cache.put(cache.key("u"), frame(), {"dataset": "X_A"})
    path = cache.folder / record["file"]
    mode = path.stat().st_mode
    assert mode & stat.S_IRGRP and mode & stat.S_IROTH
    meta = pq.ParquetFile(path).metadata
    assert meta.row_group(0).column(0).compression == "ZSTD"
    assert [meta.schema.column(i).name for i in range(meta.num_columns)] == [c for c in frame().columns if c != "period"]


# -- a cache folder that cannot be written (a class's prepared cache shared read-only) ---------------------------
def emulate_read_only(monkeypatch, root) -> list[str]:
    """Make ``root`` behave as a read-only file system for this process, as root would otherwise ignore
    permission bits: creating, replacing, removing or renaming anything under it fails with EROFS (os level,
    so tempfile, pathlib and atomic_write meet it), and SQLite opens files there read-only (its own writes then
    fail inside SQLite). Returns the refused operations."""
    import errno
    import sqlite3

    root = str(root)
    refused: list[str] = []

    def inside(path) -> bool:
        return str(os.fspath(path)).startswith(root)

    def guard(name, real, check=inside):
        def wrapped(path, *args, **kwargs):
            if check(path) and (name != "open" or args and args[0] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)):
                refused.append(f"{name} {path}")
                raise OSError(errno.EROFS, "Read-only file system", str(path))
            return real(path, *args, **kwargs)
        return wrapped

    for name in ("open", "mkdir", "unlink", "remove", "rmdir", "chmod", "replace", "rename"):
        monkeypatch.setattr(os, name, guard(name, getattr(os, name)))
    real_connect = sqlite3.connect

    def connect(database, *args, **kwargs):
        if isinstance(database, (str, os.PathLike)) and inside(database) and not str(database).startswith("file:"):
            return real_connect(f"file:{os.fspath(database)}?mode=ro", *args, **{**kwargs, "uri": True})
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)
    return refused


def _files(root) -> dict:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_read_only_cache_that_holds_entries_answers_offline_and_says_it_cannot_write(tmp_path, cassette, monkeypatch):
    from evidencekit.ilostat import Client, SourceWarning

    root = tmp_path / "class-cache"
    with cassette("get_single"):   # a trainer fills the cache once, online
        Client(cache_dir=root).get("UNE_DEAP_SEX_AGE_RT_A", ref_area=["KEN", "USA", "X01"])
    before = _files(root)
    refused = emulate_read_only(monkeypatch, root)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        client = Client(cache_dir=root, offline=True)
        df = client.get("UNE_DEAP_SEX_AGE_RT_A", ref_area="KEN")          # the cached entry answers
        toc = client.toc()                                                   # the cached catalogue is read too
        found = client.search("unemployment")
        snap = client.get("SDG_0852_SEX_AGE_RT_A", ref_area="PHL")          # and the snapshot behind it
    assert df.attrs["provenance"]["origin"] == "cache" and set(df["ref_area"]) == {"KEN"} and len(df) == 6
    assert toc.attrs["provenance"]["origin"] == "cache" and "UNE_DEAP_SEX_AGE_RT_A" in set(found["id"])
    assert snap.attrs["provenance"]["origin"] == "snapshot"
    texts = [str(w.message) for w in said if issubclass(w.category, CacheWarning)]
    assert len(texts) == 1 and "cannot be written" in texts[0] and "Read-only file system" in texts[0]
    assert not [w for w in said if issubclass(w.category, SourceWarning)]
    assert refused and _files(root) == before                              # tried, refused, nothing changed


def test_a_read_only_cache_online_gives_the_live_answer_without_keeping_it(tmp_path, cassette, monkeypatch):
    from evidencekit.ilostat import Client

    root = tmp_path / "class-cache"
    with cassette("toc_search"):
        Client(cache_dir=root).toc()
    before = _files(root)
    emulate_read_only(monkeypatch, root)
    with cassette("get_multi"), warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        df = Client(cache_dir=root).get("UNE_DEAP_SEX_AGE_RT_A", ref_area="USA", sex=["F", "M"],
                                        classif1="AGE_YTHADULT_Y15-24", start=2024, end=2025)
    assert df.attrs["provenance"]["origin"] == "live" and len(df) > 0
    texts = [str(w.message) for w in said if issubclass(w.category, CacheWarning)]
    assert any("could not be saved" in t for t in texts) and any("cannot be written" in t for t in texts)
    assert _files(root) == before


def test_a_sqlite_catalogue_file_that_cannot_be_written_costs_no_answer(tmp_path, cassette, monkeypatch):
    """The folder is writable but the catalogue file is not (was: a traceback from requests-cache)."""
    import sqlite3

    from evidencekit.ilostat import Client

    root = tmp_path / "c"
    with cassette("toc_search"):
        Client(cache_dir=root).toc()
    real_connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda db, *a, **k: real_connect(
        f"file:{db}?mode=ro", *a, **{**k, "uri": True}) if str(db).endswith(".sqlite") else real_connect(db, *a, **k))
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        client = Client(cache_dir=root, offline=True)
        found = client.search("unemployment")          # what the file holds is read
        sex = client.dictionary("sex")                 # a miss: requests-cache tries to write, SQLite refuses
    assert found.attrs["provenance"]["origin"] == "cache" and len(found) > 0
    assert set(sex["sex"]) >= {"SEX_T", "SEX_M", "SEX_F"}   # the snapshot's code list answers
    assert any(issubclass(w.category, CacheWarning) and "cannot be used" in str(w.message) for w in said)


def test_leftovers_of_killed_writers_are_swept_by_age(tmp_path):
    import time

    cache = DataCache(tmp_path)
    key = cache.key("u")
    record = cache.put(key, frame(), {"dataset": "X_A"})
    old, fresh = time.time() - 2 * 3600, time.time()
    leftovers = {"old": [tmp_path / ".network-down.json.a1.tmp", cache.folder / f".{key}.json.b2.tmp",
                         cache.folder / f"{key}-0123456789abcdef.parquet"],
                 "fresh": [cache.folder / ".other.parquet.c3.tmp", cache.folder / f"{key}-fedcba9876543210.parquet"]}
    for kind, paths in leftovers.items():
        for p in paths:
            p.write_bytes(b"half written")
            os.utime(p, (old, old) if kind == "old" else (fresh, fresh))
    cache.put(cache.key("v"), frame(), {"dataset": "X_A"})   # any write sweeps the folder
    assert not any(p.exists() for p in leftovers["old"])
    assert all(p.exists() for p in leftovers["fresh"])          # a reader may still hold them
    assert (cache.folder / record["file"]).exists() and cache.get(key) is not None
