"""The disk cache of ILOSTAT data answers: tidy frames as Parquet, refreshed by the catalogue's ``last.update``.

Layout inside the cache folder (``Settings.cache_dir``)::

    data/<key>-<sha>.parquet  the tidy frame ILOSTAT returned for one request (key = sha256 of the request URL,
                              sha = the first 16 hex digits of the file's own sha256)
    data/<key>.json           its record: url, dataset, last_update (ToC), retrieved_at, rows, file, sha256
    http-metadata.sqlite      catalogue (ToC) and dictionary answers, kept by requests-cache (see :mod:`.http`)

Rules:

- **Atomic writes**: every file is written to a temporary file in the same folder, flushed, fsync'ed and
  moved into place with :func:`os.replace`; the record is written after the Parquet file it names.
- **Several processes** (notebook kernels, app workers) may refresh one entry at once: a Parquet file is
  named by its content, so it is never replaced by other bytes, and the record (one atomic file) always
  names a whole Parquet file. A reader never sees half of an update; a process killed between its two
  writes leaves the previous entry whole. A reader that finds the record changed under it reads the
  new one. Parquet files no record names are removed after ``SWEEP_AFTER`` seconds.
- **Freshness**: a cached dataset is fresh while the ToC's ``last.update`` for its id equals the one stored
  with it (ILOSTAT's only change signal on ``/data``; Rilostat does the same).
- **Damage**: a record that does not parse, a Parquet file whose sha256 differs from its record, or one
  that does not read, is deleted with a :class:`CacheWarning` (the message of a :class:`CacheError`) and
  the data are fetched again. The cache only holds copies, so discarding one never loses anything, and
  the checksum means a damaged file can never be served as data.

>>> import tempfile, pandas as pd
>>> cache = DataCache(tempfile.mkdtemp())
>>> key = cache.key("https://rplumber.ilo.org/data/indicator/?id=X_A")
>>> record = cache.put(key, pd.DataFrame({"ref_area": ["PHL"], "obs_value": [2.5]}), {"dataset": "X_A"})
>>> df, record = cache.get(key)
>>> df["obs_value"].tolist(), record["dataset"], record["rows"]
([2.5], 'X_A', 1)
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

from evidencekit.ilostat.errors import CacheError
from evidencekit.ilostat.tidy import now_utc

FORMAT_VERSION = 1
SWEEP_AFTER = 600.0  # seconds before a Parquet file that no record names is deleted (a reader may hold it)


class CacheWarning(UserWarning):
    """A damaged cache file was discarded (the data will be fetched again)."""


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a part.

    Temp file in the same folder -> write -> flush -> fsync -> :func:`os.replace` (atomic on POSIX and Windows).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> atomic_write(p, b"hello"); p.read_bytes()
    b'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable
        try:
            dfd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
        except OSError:
            pass


class DataCache:
    """Parquet copies of ILOSTAT data answers, one pair of files per request URL."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.folder = self.root / "data"

    @staticmethod
    def key(url: str) -> str:
        """The file stem for a request URL (sha256, 32 hex digits)."""
        return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]

    def _meta(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def _parquet_files(self, key: str) -> list[Path]:
        """Every Parquet file of an entry: content-named ones, and the one of records written before them."""
        return [self.folder / f"{key}.parquet", *self.folder.glob(f"{key}-*.parquet")]

    def put(self, key: str, df: pd.DataFrame, record: dict) -> dict:
        """Store a frame and its record (atomically, Parquet first). Returns the record as stored."""
        plain = df.copy()
        plain.attrs = {}
        buf = io.BytesIO()
        plain.to_parquet(buf, index=False)
        data = buf.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        name = f"{key}-{digest[:16]}.parquet"
        stored = dict(record)
        stored.update(format=FORMAT_VERSION, rows=int(len(df)), sha256=digest, file=name,
                      retrieved_at=record.get("retrieved_at") or now_utc())
        atomic_write(self.folder / name, data)
        atomic_write(self._meta(key), json.dumps(stored, indent=1, sort_keys=True).encode("utf-8"))
        self._sweep(key, keep=name)
        return stored

    def _sweep(self, key: str, keep: str) -> None:
        """Delete this entry's Parquet files that no record names any more, once older than ``SWEEP_AFTER``."""
        now = time.time()
        for path in self._parquet_files(key):
            try:
                if path.name != keep and now - path.stat().st_mtime > SWEEP_AFTER:
                    path.unlink()
            except OSError:  # gone already, or not ours to delete: harmless
                pass

    def get(self, key: str) -> tuple[pd.DataFrame, dict] | None:
        """The cached frame and its record, or None when absent (or damaged: discarded with a warning)."""
        meta = self._meta(key)
        for _ in range(3):
            try:
                raw = meta.read_bytes()
            except (FileNotFoundError, NotADirectoryError):
                return None
            except OSError as err:  # e.g. no permission: leave the files alone, fetch again
                warnings.warn(CacheWarning(f"The cached ILOSTAT record {meta} cannot be read ({err}); "
                                           "the data will be fetched again"), stacklevel=2)
                return None
            try:
                return self._read(key, raw)
            except CacheError as err:
                try:
                    if meta.read_bytes() != raw:
                        continue  # another process replaced the entry meanwhile: read the new one
                except OSError:
                    pass
                warnings.warn(CacheWarning(f"{err} (the damaged copy was deleted and will be fetched again)"),
                              stacklevel=2)
                self.discard(key)
                return None
        return None

    def _read(self, key: str, raw: bytes) -> tuple[pd.DataFrame, dict]:
        meta = self._meta(key)
        try:
            record = json.loads(raw.decode("utf-8"))
            if not isinstance(record, dict) or record.get("format") != FORMAT_VERSION:
                raise ValueError("unknown record format")
            name = str(record.get("file") or f"{key}.parquet")  # records written before content-named files
            if not name.startswith(key) or not name.endswith(".parquet") or "/" in name or "\\" in name:
                raise ValueError(f"it names another file ({name!r})")
        except (UnicodeDecodeError, ValueError) as err:
            raise CacheError(f"The cached ILOSTAT record {meta}", f"it is unreadable ({err})",
                             "nothing: it is fetched again") from None
        parquet = self.folder / name

        def damaged(why: str) -> CacheError:
            return CacheError(f"The cached ILOSTAT file {parquet}", why, "nothing: it is fetched again")

        try:
            data = parquet.read_bytes()
        except OSError as err:
            raise damaged(f"it cannot be read ({err})") from None
        if hashlib.sha256(data).hexdigest() != record.get("sha256"):
            raise damaged("its checksum does not match (the file is damaged or half-written)")
        try:
            df = pd.read_parquet(io.BytesIO(data))
        except Exception as err:  # pyarrow raises several types for a bad file
            raise damaged(f"it is not a readable Parquet file ({err})") from None
        if len(df) != record.get("rows"):
            raise damaged("its row count does not match its record")
        return df, record

    def discard(self, key: str) -> None:
        """Delete an entry: its record and its Parquet files."""
        for p in [self._meta(key), *self._parquet_files(key)]:
            try:
                p.unlink(missing_ok=True)
            except OSError:  # not ours to delete (permissions): the checksum keeps it from being served
                pass

    def records(self) -> list[dict]:
        """Every readable record (for finding a cached copy of a dataset when offline)."""
        out = []
        for meta in sorted(self.folder.glob("*.json")):
            try:
                rec = json.loads(meta.read_text(encoding="utf-8"))
                if isinstance(rec, dict):
                    rec["key"] = meta.stem
                    out.append(rec)
            except (OSError, ValueError):
                continue
        return out


def clear(root: str | os.PathLike) -> int:
    """Delete evidencekit's ILOSTAT cache files under ``root`` (data, catalogue, dictionaries); return how many.

    Only our own files are removed, so a cache folder shared with other things is safe to clear.
    """
    root = Path(root)
    if not root.exists():
        return 0
    files = [*root.glob("data/*.parquet"), *root.glob("data/*.json"), *root.glob("data/.*.tmp"),
             *root.glob("http-metadata.sqlite*"), *root.glob(".*.tmp"), root / "network-down.json"]
    n = 0
    for p in files:
        if p.is_file():
            p.unlink(missing_ok=True)
            n += 1
    for folder in (root / "data", root):
        try:
            folder.rmdir()
        except OSError:
            pass
    return n
