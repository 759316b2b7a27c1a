"""The disk cache of ILOSTAT data answers: tidy frames in the snapshot's Parquet layout, refreshed by the
catalogue's ``last.update`` (``docs/ilostat.md``, "The local cache").

Layout inside the cache folder (``Settings.cache_dir``)::

    data/<key>-<sha>.parquet  the checked, tidy frame ILOSTAT returned for one request, written as the snapshot
                              writes its files (:func:`~evidencekit.ilostat.snapshot.write_data`: rows grouped by
                              area, so a filtered read only opens the row groups it needs); key = sha256 of the
                              request URL, sha = the first 16 hex digits of the file's own sha256
    data/<key>.json           its record: url, dataset, query, last_update (ToC), retrieved_at, rows, columns,
                              file, sha256
    http-metadata.sqlite      catalogue (ToC) and dictionary answers, kept by requests-cache (see :mod:`.http`)

Rules:

- **Only checked answers are kept**: the client stores an answer after
  :func:`~evidencekit.ilostat.validate.problems` found nothing wrong with it (records of earlier formats, kept
  before those checks, are not used).
- **Atomic writes**: every file is written to a temporary file in the same folder, flushed, fsync'ed and
  moved into place with :func:`os.replace`; the record is written after the Parquet file it names. Files
  are readable by others (the usual umask), so a folder prepared by a trainer can be shared read-only.
- **Several processes** (notebook kernels, app workers) may refresh one entry at once: a Parquet file is
  named by its content, so it is never replaced by other bytes, and the record (one atomic file) always
  names a whole Parquet file. A reader never sees half of an update; a process killed between its two
  writes leaves the previous entry whole. A reader that finds the record changed under it reads the
  new one.
- **Sweeping**: Parquet files no record names, and temporary files left by a killed writer, are removed
  once older than ``SWEEP_AFTER`` (a reader may still hold them until then).
- **A folder that cannot be written** (read-only share, no permission) is read as it is; nothing is
  written, swept or deleted there (:func:`writable` says why, once).
- **Freshness**: a cached dataset is fresh while the ToC's ``last.update`` for its id equals the one stored
  with it (ILOSTAT's only change signal on ``/data``; Rilostat does the same).
- **Damage**: a record that does not parse, a Parquet file whose sha256 differs from its record (checked once
  per process while the file's size and time are unchanged; each page's CRC is checked on every read), or one
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
import pyarrow as pa

from evidencekit.ilostat.errors import CacheError
from evidencekit.ilostat.tidy import now_utc

FORMAT_VERSION = 2   # 2: checked answers in the snapshot's layout (1: any answer, plain Parquet)
SWEEP_AFTER = 600.0  # seconds before a Parquet file that no record names, or a temporary file, is deleted
_UMASK = os.umask(0)
os.umask(_UMASK)


class CacheWarning(UserWarning):
    """A cache file was discarded (fetched again), or the cache folder cannot be written (read only)."""


def writable(folder: str | os.PathLike) -> tuple[bool, str]:
    """``(True, "")`` when files can be created in ``folder`` (made if absent), else ``(False, why)``.

    Tried for real (a temporary file is made and removed): permission bits alone do not tell (root ignores
    them; a read-only mount refuses everyone).
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".probe-", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
        return True, ""
    except OSError as err:
        return False, err.strerror or str(err)


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
        os.chmod(tmp, 0o666 & ~_UMASK)   # mkstemp makes it private; a cache may be shared read-only
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


def sweep(root: str | os.PathLike, keep: set[str] = frozenset(), now: float | None = None) -> int:
    """Remove what a killed writer leaves in a cache folder: temporary files (``.*.tmp``) and Parquet files
    that no record names, once older than :data:`SWEEP_AFTER`; records of earlier formats too. Returns how
    many files were removed (never raises: a file that cannot be removed stays)."""
    root = Path(root)
    now = time.time() if now is None else now
    folder = root / "data"
    named = set(keep)
    stale_records = []
    for meta in folder.glob("*.json"):
        try:
            rec = json.loads(meta.read_text(encoding="utf-8"))
            if isinstance(rec, dict) and rec.get("format") == FORMAT_VERSION:
                named.add(str(rec.get("file")))
            else:
                stale_records.append(meta)
        except (OSError, ValueError):
            continue
    candidates = [*root.glob(".*.tmp"), *folder.glob(".*.tmp"), *folder.glob("*.parquet")]
    n = 0
    for path in candidates + stale_records:
        try:
            old = now - path.stat().st_mtime > SWEEP_AFTER
            if path in stale_records or (old and path.name not in named):
                path.unlink()
                n += 1
        except OSError:
            pass
    return n


