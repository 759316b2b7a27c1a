"""Checks made on every survey file before and after it is read (``docs/microdata.md``, "Checks on every file").

- **Memory, before reading.** The memory a file will take once read is estimated from its size and format
  (:func:`estimate_memory`) and compared with the memory available (:func:`available_memory`); a file that would
  not fit is refused at once with both figures, instead of exhausting the machine after minutes (a 2 GB CSV used
  to take 14 GB and then fail). The estimate is measured, not guessed: for a CSV, the first megabyte is parsed and
  scaled to the whole file. ``EVIDENCEKIT_MEMORY_LIMIT`` (e.g. ``4GB``) sets the memory the check allows, for a
  shared server or a test; ``none`` turns the check off.
- **Repeated records, after reading.** Records that are exact copies of another (every column equal) are found
  (:func:`duplicate_records`). A file repeated as a whole, or a block of rows that repeats an earlier block (a file
  appended to itself, a copy pasted twice), is refused unless ``duplicates="keep"`` or ``"drop"``; scattered copies
  are said in the notes, and when a column identifies records (unique otherwise) they are also a check (flag
  ``DUP``) on every estimate.

>>> parse_size("1.5 GB"), parse_size("300MB"), parse_size("none")
(1500000000, 300000000, None)
"""
from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from evidencekit.microdata.errors import FileFormatError

MEMORY_ENV = "EVIDENCEKIT_MEMORY_LIMIT"
DUPLICATES = ("check", "keep", "drop")
_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "k": 10**3, "m": 10**6, "g": 10**9,
          "kib": 2**10, "mib": 2**20, "gib": 2**30}


class FileTooLargeError(FileFormatError):
    """Reading the file would take more memory than is available."""


class DuplicateRecordsError(FileFormatError):
    """The file repeats its records (as a whole, or a block of them)."""


def parse_size(text: str) -> int | None:
    """'4GB', '500 MB', '2GiB', '1000000' -> bytes; 'none'/'off'/'0' -> None (no limit)."""
    t = str(text).strip().lower()
    if t in ("none", "off", "0", ""):
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]*)", t)
    if not m or m.group(2) not in _UNITS:
        raise FileFormatError(f"The setting {MEMORY_ENV}={text!r}", "is not an amount of memory",
                              f"write e.g. {MEMORY_ENV}=4GB or 500MB, or none to turn the check off")
    return int(float(m.group(1)) * _UNITS[m.group(2)])


def human(nbytes: float) -> str:
    """Bytes in words.

    >>> human(1_530_000_000), human(950_000)
    ('1.5 GB', '0.95 MB')
    """
    if nbytes >= 1e9:
        return f"{nbytes / 1e9:.2g} GB" if nbytes < 1e10 else f"{nbytes / 1e9:.0f} GB"
    return f"{nbytes / 1e6:.2g} MB" if nbytes < 1e7 else f"{nbytes / 1e6:.0f} MB"


def _read_int(path: str) -> int | None:
    try:
        text = Path(path).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def available_memory() -> tuple[int | None, str]:
    """Memory a read may use (bytes, and where the figure comes from), or (None, why) when it cannot be known.

    ``EVIDENCEKIT_MEMORY_LIMIT`` first; then, on Linux, the smaller of the system's available memory
    (``/proc/meminfo`` MemAvailable) and the room left under a container's limit (cgroup v2 ``memory.max`` or v1
    ``memory.limit_in_bytes``, minus what the container already uses).
    """
    env = os.environ.get(MEMORY_ENV)
    if env is not None:
        limit = parse_size(env)
        return (limit, f"{MEMORY_ENV}={env}") if limit is not None else (None, f"{MEMORY_ENV}={env}")
    figures: list[tuple[int, str]] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                figures.append((int(line.split()[1]) * 1024, "memory available on this computer"))
    except (OSError, ValueError, IndexError):
        pass
    for limit_file, used_file in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                                  ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                   "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        limit, used = _read_int(limit_file), _read_int(used_file)
        if limit is not None and limit < 2**60 and used is not None:
            figures.append((max(limit - used, 0), "memory left under this container's limit"))
    if not figures:
        return None, "the memory available could not be read on this system"
    return min(figures)


@dataclass
class Estimate:
    """Bytes a read will take at its peak, and how that was estimated."""

    nbytes: int
    how: str


