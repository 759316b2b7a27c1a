"""CSPro: read a ``.dcf`` dictionary (CSPro 7.x text or CSPro 8 JSON) and its fixed-width data file.

The dictionary says where each item sits in a line (1-based start, length in characters), whether
it is numeric (implied decimals when there is no decimal mark) and which codes mean what (value
sets: single codes, ranges ``lo:hi``, special values such as ``NOTAPPL``). A file can hold several
record types, told apart by the characters at the record type position; id items are in every record.

Two dictionary formats, told apart by content (not by extension): a file whose first character
(after a BOM and spaces) is ``{`` is a CSPro 8 JSON dictionary, anything else the CSPro 7.x text
format (``[Dictionary]``, ``[Item]``, ``Start=``, ``Len=``, ``DataType=``, ``Value=code;label``).
Both give the same :class:`Dictionary`, so the data are read the same way. CSPro 8 rules, as CSPro
itself applies them: with ``relativePositions`` the items of a record carry no ``start`` and follow
one another after the record type and id items (a subitem sits at ``subitemOffset`` in its parent;
with several levels every record starts after the ids of all levels); ``decimals`` with
``decimalMark: false`` are implied; ``zeroFill`` only changes how CSPro writes numbers, not how they
are read; a value set with a ``link`` and no ``values`` uses the values of the linked set; labels
are the primary language's (the first of ``languages``; in 7.x text, the first of ``Label=A|B``);
image, audio, document and geometry items hold no text data and are left out (with a note). Keys
CSPro requires (``recordType``, ``levels``; each record's ``name``; each item's ``name``,
``contentType``, ``length`` and, unless positions are relative, ``start``) are errors naming the
file and the key when missing.

Rules: a UTF-8 BOM is skipped; lines may be right-trimmed (a short line means its trailing items
are blank, not an error); blank fields are missing, and so are codes a value set declares special
``MISSING``/``REFUSED``/``DEFAULT`` values (e.g. 99 "Don't know"; the notes count them, as SPSS
user-missing values are counted); numeric items become nullable ``Int64`` (or
float with implied decimals); alphanumeric items stay text. Text in a numeric item, a line longer
than its record, an unknown record type or items lying beyond every line are errors naming both files.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "lfs.dcf").write_text('''[Dictionary]
... Name=LFS
... RecordTypeStart=1
... RecordTypeLen=1
... DecimalChar=No
... [IdItems]
... [Item]
... Name=HH
... Start=2
... Len=3
... DataType=Numeric
... [Record]
... Name=PERSON
... Label=Persons
... RecordTypeValue='1'
... RecordLen=12
... [Item]
... Name=SEX
... Start=5
... Len=1
... DataType=Numeric
... [ValueSet]
... Name=SEX_VS1
... Value=1;Male
... Value=2;Female
... [Item]
... Name=WGT
... Start=6
... Len=6
... DataType=Numeric
... Decimal=2
... [Item]
... Name=CITY
... Start=12
... Len=1
... DataType=Alpha
... ''')
>>> _ = (folder / "lfs.dat").write_text("10011012345A\\n10012000150\\n")
>>> s = read_cspro(folder / "lfs.dcf")
>>> s.data
   HH  SEX     WGT  CITY
0   1    1  123.45     A
1   1    2    1.50  <NA>
>>> s.value_labels["SEX"]
{1: 'Male', 2: 'Female'}
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from evidencekit.microdata.errors import (
    DataTypeError,
    DictionaryMismatchError,
    FileFormatError,
    MissingFileError,
    suggest,
)
from evidencekit.microdata.survey import Survey

DATA_EXTENSIONS = (".dat", ".F2", ".txt", ".DAT", ".f2", ".TXT", ".csdat")
_BOM = b"\xef\xbb\xbf"
_SPACE = 32


@dataclass
class ValueSet:
    """One ``[ValueSet]``: ``values`` is a list of (codes, label, special); codes are values or (lo, hi) ranges."""

    name: str
    label: str = ""
    values: list[tuple[list, str, str | None]] = field(default_factory=list)


@dataclass
class Item:
    """One item: 1-based ``start``, ``length`` characters, numeric or alpha, implied ``decimals``.

    A subitem of a repeated item repeats with it: ``stride`` (the parent's length) is then the step
    between occurrences instead of ``length``.
    """

    name: str
    start: int
    length: int
    numeric: bool = True
    decimals: int = 0
    decimal_char: bool = False
    occurrences: int = 1
    label: str = ""
    value_sets: list[ValueSet] = field(default_factory=list)
    subitem: bool = False
    stride: int = 0

    def columns(self) -> list[tuple[str, int]]:
        """(column name, 0-based start) for each occurrence (``NAME_1``, ``NAME_2``… when repeated)."""
        if self.occurrences <= 1:
            return [(self.name, self.start - 1)]
        step = self.stride or self.length
        return [(f"{self.name}_{k + 1}", self.start - 1 + k * step) for k in range(self.occurrences)]

    def end(self) -> int:
        """The 1-based position of the item's last character (of its last occurrence)."""
        return self.start - 1 + (self.stride or self.length) * (self.occurrences - 1) + self.length

    def _single_codes(self, name) -> dict:
        """Single codes (not ranges, not blank) of every value set -> ``name(label, special)``, the first value
        set that has the code winning; values for which ``name`` gives None are skipped."""
        out: dict = {}
        for vs in self.value_sets:
            for codes, label, special in vs.values:
                named = name(label, special)
                if named is None:
                    continue
                for code in codes:
                    if not isinstance(code, tuple) and code not in (None, "") and code not in out:
                        out[code] = named
        return out

    def value_labels(self) -> dict:
        """Single codes -> label, from every value set (the first one wins); ranges and special values
        (``NOTAPPL``, ``MISSING``…: read as missing, see :meth:`missing_codes`) are not included."""
        return self._single_codes(lambda label, special: label if label and not special else None)

    def missing_codes(self) -> dict:
        """Codes the value sets declare as special missing values (``MISSING``, ``REFUSED``, ``DEFAULT``)
        with a real code (e.g. ``Value=99;Don't know`` + ``Name=MISSING,Special``) -> ``"MISSING (Don't know)"``.
        Blank ``NOTAPPL`` fields are missing already."""
        return self._single_codes(lambda label, special: (f"{special} ({label})" if label else special)
                                  if special in ("MISSING", "REFUSED", "DEFAULT") else None)


def _special_missing(frame: pd.DataFrame, items: list[Item], data_name: str, notes: list[str]) -> None:
    """Set the codes a dictionary declares MISSING/REFUSED/DEFAULT to missing, in place, and say how many
    (as SPSS user-missing values: a mean of earnings must not count 999999 "missing" as pay)."""
    for it in items:
        codes = it.missing_codes()
        if not codes:
            continue
        for col, _ in it.columns():
            if col not in frame.columns:
                continue
            hit = frame[col].isin(list(codes)).fillna(False).to_numpy(bool)
            if hit.any():
                found = sorted({codes[v] if v in codes else str(v) for v in frame.loc[hit, col].tolist()}, key=str)
                frame.loc[hit, col] = None
                notes.append(f"{data_name}: {col}: {int(hit.sum())} value(s) set to missing: the dictionary declares "
                             f"them special values ({', '.join(found)}).")


@dataclass
class Record:
    """One ``[Record]``: its type value, its items and its declared length."""

    name: str
    label: str = ""
    type_value: str = ""
    length: int | None = None
    items: list[Item] = field(default_factory=list)


@dataclass
class Dictionary:
    """A parsed CSPro dictionary."""

    path: Path
    name: str = ""
    label: str = ""
    version: str = ""
    record_type_start: int = 0
    record_type_len: int = 0
    decimal_char: bool = False
    id_items: list[Item] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def record(self, name: str) -> Record:
        """The record called ``name`` (its name or its type value), or an error listing them."""
        for rec in self.records:
            if name in (rec.name, rec.type_value):
                return rec
        raise FileFormatError(f"Choosing record {name!r} of {self.path.name!r}", "the dictionary has no such record",
                              f"{suggest(name, [r.name for r in self.records])} (records: {self.describe_records()})")

    def describe_records(self) -> str:
        """'NAME (label, type 'v')' for each record, for messages."""
        return "; ".join(f"{r.name} ({r.label}, type {r.type_value!r})" for r in self.records)


def _primary_label(text: str) -> str:
    """The primary-language label of a 7.x ``Label=`` (languages are separated by ``|``)."""
    if "|" not in text:
        return text
    parts = text.split("|")
    return parts[0] or parts[1]


def _link_subitems(items: list[Item]) -> None:
    """Give subitems of a repeated item its occurrences, stepping by the parent's length (CSPro's rule)."""
    parent: Item | None = None
    for item in items:
        if not item.subitem:
            parent = item
        elif parent is not None and parent.occurrences > 1 and item.occurrences <= 1:
            item.occurrences, item.stride = parent.occurrences, parent.length


def _sections(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    out: list[tuple[str, list[tuple[str, str]]]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            out.append((line[1:-1].strip(), []))
        elif out and "=" in line:
            key, _, value = line.partition("=")
            out[-1][1].append((key.strip(), value))
    return out


def _code(token: str, numeric: bool, decimals: int):
    token = token.strip()
    if len(token) >= 2 and token[0] == token[-1] == "'":
        text = token[1:-1]
        if numeric:
            return None if not text.strip() else _number(text, decimals)
        return text.rstrip()
    if numeric:
        return _number(token, decimals)
    return token


def _number(text: str, decimals: int):
    try:
        value = float(text)
    except ValueError:
        return text
    return value if decimals or not value.is_integer() else int(value)


def _parse_value(spec: str, item: Item) -> tuple[list, str]:
    codes_text, _, label = spec.partition(";")
    codes: list = []
    # tokens separated by spaces, outside quotes
    tokens, cur, quoted = [], "", False
    for ch in codes_text:
        if ch == "'":
            quoted = not quoted
        if ch == " " and not quoted:
            if cur:
                tokens.append(cur)
            cur = ""
        else:
            cur += ch
    if cur:
        tokens.append(cur)
    for tok in tokens:
        if ":" in tok and not tok.startswith("'"):
            lo, _, hi = tok.partition(":")
            codes.append((_code(lo, item.numeric, item.decimals), _code(hi, item.numeric, item.decimals)))
        else:
            codes.append(_code(tok, item.numeric, item.decimals))
    return codes, _primary_label(label.strip())


def read_dictionary(path: str | PathLike) -> Dictionary:
    """Parse a CSPro ``.dcf`` (CSPro 7.x text or CSPro 8 JSON, told apart by content) into a :class:`Dictionary`.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "d.dcf"
    >>> _ = p.write_text("[Dictionary]\\nName=D\\n[Record]\\nName=R\\nRecordTypeValue='1'\\n"
    ...                  "[Item]\\nName=AGE\\nStart=2\\nLen=2\\nDataType=Numeric\\n")
    >>> d = read_dictionary(p)
    >>> [(i.name, i.start, i.length) for i in d.records[0].items]
    [('AGE', 2, 2)]

    The same in CSPro 8 JSON, where record items follow the record type and the ids (relative positions):

    >>> _ = p.write_text('{"software": "CSPro", "version": 8.0, "fileType": "dictionary", "name": "D",'
    ...     ' "recordType": {"start": 1, "length": 1}, "relativePositions": true, "levels": [{"name": "L",'
    ...     ' "ids": {"items": []}, "records": [{"name": "R", "recordType": "1",'
    ...     ' "occurrences": {"required": true, "maximum": 1},'
    ...     ' "items": [{"name": "AGE", "contentType": "numeric", "length": 2}]}]}]}')
    >>> d = read_dictionary(p)
    >>> [(i.name, i.start, i.length) for i in d.records[0].items], d.records[0].length
    ([('AGE', 2, 2)], 3)
    """
    path = Path(path)
    if not path.exists():
        raise MissingFileError(f"Reading the CSPro dictionary {str(path)!r}", "the file does not exist", "check the path")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if text.lstrip()[:1] == "{":
        return _JsonDictionary(path).parse(text)
    sections = _sections(text)
    if not sections or sections[0][0] != "Dictionary":
        raise FileFormatError(f"Reading {str(path)!r}", "it neither starts with a [Dictionary] section (CSPro 7 text dictionary) "
                              "nor with '{' (CSPro 8 JSON dictionary)",
                              "open the dictionary in CSPro 7 or later and save it (it writes a .dcf that evidencekit reads)")
    d = Dictionary(path=path)
    target: list[Item] | None = None
    item: Item | None = None
    vs: ValueSet | None = None
    for name, pairs in sections:
        keys = dict(pairs)
        if name == "Dictionary":
            d.name, d.label, d.version = keys.get("Name", ""), _primary_label(keys.get("Label", "")), keys.get("Version", "")
            d.record_type_start = int(keys.get("RecordTypeStart", 0) or 0)
            d.record_type_len = int(keys.get("RecordTypeLen", 0) or 0)
            d.decimal_char = keys.get("DecimalChar", "No").strip().lower() == "yes"
        elif name == "IdItems":
            target = d.id_items
        elif name == "Record":
            rec = Record(name=keys.get("Name", f"RECORD{len(d.records) + 1}"), label=_primary_label(keys.get("Label", "")),
                         type_value=keys.get("RecordTypeValue", "").strip().strip("'").rstrip(),
                         length=int(keys["RecordLen"]) if keys.get("RecordLen") else None)
            d.records.append(rec)
            target = rec.items
        elif name == "Item":
            if target is None:
                raise FileFormatError(f"Reading {str(path)!r}", f"item {keys.get('Name')!r} comes before any [IdItems] or [Record] section",
                                      "check the dictionary in CSPro")
            try:
                item = Item(
                    name=keys["Name"], label=_primary_label(keys.get("Label", "")), start=int(keys["Start"]), length=int(keys["Len"]),
                    numeric=keys.get("DataType", "Numeric").strip().lower() != "alpha",
                    decimals=int(keys.get("Decimal", 0) or 0),
                    decimal_char=(keys.get("DecimalChar", "Yes" if d.decimal_char else "No").strip().lower() == "yes"),
                    occurrences=int(keys.get("Occurrences", 1) or 1),
                    subitem=keys.get("ItemType", "Item").strip().lower() == "subitem",
                )
            except (KeyError, ValueError) as err:
                raise FileFormatError(f"Reading {str(path)!r}", f"item {keys.get('Name', '?')!r} has no valid {err}",
                                      "every [Item] needs Name=, Start= and Len= (whole numbers)") from None
            target.append(item)
        elif name == "ValueSet":
            if item is None:
                continue
            vs = ValueSet(name=keys.get("Name", ""), label=_primary_label(keys.get("Label", "")))
            item.value_sets.append(vs)
            for key, value in pairs:
                if key == "Value":
                    codes, label = _parse_value(value, item)
                    vs.values.append((codes, label, None))
                elif key == "Name" and vs.values and "," in value:
                    codes, label, _ = vs.values[-1]
                    vs.values[-1] = (codes, label, value.split(",", 1)[0].strip().upper())
    if not d.records:
        raise FileFormatError(f"Reading {str(path)!r}", "the dictionary defines no [Record]", "check the dictionary in CSPro")
    for rec in d.records:
        _link_subitems(rec.items)
    return d


# CSPro 8 JSON dictionaries. The format was learned from the CSPro source, csprousers/cspro:
# cspro/zDictO/DDClass.cpp (CDataDict::CreateFromJsonWorker), DictLevel.cpp, DictRecord.cpp, DictItem.cpp
# (relative start positions, subitemOffset), DictValueSet.cpp (link), DictValue.cpp (special), DictValuePair.cpp
# (value / range), DictionaryValidator.cpp (GetRecordLength, AdjustStartPositions), DictionarySerializerHelper.h,
# zAppO LabelSet::CreateFromJson (languages), Pre80SpecFile.cpp (how 7.x text keys map to JSON keys); and from
# the real dictionaries cspro/tests/TestData/inputs/ValueProcessor.dcf and cspro/tests/TestSync/Test Files/TestDict.dcf.
_BINARY = ("image", "audio", "document", "geometry")
_SAVE_AGAIN = "open the dictionary in CSPro 8 and save it again, or add the key"


class _JsonDictionary:
    """Builds a :class:`Dictionary` from a CSPro 8 JSON ``.dcf``, following CSPro's own reading rules."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.languages: dict[str, int] = {}
        self.links: dict[str, list] = {}
        self.relative = False
        self.binary: set[int] = set()  # id() of image/audio/document/geometry items: placed, then left out
        self.d = Dictionary(path=path)

    # --- errors and typed look-ups -------------------------------------------------------------
    def error(self, why: str, fix: str = _SAVE_AGAIN) -> FileFormatError:
        return FileFormatError(f"Reading the CSPro 8 dictionary {str(self.path)!r}", why, fix)

    def need(self, node: dict, key: str, where: str):
        if key not in node:
            raise self.error(f"{where} has no {key!r}")
        return node[key]

    def whole(self, node: dict, key: str, where: str, default: int | None = None) -> int:
        value = self.need(node, key, where) if default is None else node.get(key, default)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.error(f"{where} has {key!r}: {value!r}, not a whole number", "fix the value in CSPro")
        return value

    def array(self, node: dict, key: str, where: str, required: bool = False) -> list:
        value = self.need(node, key, where) if required else node.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(f"{where} has {key!r} that is not a list of objects", _SAVE_AGAIN)
        return value

    def obj(self, node: dict, key: str, where: str, required: bool = False) -> dict:
        value = self.need(node, key, where) if required else node.get(key, {})
        if not isinstance(value, dict):
            raise self.error(f"{where} has {key!r} that is not an object ({{...}})", _SAVE_AGAIN)
        return value

    def label(self, node: dict) -> str:
        """The primary-language label: CSPro's LabelSet rule (a label with no or an unknown language is primary if first)."""
        labels = node.get("labels", node.get("label", ""))
        if isinstance(labels, str):
            return labels
        if not isinstance(labels, list):
            return ""
        texts: dict[int, str] = {}
        first: int | None = None
        for obj in labels:
            if not isinstance(obj, dict):
                continue
            index = self.languages.get(str(obj.get("language") or "").upper())
            if index is None:
                if texts:
                    continue
                index = 0
            texts.setdefault(index, str(obj.get("text", "")))
            first = index if first is None else first
        return texts.get(0) or (texts[first] if first is not None else "")

    # --- the dictionary -------------------------------------------------------------------------
    def parse(self, text: str) -> Dictionary:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as err:
            raise self.error(f"it starts with '{{' like a CSPro 8 JSON dictionary but is not valid JSON: {err.msg} "
                             f"(line {err.lineno}, column {err.colno})",
                             "open the dictionary in CSPro 8 and save it again, or fix the JSON at that place") from None
        kind = doc.get("fileType")
        if kind is not None and str(kind).lower() != "dictionary":
            raise self.error(f"it is a CSPro 8 {kind!r} file, not a dictionary (fileType {kind!r})",
                             "pass the data dictionary (.dcf whose fileType is 'dictionary')")
        d, where = self.d, "the dictionary"
        for k, lang in enumerate(self.array(doc, "languages", where)):
            self.languages.setdefault(str(lang.get("name", "")).upper(), k)
        d.name, d.label = str(doc.get("name", "")).upper(), self.label(doc)
        d.version = f"{doc.get('software', 'CSPro')} {doc['version']}" if "version" in doc else ""
        record_type = self.obj(doc, "recordType", where, required=True)
        d.record_type_start = self.whole(record_type, "start", "the dictionary's recordType")
        d.record_type_len = self.whole(record_type, "length", "the dictionary's recordType")
        d.decimal_char = bool(self.obj(doc, "defaults", where).get("decimalMark", False))
        self.relative = doc.get("relativePositions", False) is True
        levels = self.array(doc, "levels", where, required=True)
        self.links = self.linked_values(levels)
        ids_by_level: list[list[Item]] = []
        records: list[Record] = []
        for n, level in enumerate(levels):
            ids = self.obj(level, "ids", f"level {level.get('name', n + 1)!r}")
            id_items = self.items(ids, f"the ids of level {level.get('name', n + 1)!r}", start=None)
            ids_by_level.append(id_items)
            # record items follow this level's id record (CSPro: id record length + 1)
            first = max([1, self.record_type_end()] + [i.end() for i in id_items if not i.subitem]) + 1
            for k, node in enumerate(self.array(level, "records", f"level {level.get('name', n + 1)!r}")):
                name = self.need(node, "name", f"record {k + 1} of level {level.get('name', n + 1)!r}")
                rec = Record(name=str(name).upper(), label=self.label(node), type_value=str(node.get("recordType", "")).rstrip())
                rec.items = self.items(node, f"record {rec.name!r}", start=first)
                records.append(rec)
        if self.relative and len(levels) > 1:
            self.adjust_start_positions(ids_by_level, records)
        d.id_items = [i for ids in ids_by_level for i in ids if id(i) not in self.binary]
        ids_end = max([1, self.record_type_end()] + [i.end() for i in d.id_items if not i.subitem])
        for rec in records:  # CSPro's record length: record type, the ids of every level, the record's items
            rec.length = max([ids_end] + [i.end() for i in rec.items if not i.subitem])
            rec.items = [i for i in rec.items if id(i) not in self.binary]
            d.records.append(rec)
        if not d.records:
            raise self.error("the dictionary defines no record (no 'records' in any of its 'levels')", "check the dictionary in CSPro")
        return d

    def record_type_end(self) -> int:
        d = self.d
        return d.record_type_start + d.record_type_len - 1 if d.record_type_start and d.record_type_len else 0

    def linked_values(self, levels: list) -> dict[str, list]:
        """Values of linked value sets: CSPro writes them once, in the first set with that ``link``."""
        out: dict[str, list] = {}
        for level in levels:
            nodes = [level.get("ids", {})] + list(level.get("records", []))
            for node in nodes:
                for item in node.get("items", []) if isinstance(node, dict) else []:
                    for vs in item.get("valueSets", []) if isinstance(item, dict) else []:
                        if isinstance(vs, dict) and "link" in vs and isinstance(vs.get("values"), list):
                            out.setdefault(str(vs["link"]), vs["values"])
        return out

    # --- items ------------------------------------------------------------------------------------
    def items(self, node: dict, where: str, start: int | None) -> list[Item]:
        """The items of a record (or of the ids when ``start`` is None); relative starts count from ``start``."""
        out: list[Item] = []
        next_start, parent_start = start or 0, 0
        skipped: list[str] = []
        for k, raw in enumerate(self.array(node, "items", where)):
            at = f"item {k + 1} of {where}"
            name = str(self.need(raw, "name", at)).upper()
            at = f"item {name!r} of {where}"
            kind = str(raw.get("contentType", raw.get("dataType", ""))).strip().lower()
            if not kind:
                raise self.error(f"{at} has no 'contentType'")
            if kind not in ("numeric", "alpha") + _BINARY:
                raise self.error(f"{at} has contentType {kind!r}; CSPro 8 knows numeric, alpha, "
                                 f"{', '.join(_BINARY)}", "fix the item in CSPro")
            subitem = kind in ("numeric", "alpha") and raw.get("subitem", False) is True
            length = self.whole(raw, "length", at) if kind in ("numeric", "alpha") else 1
            occurrences = self.whole(self.obj(raw, "occurrences", at), "maximum", f"the occurrences of {at}") if "occurrences" in raw else 1
            occurrences = max(occurrences, 1)
            if "start" in raw or start is None or not self.relative:
                if "start" not in raw and start is not None:
                    raise self.error(f"{at} has no 'start'; the dictionary uses absolute positions (relativePositions "
                                     "is false or absent), so every item needs one")
                item_start = self.whole(raw, "start", at)
            elif subitem:
                item_start = parent_start + self.whole(raw, "subitemOffset", at)
            else:
                item_start = next_start
            if not subitem:
                parent_start = item_start
                next_start += length * occurrences
            item = Item(name=name, start=item_start, length=length, numeric=kind == "numeric", occurrences=occurrences,
                        label=self.label(raw), subitem=subitem)
            out.append(item)
            if kind in _BINARY:
                skipped.append(f"{name} ({kind})")
                self.binary.add(id(item))
                continue
            if item.numeric:
                item.decimals = self.whole(raw, "decimals", at, default=0)
                item.decimal_char = bool(raw.get("decimalMark", self.d.decimal_char)) if item.decimals else False
            item.value_sets = [self.value_set(vs, item, f"value set {vs.get('name', n + 1)!r} of {at}")
                               for n, vs in enumerate(self.array(raw, "valueSets", at))]
        if skipped:
            self.d.notes.append(f"{self.path.name}: {len(skipped)} item(s) of {where} hold no text data and are not read: "
                                + ", ".join(skipped[:8]) + (" …" if len(skipped) > 8 else "") + ".")
        _link_subitems(out)
        return out

    def adjust_start_positions(self, ids_by_level: list[list[Item]], records: list[Record]) -> None:
        """Several levels with relative positions: CSPro's AdjustStartPositions (all ids first, then each record's items)."""
        d = self.d
        placed, nxt = d.record_type_start == 0, 1
        for ids in ids_by_level:  # id items have no subitems (a CSPro rule)
            for item in ids:
                if not placed and d.record_type_start <= nxt:
                    d.record_type_start, placed = nxt, True
                    nxt += d.record_type_len
                item.start = nxt
                nxt += item.length * item.occurrences
        if not placed:
            d.record_type_start = nxt
            nxt += d.record_type_len
        for rec in records:
            pos, old, new = nxt, 0, 0
            for item in rec.items:
                if not item.subitem:
                    old, new, item.start = item.start, pos, pos
                    pos += item.length * item.occurrences
                else:
                    item.start = new + (item.start - old)

    # --- value sets ---------------------------------------------------------------------------------
    def value_set(self, node: dict, item: Item, where: str) -> ValueSet:
        vs = ValueSet(name=str(node.get("name", "")).upper(), label=self.label(node))
        values = node.get("values")
        if values is None and "link" in node:
            values = self.links.get(str(node["link"]), [])
        if not isinstance(values, list):
            raise self.error(f"{where} has 'values' that is not a list")
        for n, value in enumerate(values):
            at = f"value {n + 1} of {where}"
            if not isinstance(value, dict):
                raise self.error(f"{at} is not an object ({{...}})")
            codes: list = []
            for pair in self.array(value, "pairs", at):
                if "value" in pair:
                    codes.append(self.code(pair["value"], item))
                elif "range" in pair:
                    bounds = pair["range"]
                    if not isinstance(bounds, list) or len(bounds) != 2:
                        raise self.error(f"{at} has a 'range' that is not [from, to]: {bounds!r}", "fix the value in CSPro")
                    codes.append((self.code(bounds[0], item), self.code(bounds[1], item)))
                else:
                    raise self.error(f"{at} has a pair with neither 'value' nor 'range': {pair!r}")
            special = value.get("special")
            vs.values.append((codes, self.label(value), str(special).upper() if special else None))
        return vs

    @staticmethod
    def code(value, item: Item):
        """A code as the 7.x text reader gives it: numbers for numeric items (blank = None), right-trimmed text for alpha."""
        text = value if isinstance(value, str) else json.dumps(value)
        if item.numeric:
            return None if not text.strip() else _number(text.strip(), item.decimals)
        return text.rstrip()


def find_data_file(dcf: Path) -> Path:
    """The data file next to a dictionary: same stem with ``.dat``, ``.F2``, ``.txt`` (first found)."""
    for ext in DATA_EXTENSIONS:
        cand = dcf.with_suffix(ext)
        if cand.exists():
            return cand
    others = sorted(p.name for p in dcf.parent.glob(dcf.stem + ".*") if p != dcf)
    raise MissingFileError(
        f"Reading the CSPro data of {str(dcf)!r}",
        f"no data file {', '.join(dcf.stem + e for e in DATA_EXTENSIONS[:3])} next to the dictionary",
        "pass data='path/to/file'" + (f" (files with the same name: {others})" if others else ""),
    )


class _Lines:
    """A data file as one flat array of character codes with the start and length of each line."""

    def __init__(self, path: Path, notes: list[str]) -> None:
        raw = path.read_bytes()
        if raw.startswith(_BOM):
            raw = raw[len(_BOM):]
            notes.append(f"{path.name}: UTF-8 byte-order mark (BOM) skipped.")
        buf = np.frombuffer(raw, dtype=np.uint8)
        if (buf >= 128).any():
            try:
                text = raw.decode("utf-8")
                notes.append(f"{path.name}: UTF-8 text; positions counted in characters.")
            except UnicodeDecodeError:
                text = raw.decode("cp1252", errors="replace")
                notes.append(f"{path.name}: not UTF-8; read as cp1252.")
            buf = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        newline = np.flatnonzero(buf == 10)
        starts = np.concatenate([[0], newline + 1])
        ends = np.concatenate([newline, [len(buf)]])
        if len(buf) and buf[-1] == 10 or len(buf) == 0:
            starts, ends = starts[:-1], ends[:-1]
        cr = (ends > starts) & (buf[np.maximum(ends - 1, 0)] == 13) if len(buf) else np.zeros(0, bool)
        ends = ends - cr
        self.buf, self.starts, self.lengths = buf, starts.astype(np.int64), (ends - starts).astype(np.int64)
        self.number = np.arange(1, len(starts) + 1)  # 1-based line numbers in the file

    def take(self, rows: np.ndarray) -> None:
        self.starts, self.lengths, self.number = self.starts[rows], self.lengths[rows], self.number[rows]

    def field(self, start0: int, width: int, rows: np.ndarray | None = None) -> np.ndarray:
        """Characters ``start0 .. start0+width`` of each line as a (lines, width) code matrix; past the end = space."""
        starts = self.starts if rows is None else self.starts[rows]
        lengths = self.lengths if rows is None else self.lengths[rows]
        pos = start0 + np.arange(width)
        inside = pos[None, :] < lengths[:, None]
        idx = np.where(inside, starts[:, None] + pos[None, :], 0)
        out = self.buf[idx] if len(self.buf) else np.zeros(idx.shape, self.buf.dtype)
        out[~inside] = _SPACE
        return out

    @staticmethod
    def text(m: np.ndarray) -> np.ndarray:
        """A code matrix as an array of Python strings (right-trimmed)."""
        width = m.shape[1]
        if m.dtype == np.uint8:
            strings = np.ascontiguousarray(m).view(f"S{width}").ravel().astype(f"U{width}")
        else:
            strings = np.ascontiguousarray(m, dtype=np.uint32).view(f"<U{width}").ravel()
        return np.char.rstrip(strings)


def _numeric(m: np.ndarray, item: Item, lines: np.ndarray, bad: list):
    """Numbers from a (lines, width) code matrix: Int64 without decimals, float64 with them; blank = missing.

    Fast path (vectorised): fields made of leading spaces then digits. Anything else (signs, a
    decimal point, stray text) goes through ``pd.to_numeric``; text is recorded in ``bad``.
    """
    n, width = m.shape
    digit = (m >= 48) & (m <= 57)
    space = m == _SPACE
    missing = space.all(axis=1)
    simple = (digit | space).all(axis=1) & ~(np.maximum.accumulate(digit, axis=1) & space).any(axis=1)
    if width > 18:
        simple[:] = False
    powers = 10 ** np.arange(min(width, 18) - 1, -1, -1, dtype=np.int64)
    ints = (np.where(digit, m - 48, 0).astype(np.int64)[:, -len(powers):] * powers).sum(axis=1)
    implied = 10.0 ** item.decimals if (item.decimals and not item.decimal_char) else 1.0
    floats = ints / implied
    slow = np.flatnonzero(~simple & ~missing)
    if len(slow):
        text = pd.Series(_Lines.text(m[slow]), dtype="string").str.strip()
        parsed = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        wrong = np.isnan(parsed)
        if wrong.any():
            bad.append((item.name, lines[slow[wrong]], text.to_numpy()[wrong]))
        point = text.str.contains(".", regex=False).to_numpy(dtype=bool, na_value=False)
        floats[slow] = np.where(point, parsed, parsed / implied)
        missing[slow[wrong]] = True
    whole = item.decimals == 0 and (not len(slow) or np.all(np.mod(floats[slow][~missing[slow]], 1) == 0))
    if whole:
        values = ints.copy()
        values[slow] = np.nan_to_num(floats[slow]).astype(np.int64)
        return pd.arrays.IntegerArray(values, missing)
    floats[missing] = np.nan
    return floats


def _frame(lines: _Lines, items: list[Item], data_path: Path, dcf_path: Path, rows: np.ndarray) -> pd.DataFrame:
    columns: dict[str, object] = {}
    bad: list = []
    numbers = lines.number[rows]
    for item in items:
        for col, start0 in item.columns():
            m = lines.field(start0, item.length, rows)
            if item.numeric:
                columns[col] = _numeric(m, item, numbers, bad)
            else:
                text = _Lines.text(m)
                columns[col] = pd.array(np.where(text == "", None, text), dtype="string")
    if bad:
        parts = []
        for name, where, examples in bad[:3]:
            shown = ", ".join(str(int(x)) for x in where[:5]) + (" …" if len(where) > 5 else "")
            parts.append(f"item {name!r}: {len(where)} line(s) ({shown}), e.g. {str(examples[0])!r}")
        more = f" and {len(bad) - 3} more item(s)" if len(bad) > 3 else ""
        raise DataTypeError(
            f"Reading {str(data_path)!r} with the dictionary {dcf_path.name!r}",
            "text where the dictionary declares a number: " + "; ".join(parts) + more,
            "check that the data file belongs to this dictionary (same version), or declare the item "
            "DataType=Alpha in the dictionary if it really holds text",
        )
    return pd.DataFrame(columns, index=pd.RangeIndex(len(rows)))


def _outside(values: np.ndarray, item: Item) -> np.ndarray:
    """True for values (floats, NaN = blank) that none of the item's value sets declares (codes or ranges)."""
    inside = np.isnan(values)
    for vs in item.value_sets:
        for codes, _label, _special in vs.values:
            for c in codes:
                if isinstance(c, tuple):
                    lo, hi = c
                    if isinstance(lo, (int, float)) and isinstance(hi, (int, float)):
                        inside |= (values >= lo) & (values <= hi)
                elif isinstance(c, (int, float)) and not isinstance(c, bool):
                    inside |= values == c
    return ~inside


def _fit(lines: _Lines, items: list[Item], rows: np.ndarray, shift: int, frame: pd.DataFrame | None
         ) -> dict[str, tuple[float, list]]:
    """For each numeric item with value sets: the share of its filled values outside them, and examples. With
    ``frame`` the values read are used; otherwise each field is read ``shift`` characters further (text counts
    as outside)."""
    out: dict[str, tuple[float, list]] = {}
    numbers = lines.number[rows]
    for it in items:
        if not it.numeric or not it.value_sets or it.occurrences > 1:
            continue
        if frame is not None:
            v = pd.to_numeric(frame[it.name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
            text = 0
        else:
            start0 = it.start - 1 + shift
            if start0 < 0:
                continue
            bad: list = []
            parsed = _numeric(lines.field(start0, it.length, rows), it, numbers, bad)
            v = np.asarray(pd.array(parsed, dtype="Float64").to_numpy(dtype=float, na_value=np.nan))
            text = sum(len(b[1]) for b in bad)
        filled = int((~np.isnan(v)).sum()) + text
        if filled < 20:
            continue
        odd = _outside(v, it)
        examples = [f"{x:g}" for x in np.unique(v[odd])[:4]]
        out[it.name] = ((int(odd.sum()) + text) / filled, examples)
    return out


def _check_value_sets(lines: _Lines, items: list[Item], rows: np.ndarray, frame: pd.DataFrame, both: str,
                      record: str, data_name: str, notes: list[str]) -> None:
    """Values against the dictionary's value sets. When many items hold mostly undeclared values (the file
    shifted by a character, or another layout) the file is refused, naming the items, and the shift that
    would fit when one does; a few undeclared values are said in the notes (they are kept)."""
    fit = _fit(lines, items, rows, 0, frame)
    if not fit:
        return
    bad = {k: v for k, v in fit.items() if v[0] > 0.2}
    if len(bad) >= 3 and len(bad) >= 0.2 * len(fit):
        shown = "; ".join(f"{k} {100 * share:.0f}% (e.g. {', '.join(ex)})" for k, (share, ex) in list(bad.items())[:6])
        shifted = ""
        tries = []
        for shift, side in ((1, "an extra character at the start or in the middle of each line"),
                            (-1, "a character missing at the start or in the middle of each line")):
            other = _fit(lines, items, rows, shift, None)
            if other and sum(share > 0.2 for share, _ in other.values()) <= max(1, len(bad) // 10):
                tries.append((sum(share for share, _ in other.values()), shift, side))
        if tries:
            _, shift, side = min(tries)
            shifted = (f". Read one character further {'right' if shift > 0 else 'left'}, the values fit: the data "
                       f"seem shifted by one character ({side})")
        raise DictionaryMismatchError(
            f"Reading {both}",
            f"{len(bad)} of the {len(fit)} items with value sets in record {record!r} hold mostly values the dictionary "
            f"does not declare: {shown}{shifted}",
            "check that the data file belongs to this dictionary (same version and layout) and was exported without "
            "changes; export it again from CSPro")
    few = {k: v for k, v in fit.items() if v[0] > 0}
    for k, (share, ex) in list(few.items())[:10]:
        notes.append(f"{data_name}: {k}: {100 * share:.2g}% of its values are not in its value set (e.g. "
                     f"{', '.join(ex)}); read as they are.")


def read_records(dcf: str | PathLike, data: str | PathLike | None = None, *, notes: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """Every record type of a CSPro file as its own DataFrame (id items repeated in each), keyed by record name.

    Every non-blank line becomes one row of the frame of its record type.
    """
    return _read(Path(dcf), data, notes if notes is not None else [])[1]


def _read(dcf: Path, data: str | PathLike | None, notes: list[str]) -> tuple[Dictionary, dict[str, pd.DataFrame], dict[str, int]]:
    d = read_dictionary(dcf)
    data_path = Path(data) if data is not None else find_data_file(dcf)
    if not data_path.exists():
        raise MissingFileError(f"Reading the CSPro data file {str(data_path)!r} for {dcf.name!r}", "the file does not exist",
                               "check the path given as data=")
    notes.extend(d.notes)
    lines = _Lines(data_path, notes)
    both = f"the data file {data_path.name!r} and the dictionary {dcf.name!r}"
    empty = lines.lengths == 0
    if empty.all():
        raise FileFormatError(f"Reading {str(data_path)!r}", "the data file is empty", "check that it was exported completely")
    if empty.any():
        notes.append(f"{data_path.name}: {int(empty.sum())} blank line(s) skipped (lines {lines.number[empty][:5].tolist()}); they hold no record.")
        lines.take(np.flatnonzero(~empty))
    notes.append(f"{data_path.name}: {len(lines.starts)} records read with the CSPro dictionary {d.name or dcf.name!r} ({dcf.name}).")

    all_rows = np.arange(len(lines.starts))
    if d.record_type_len > 0 and len(d.records) > 0:
        types = _Lines.text(lines.field(d.record_type_start - 1, d.record_type_len))
        known = {r.type_value: r for r in d.records}
        unknown = ~np.isin(types, list(known))
        if unknown.any():
            found = sorted(set(types[unknown].tolist()))[:5]
            shifted = ""
            for shift, side in ((1, "an extra character at the start of each line"),
                                (-1, "a character missing at the start of each line")):
                start0 = d.record_type_start - 1 + shift
                if start0 >= 0 and np.isin(_Lines.text(lines.field(start0, d.record_type_len)), list(known)).mean() > 0.9:
                    shifted = (f"; read one character further {'right' if shift > 0 else 'left'}, the record types are "
                               f"right: the lines seem shifted by one character ({side})")
                    break
            raise DictionaryMismatchError(
                f"Reading {both}", f"{int(unknown.sum())} line(s) have a record type the dictionary does not define "
                f"(found {found} at position {d.record_type_start}; lines {lines.number[unknown][:5].tolist()}); "
                f"the dictionary's record types are {sorted(known)}{shifted}",
                "check that the data file belongs to this dictionary" + (", and export it again" if shifted else ""),
            )
        groups = {r.name: np.flatnonzero(types == r.type_value) for r in d.records}
    else:
        groups = {d.records[0].name: all_rows}
        if len(d.records) > 1:
            raise DictionaryMismatchError(f"Reading {both}", "the dictionary has several records but no record type position (RecordTypeLen=0)",
                                          "fix RecordTypeStart/RecordTypeLen in the dictionary")
    frames: dict[str, pd.DataFrame] = {}
    counts: dict[str, int] = {}
    for rec in d.records:
        rows = groups[rec.name]
        counts[rec.name] = len(rows)
        if not len(rows):
            continue
        items = d.id_items + rec.items
        declared = rec.length or max(i.end() for i in items)
        lengths = lines.lengths[rows]
        long = lengths > declared
        if long.any():
            by_one = int(lengths.max()) == declared + 1
            raise DictionaryMismatchError(
                f"Reading {both}", f"{int(long.sum())} line(s) of record {rec.name!r} are longer than its {declared} characters "
                f"(lines {lines.number[rows][long][:5].tolist()}, up to {int(lengths.max())} characters)"
                + ("; one character too many: the lines may be shifted by one character (an extra character at the "
                   "start or in the middle of each line)" if by_one else ""),
                "check that the data file belongs to this dictionary (same version) and was not exported with extra columns",
            )
        longest = int(lengths.max())
        beyond = [i.name for i in items if i.start > longest]
        if beyond:
            raise DictionaryMismatchError(
                f"Reading {both}", f"the dictionary places item(s) {beyond[:5]} of record {rec.name!r} beyond the end of every line "
                f"(the longest line has {longest} characters)",
                "check that the data file belongs to this dictionary (same version, same record layout)",
            )
        frames[rec.name] = _frame(lines, items, data_path, dcf, rows)
        _check_value_sets(lines, items, rows, frames[rec.name], both, rec.name, data_path.name, notes)
        _special_missing(frames[rec.name], items, data_path.name, notes)
    return d, frames, counts


def load_cspro(dcf: str | PathLike, data: str | PathLike | None = None, *, record: str | None = None
               ) -> tuple[pd.DataFrame, dict, dict, list[str]]:
    """One record type of a CSPro file: (frame, value labels, variable labels, notes). See :func:`read_cspro`."""
    dcf = Path(dcf)
    notes: list[str] = []
    d, frames, counts = _read(dcf, data, notes)
    present = [name for name, n in counts.items() if n]
    if record is None:
        if len(present) > 1:
            listing = "; ".join(f"{r.name} ({r.label or 'no label'}, type {r.type_value!r}): {counts[r.name]} lines" for r in d.records)
            raise FileFormatError(f"Reading {dcf.name!r}", f"the data file holds several record types: {listing}",
                                  "pass record='<name>' (e.g. the person record), or use cspro.read_records() to get them all")
        chosen = d.record(present[0])
    else:
        chosen = d.record(record)
        if chosen.name not in frames:
            raise FileFormatError(f"Reading record {record!r} of {dcf.name!r}", "the data file has no line of that record type",
                                  f"choose one of the record types present: {present}")
    notes.append(f"Record type: {chosen.name}" + (f" ({chosen.label})" if chosen.label else "") + ".")
    items = d.id_items + chosen.items
    value_labels = {it.name: it.value_labels() for it in items if it.occurrences <= 1 and it.value_labels()}
    ranged = [it.name for it in items if any(isinstance(c, tuple) and label for vs in it.value_sets for codes, label, _ in vs.values for c in codes)]
    if ranged:
        notes.append(f"Value sets with ranges (e.g. 0:14) are not turned into value labels for {len(ranged)} item(s): "
                     f"{', '.join(ranged[:8])}{' …' if len(ranged) > 8 else ''}; read_dictionary() lists them.")
    variable_labels = {it.name: it.label for it in items if it.label}
    return frames[chosen.name], value_labels, variable_labels, notes


def read_cspro(dcf: str | PathLike, data: str | PathLike | None = None, *, record: str | None = None) -> Survey:
    """A :class:`Survey` from a CSPro dictionary and its data file (one record type).

    ``record`` (a record name or type value) is needed only when the file holds several record
    types. Value sets become ``value_labels`` (single codes; ranges such as ``0:14`` are not
    expanded) and item labels become ``variable_labels``.
    """
    frame, value_labels, variable_labels, notes = load_cspro(dcf, data, record=record)
    return Survey(frame, value_labels=value_labels, variable_labels=variable_labels, source=Path(dcf).name,
                  notes=notes, meta={"file": Path(dcf).name, "format": "CSPro"})