class DataCache:
    """Parquet copies of ILOSTAT data answers, one record and one Parquet file per request URL."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.folder = self.root / "data"
        self._writable: tuple[bool, str] | None = None
        self._records: tuple[int, list[dict]] | None = None
        self._verified: dict[str, tuple] = {}   # file -> (sha256, size, mtime) it was checked with

    @staticmethod
    def key(url: str) -> str:
        """The file stem for a request URL (sha256, 32 hex digits)."""
        return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]

    def writable(self) -> tuple[bool, str]:
        """Whether entries can be written here (tried once per cache object), and why not."""
        if self._writable is None:
            self._writable = writable(self.root)
        return self._writable

    def _meta(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def _parquet_files(self, key: str) -> list[Path]:
        """Every Parquet file of an entry: content-named ones, and the one of records written before them."""
        return [self.folder / f"{key}.parquet", *self.folder.glob(f"{key}-*.parquet")]

    def put(self, key: str, df: pd.DataFrame, record: dict) -> dict:
        """Store a tidy frame and its record (atomically, Parquet first); returns the record as stored.

        Raises :class:`OSError` when the folder cannot be written (the caller says so and goes on).
        """
        from evidencekit.ilostat.snapshot import write_data

        can, why = self.writable()
        if not can:
            raise PermissionError(f"the cache folder {self.root} cannot be written ({why})")
        buf = io.BytesIO()
        write_data(df, buf)
        data = buf.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        name = f"{key}-{digest[:16]}.parquet"
        stored = dict(record)
        stored.update(format=FORMAT_VERSION, rows=int(len(df)), sha256=digest, file=name,
                      columns=[c for c in df.columns if c != "period"],
                      retrieved_at=record.get("retrieved_at") or now_utc())
        atomic_write(self.folder / name, data)
        atomic_write(self._meta(key), json.dumps(stored, indent=1, sort_keys=True).encode("utf-8"))
        self._records = None
        self._sweep(key, keep=name)
        return stored

    def _sweep(self, key: str, keep: str) -> None:
        """Delete this entry's Parquet files that no record names any more, once older than ``SWEEP_AFTER``;
        then the leftovers of killed writers anywhere in the folder (:func:`sweep`)."""
        now = time.time()
        for path in self._parquet_files(key):
            try:
                if path.name != keep and now - path.stat().st_mtime > SWEEP_AFTER:
                    path.unlink()
            except OSError:  # gone already, or not ours to delete: harmless
                pass
        sweep(self.root, keep={keep}, now=now)

    def get(self, key: str, query=None) -> tuple[pd.DataFrame, dict] | None:
        """The cached frame (with ``query``'s code filters applied while reading, when given) and its record,
        or None when absent (or damaged: discarded with a warning)."""
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
                return self._read(key, raw, query)
            except _OldFormat:
                self.discard(key)
                return None
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

    def _read(self, key: str, raw: bytes, query=None) -> tuple[pd.DataFrame, dict]:
        from evidencekit.ilostat.snapshot import read_data

        meta = self._meta(key)
        try:
            record = json.loads(raw.decode("utf-8"))
            if not isinstance(record, dict):
                raise ValueError("unknown record format")
            if record.get("format") != FORMAT_VERSION:
                raise _OldFormat()
            name = str(record.get("file") or "")
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
            stamp = parquet.stat()
        except OSError as err:
            raise damaged(f"it cannot be read ({err})") from None
        seen = (record.get("sha256"), stamp.st_size, stamp.st_mtime_ns)
        if self._verified.get(name) != seen:   # content-named files never change: checked once while unchanged
            if hashlib.sha256(data).hexdigest() != record.get("sha256"):
                raise damaged("its checksum does not match (the file is damaged or half-written)")
            self._verified[name] = seen
        try:
            columns = record.get("columns")
            df = read_data(pa.BufferReader(data), query, columns=columns if isinstance(columns, list) else None)
        except Exception as err:  # pyarrow raises several types for a bad file
            raise damaged(f"it is not a readable Parquet file ({err})") from None
        if query is None and len(df) != record.get("rows"):
            raise damaged("its row count does not match its record")
        return df, record

    def discard(self, key: str) -> None:
        """Delete an entry: its record and its Parquet files (nothing in a folder that cannot be written)."""
        if self._writable is not None and not self._writable[0]:
            return
        self._records = None
        for p in [self._meta(key), *self._parquet_files(key)]:
            try:
                p.unlink(missing_ok=True)
            except OSError:  # not ours to delete (permissions): the checksum keeps it from being served
                pass

    def records(self) -> list[dict]:
        """Every readable record of the current format (for finding a cached copy that covers a request).

        Read again only when the folder changed (its modification time moves with every file added, replaced
        or removed), so a search through many entries costs one ``stat`` when nothing changed.
        """
        try:
            stamp = self.folder.stat().st_mtime_ns
        except OSError:
            return []
        if self._records is not None and self._records[0] == stamp:
            return [dict(r) for r in self._records[1]]
        out = []
        for meta in sorted(self.folder.glob("*.json")):
            try:
                rec = json.loads(meta.read_text(encoding="utf-8"))
                if isinstance(rec, dict) and rec.get("format") == FORMAT_VERSION:
                    rec["key"] = meta.stem
                    out.append(rec)
            except (OSError, ValueError):
                continue
        self._records = (stamp, out)
        return [dict(r) for r in out]


class _OldFormat(Exception):
    """A record written by an earlier evidencekit (its answer was not checked): not used, removed quietly."""


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