def _csv_estimate(path: Path, size: int) -> Estimate | None:
    with open(path, "rb") as fh:
        sample = fh.read(1 << 20)
    if not sample.strip():
        return None
    whole = len(sample) >= size
    if not whole:
        sample = sample[: sample.rfind(b"\n") + 1] or sample
    text = sample.decode("utf-8", errors="replace")
    first = text.split("\n", 1)[0]
    sep = max(",;\t|", key=first.count) if any(d in first for d in ",;\t|") else ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, low_memory=False, on_bad_lines="skip")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
        return None
    rows = max(len(frame), 1)
    ncols = frame.shape[1]
    per_row = frame.memory_usage(deep=True, index=False).sum() / rows
    n_rows = size * rows / max(len(sample), 1)
    utf16 = sample[:2] in (b"\xff\xfe", b"\xfe\xff")
    held = size * (4 if utf16 else 1)     # the bytes (UTF-16: also decoded and converted once)
    # the parser holds every field (pointer and text, ~16 bytes) until it makes the columns; 30 % margin
    need = 1.3 * (held + n_rows * (ncols * 16 + per_row))
    return Estimate(int(need), f"{n_rows:,.0f} records of {ncols} columns estimated from the first "
                               f"{len(sample) / 1e6:.1f} MB")


def _parquet_estimate(path: Path) -> Estimate | None:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
        schema = meta.schema.to_arrow_schema()
    except Exception:  # damaged files are the reader's to explain
        return None
    widths = []
    for field in schema:
        t = field.type
        widths.append(64 if (str(t).startswith(("string", "large_string", "binary", "dictionary"))) else
                      max(getattr(t, "bit_width", 64) // 8, 1) + 1)
    need = 2.5 * meta.num_rows * sum(widths)   # the Arrow table, the pandas frame made from it, and the checks
    return Estimate(int(need), f"{meta.num_rows:,} records of {meta.num_columns} columns (Parquet metadata)")


def _readstat_estimate(path: Path, kind: str) -> Estimate | None:
    import pyreadstat

    reader = pyreadstat.read_dta if kind == "Stata" else pyreadstat.read_sav
    try:
        _, meta = reader(str(path), metadataonly=True)
    except Exception:
        return None
    rows = meta.number_rows if meta.number_rows is not None and meta.number_rows >= 0 else None
    if rows is None:
        return None
    kinds = list((meta.readstat_variable_types or {}).values()) or ["double"] * meta.number_columns
    widths = sorted((64 if k == "string" else 8) for k in kinds)[::-1]
    need = 2.5 * rows * sum(widths) + path.stat().st_size
    return Estimate(int(need), f"{rows:,} records of {meta.number_columns} columns ({kind} metadata)")


def _excel_estimate(path: Path) -> Estimate | None:
    try:
        with zipfile.ZipFile(path) as z:
            xml = sum(i.file_size for i in z.infolist() if i.filename.startswith("xl/worksheets/"))
            xml += sum(i.file_size for i in z.infolist() if i.filename == "xl/sharedStrings.xml")
    except (zipfile.BadZipFile, OSError):
        return None
    return Estimate(int(3 * xml), f"{xml / 1e6:.0f} MB of worksheet XML inside the workbook")


def _cspro_estimate(data: Path, items: int) -> Estimate | None:
    size = data.stat().st_size
    with open(data, "rb") as fh:
        sample = fh.read(1 << 20)
    lines = max(sample.count(b"\n"), 1)
    rows = size * lines / max(len(sample), 1)
    wide = 4 if any(b >= 128 for b in sample) else 1      # non-ASCII text is held as 4-byte characters
    need = 1.3 * (size * wide + rows * max(items, 1) * 9 * 2)
    return Estimate(int(need), f"{rows:,.0f} records of {items} items")


def estimate_memory(path: Path, kind: str, *, data: Path | None = None,
                    items: int = 0) -> Estimate | None:
    """The peak memory reading ``path`` will take (see the module's docstring), or None when it cannot be told.
    The whole file is read before ``columns=`` keeps some of them, so every column counts. ``data``/``items``: a
    CSPro data file and its dictionary's items."""
    size = path.stat().st_size
    if kind == "CSV":
        return _csv_estimate(path, size)
    if kind == "Parquet":
        return _parquet_estimate(path)
    if kind in ("Stata", "SPSS"):
        return _readstat_estimate(path, kind)
    if kind == "Excel":
        return _excel_estimate(path)
    if kind.startswith("CSPro") and data is not None:
        return _cspro_estimate(data, items)
    return None


def check_memory(path: Path, kind: str, **kwargs) -> str | None:
    """Refuse a file whose reading would not fit in the memory available; return a note when it was checked."""
    available, source = available_memory()
    if available is None:
        return None
    est = estimate_memory(path, kind, **kwargs)
    if est is None:
        return None
    target = kwargs.get("data") or path
    size = Path(target).stat().st_size
    if est.nbytes > available:
        fix = ("save the file as Parquet (it takes far less memory to read), or save a copy with only the columns you "
               "need, or use a computer with more memory")
        if kind == "Excel":
            fix = "save the sheet as CSV or Parquet (Excel files take the most memory to read), or use a computer with more memory"
        raise FileTooLargeError(
            f"Reading {path.name!r} ({human(size)})",
            f"it would take about {human(est.nbytes)} of memory once read ({est.how}), and only {human(available)} "
            f"is available ({source})",
            fix + f"; {MEMORY_ENV}=none turns this check off at your own risk")
    return None


# ------------------------------------------------------------------------------------------------------
# Repeated records
# ------------------------------------------------------------------------------------------------------

def _shared(key: np.ndarray) -> np.ndarray:
    """True where a value occurs more than once (by sorting: faster than a hash table on 64-bit hashes)."""
    idx = np.argsort(key, kind="stable")
    sk = key[idx]
    eq = sk[1:] == sk[:-1]
    both = np.zeros(len(key), dtype=bool)
    both[1:] |= eq
    both[:-1] |= eq
    out = np.empty(len(key), dtype=bool)
    out[idx] = both
    return out


@dataclass
class Duplicates:
    """Records that repeat an earlier one: positions of the copies, of their first occurrences, and whether the
    whole file or a block repeats."""

    copies: np.ndarray        # 0-based rows that repeat an earlier row
    originals: np.ndarray     # for each copy, the row it repeats
    whole: bool               # every record appears the same number of times (≥ 2)
    block: tuple[int, int, int] | None   # (start, length, start of the block it repeats), the longest one


def duplicate_records(frame: pd.DataFrame, min_block: int = 20) -> Duplicates | None:
    """Exact repeats in ``frame`` (every column equal), or None when there are none. Rows are hashed (64 bits,
    pandas) and candidate repeats compared in full, so a hash collision cannot invent one.

    >>> f = pd.DataFrame({"a": [1, 2, 3, 1, 2, 3], "b": list("xyzxyz")})
    >>> d = duplicate_records(f, min_block=2)
    >>> d.copies.tolist(), d.whole, d.block
    ([3, 4, 5], True, (3, 3, 0))
    """
    if len(frame) < 2:
        return None
    # narrow the candidates column by column: a row whose values so far are unique cannot repeat another, and a
    # file without repeats is usually cleared by its first column (an id, a weight) at the cost of one hash
    sample = frame.iloc[:: max(len(frame) // 5000, 1)]
    spread = [sample.iloc[:, i].nunique(dropna=False) for i in range(frame.shape[1])]
    order = sorted(range(frame.shape[1]), key=lambda i: -spread[i])   # the most varied columns first
    cand = np.arange(len(frame))
    key = np.zeros(len(frame), dtype=np.uint64)
    for i in order:
        values = frame.iloc[cand, i]
        try:
            h = pd.util.hash_pandas_object(values, index=False).to_numpy()
        except TypeError:   # unhashable cells (lists): compare as text
            h = pd.util.hash_pandas_object(values.astype(str), index=False).to_numpy()
        with np.errstate(over="ignore"):
            key = key * np.uint64(1_000_003) ^ h
        shared = _shared(key)
        cand, key = cand[shared], key[shared]
        if not len(cand):
            return None
    codes_c = pd.factorize(key)[0]
    first_c = np.full(codes_c.max() + 1, len(cand), dtype=np.int64)
    np.minimum.at(first_c, codes_c, np.arange(len(cand)))
    is_copy = first_c[codes_c] != np.arange(len(cand))
    copies_c = cand[is_copy]
    originals = cand[first_c[codes_c[is_copy]]]
    if len(copies_c):   # confirm in full (a hash collision would leave a pair that differs)
        a = frame.iloc[copies_c].reset_index(drop=True)
        b = frame.iloc[originals].reset_index(drop=True)
        same = ((a == b) | (a.isna() & b.isna())).all(axis=1).to_numpy()
        copies_c, originals = copies_c[same], originals[same]
    copies = copies_c
    if not len(copies):
        return None
    codes = np.zeros(len(frame), dtype=np.int64)   # group of each row: its own row, or its original's
    codes[:] = np.arange(len(frame))
    codes[copies] = originals
    counts = np.bincount(codes)
    present = counts[counts > 0]
    whole = bool(present.min() >= 2 and (present == present[0]).all())
    # blocks: runs where copy i+1 = copy i + 1 and original i+1 = original i + 1
    block = None
    if len(copies) >= min_block:
        step = (np.diff(copies) == 1) & (np.diff(originals) == 1)
        breaks = np.flatnonzero(~step)
        starts = np.r_[0, breaks + 1]
        ends = np.r_[breaks + 1, len(copies)]
        k = int(np.argmax(ends - starts))
        if ends[k] - starts[k] >= min_block:
            block = (int(copies[starts[k]]), int(ends[k] - starts[k]), int(originals[starts[k]]))
    return Duplicates(copies=copies, originals=originals, whole=whole, block=block)


def identifier_columns(frame: pd.DataFrame, dup: Duplicates) -> list[str]:
    """Columns whose values are all different once the repeats are set aside: identifiers (a person id), so two
    records sharing one are the same record, not two persons who answered alike."""
    keep = np.ones(len(frame), dtype=bool)
    keep[dup.copies] = False
    out = []
    for i, col in enumerate(frame.columns):
        s = frame.iloc[keep, i]
        if s.notna().all() and s.is_unique:
            out.append(str(col))
    return out


def handle_duplicates(frame: pd.DataFrame, name: str, rule: str, notes: list[str], checks: dict[str, str],
                      header_lines: int = 1) -> pd.DataFrame:
    """Say, refuse or drop repeated records (``rule``: check / keep / drop; see the module's docstring).
    ``header_lines``: lines above the first record in the file, so messages give line numbers as an editor shows
    them (0 for formats without lines)."""
    if rule not in DUPLICATES:
        raise FileFormatError(f"Reading {name!r}", f"duplicates={rule!r} is not known",
                              "use duplicates='check' (default), 'keep' or 'drop'")
    dup = duplicate_records(frame)
    if dup is None:
        return frame
    n = len(dup.copies)
    line = (lambda i: f"line {i + 1 + header_lines}") if header_lines else (lambda i: f"record {i + 1}")
    example = f"{line(int(dup.copies[0]))} repeats {line(int(dup.originals[0]))}"
    if rule == "keep":
        notes.append(f"Repeated records: {n} record(s) repeat an earlier one exactly (e.g. {example}); kept as real "
                     "records (duplicates='keep').")
        return frame
    if rule == "drop":
        keep = np.ones(len(frame), dtype=bool)
        keep[dup.copies] = False
        notes.append(f"Repeated records: {n} record(s) repeating an earlier one exactly (every column equal; e.g. "
                     f"{example}) were left out (duplicates='drop'); {int(keep.sum())} records remain.")
        return frame.iloc[keep].reset_index(drop=True)
    if rule == "check" and (dup.whole or dup.block is not None):
        if dup.whole:
            times = len(frame) // (len(frame) - n)
            why = (f"every record appears {times} times (every column equal; e.g. {example}): the file seems to hold "
                   f"its records {times} times over (appended to itself?)")
        else:
            start, length, orig = dup.block
            why = (f"{length} consecutive records ({line(start)} to {line(start + length - 1)}) repeat "
                   f"{line(orig)} to {line(orig + length - 1)} exactly: a block was copied twice "
                   f"({n} repeated record(s) in all)")
        raise DuplicateRecordsError(f"Reading {name!r}", why,
                                    "export the file again from the source; or, if the copies are real records, pass "
                                    "duplicates='keep' (or duplicates='drop' to keep the first copy of each)")
    ids = identifier_columns(frame, dup)
    text = (f"{n} record(s) repeat an earlier record exactly (every column equal; e.g. {example})")
    if ids:
        text += (f", although {ids[0]!r} otherwise identifies each record: they are probably the same records "
                 "counted twice")
        checks["DUP"] = (f"the file holds {n} exact copies of records (same {ids[0]!r}): each counts twice in the "
                         "estimates; check the file, or read it with duplicates='drop'")
    else:
        text += ("; with these columns two persons may answer alike, so they were kept. If the file has a person "
                 "identifier, check it")
    notes.append(f"Repeated records: {text}.")
    return frame
