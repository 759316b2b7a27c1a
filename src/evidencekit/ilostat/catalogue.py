"""Search the ILOSTAT catalogue (table of contents) by words, and suggest ids for a mistyped one.

Rule (``docs/ilostat.md``, "Search"). Matching is case- and accent-insensitive (Unicode NFKD, marks
removed, case-folded) over the dataset id, the indicator code and the label. The query is cut into
*concepts*: a phrase of :data:`~evidencekit.ilostat.search_terms.SYNONYMS` (``working poverty``) or one word.
A concept is found in a row through itself or one of its synonyms (``NEET`` -> "not in education,
employment or training", ``SDG_0861``; an SDG number ``8.5.2`` -> ``SDG_?852``), scoring the best of

- 4: an indicator code the concept names (the whole id or code typed, a synonym code, an SDG number);
- 3: the whole word (every word of a phrase) in the label; 2: a label word starting with the word's stem
  (simple endings set aside: ``unemployed`` and ``unemployment`` -> ``unemploy``, ``wages`` -> ``wage``);
- 1: the text anywhere in the label or id.

Rows with *all* concepts come first (+10), then those with the words as a phrase (+3), the label starting
with the first word (+1), datasets held offline (+2), and shorter labels (more specific) break ties. A word
found nowhere, even through synonyms, is replaced by the closest catalogue word (``difflib``), so
"unemploymnet" still finds unemployment.

>>> toc = pd.DataFrame({"id": ["UNE_DEAP_SEX_AGE_RT_A", "UNE_3EAP_SEX_AGE_EDU_RT_A", "EAP_DWAP_SEX_AGE_RT_A"],
...                     "label": ["Unemployment rate by sex and age (%)",
...                               "Youth unemployment rate by sex, age and education (%)",
...                               "Labour force participation rate by sex and age (%)"]})
>>> search(toc, "YOUTH unemployed")["id"].tolist()
['UNE_3EAP_SEX_AGE_EDU_RT_A', 'UNE_DEAP_SEX_AGE_RT_A']
>>> search(toc, "LFPR")["id"].tolist(), search(toc, "participación")["id"].tolist()
(['EAP_DWAP_SEX_AGE_RT_A'], ['EAP_DWAP_SEX_AGE_RT_A'])
>>> suggest("UNE_DEAP_SEX_AGE_RT", toc)
['UNE_DEAP_SEX_AGE_RT_A', 'UNE_3EAP_SEX_AGE_EDU_RT_A', 'EAP_DWAP_SEX_AGE_RT_A']
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd

from evidencekit.ilostat.search_terms import SYNONYMS

_WORD = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")
_SDG = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{1,2})$")
_CODE = re.compile(r"^[A-Z0-9]+_[A-Z0-9_]*$")
_ENDINGS = ("ments", "ment", "ities", "ity", "ness", "ings", "ing", "ied", "ies", "ed", "ers", "er", "es", "s")


@lru_cache(maxsize=16384)
def normalise(text: str) -> str:
    """Case-fold and strip accents: ``"Participación"`` -> ``"participacion"`` (cached: catalogue labels repeat).

    >>> normalise("Côte d’Ivoire  ÉTÉ")
    "cote d'ivoire ete"
    """
    text = unicodedata.normalize("NFKD", str(text)).replace("\u2019", "'").replace("\u2018", "'")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """A word without its usual English ending, kept at 4 letters or more (``unemployed`` -> ``unemploy``).

    >>> [stem(w) for w in ("unemployed", "unemployment", "wages", "earnings", "informality", "bargaining", "rate")]
    ['unemploy', 'unemploy', 'wage', 'earn', 'informal', 'bargain', 'rate']
    """
    for end in _ENDINGS:
        if word.endswith(end) and len(word) - len(end) >= 4 and word.isalpha():
            return word[: -len(end)]
    return word


def sdg_code_pattern(number: str) -> re.Pattern | None:
    """The indicator codes of an SDG indicator number: ``8.5.2`` -> ``SDG_?852`` (``SDG_0852``; ``SDG_A821``
    for 8.2.1, ``SDG_B871`` for 8.7.1; ``10.4.1`` -> ``SDG_1041``), or None for text that is not one.

    >>> bool(sdg_code_pattern("8.5.2").match("sdg_0852_sex_age_rt")), bool(sdg_code_pattern("8.2.1").match("sdg_a821_noc_rt"))
    (True, True)
    """
    m = _SDG.match(number)
    if not m:
        return None
    digits = "".join(m.groups())
    return re.compile(rf"^sdg_[0-9a-z]{{{max(4 - len(digits), 0)}}}{digits}_" if len(digits) < 4 else rf"^sdg_{digits}_")


def _label_column(toc: pd.DataFrame) -> str | None:
    for name in ("label", "indicator.label"):
        if name in toc.columns:
            return name
    return None


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) or value is pd.NA else str(value)


def _concepts(text: str) -> list[str]:
    """The query cut into concepts: synonym phrases first (longest first), then single words."""
    words = _WORD.findall(normalise(text))
    phrases = sorted((k for k in SYNONYMS if " " in k), key=lambda k: -len(k.split()))
    out: list[str] = []
    i = 0
    while i < len(words):
        for ph in phrases:
            n = len(ph.split())
            if words[i:i + n] == ph.split():
                out.append(ph)
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return list(dict.fromkeys(out))


def _alternatives(concept: str) -> list[tuple[str, object]]:
    """What a concept may be found as: ``("code", prefix)``, ``("sdg", pattern)`` or ``("words", [words])``."""
    alts: list[tuple[str, object]] = [("words", concept.split())]
    pattern = sdg_code_pattern(concept)
    if pattern is not None:
        alts.append(("sdg", pattern))
    key = concept if concept in SYNONYMS else stem(concept) if stem(concept) in SYNONYMS else None
    for alt in SYNONYMS.get(key, ()) if key else ():
        if _CODE.match(alt):
            alts.append(("code", alt.lower()))
        else:
            alts.append(("words", _WORD.findall(normalise(alt))))
    return alts


class _Index:
    """The catalogue prepared once for searching: normalised labels, an index word -> rows, ids in lower case."""

    def __init__(self, labels: list[str], ids: list[list[str]]) -> None:
        self.n = len(labels)
        self.labels = labels
        self.ids = ids
        self.id_text = [" ".join(i) for i in ids]
        rows: dict[str, list[int]] = {}
        for r, lab in enumerate(labels):
            for w in set(_WORD.findall(lab)):
                rows.setdefault(w, []).append(r)
        self.rows = {w: np.array(r, dtype=np.int64) for w, r in rows.items()}
        id_rows: dict[str, list[int]] = {}
        for r, words in enumerate(ids):
            for w in words:
                id_rows.setdefault(w, []).append(r)
        self.id_rows = {w: np.array(r, dtype=np.int64) for w, r in id_rows.items()}
        self._words: dict[str, np.ndarray] = {}

    def word(self, w: str) -> np.ndarray:
        """Per row: 3 the whole word in the label, 2 a label word starting with its stem, 1 anywhere, else 0
        (kept per word: synonym phrases share their words, and the same words are searched again)."""
        hit = self._words.get(w)
        if hit is None:
            if len(self._words) > 4096:
                self._words.clear()
            hit = self._words[w] = self._word(w)
        return hit

    def _word(self, w: str) -> np.ndarray:
        s = np.zeros(self.n)
        root = stem(w)
        for v, rows in self.rows.items():
            if v.startswith(root):
                s[rows] = 2.0
        if w in self.rows:
            s[self.rows[w]] = 3.0
        loose = np.fromiter((w in lab or w in i for lab, i in zip(self.labels, self.id_text)), bool, self.n)
        s[(s == 0) & loose] = 1.0
        return s

    def alternative(self, kind: str, alt) -> np.ndarray:
        if kind == "code":
            return np.fromiter((4.0 if any(i.startswith(alt) for i in ids) else 0.0 for ids in self.ids), float, self.n)
        if kind == "sdg":
            return np.fromiter((4.0 if any(alt.match(i) for i in ids) else 0.0 for ids in self.ids), float, self.n)
        parts = [self.word(w) for w in alt]
        s = np.minimum.reduce(parts) if parts else np.zeros(self.n)   # a new array: the kept ones stay as they are
        if len(alt) == 1 and alt[0] in self.id_rows:
            s[self.id_rows[alt[0]]] += 4.0   # the whole id or indicator code typed
        return s

    def concept(self, concept: str) -> np.ndarray:
        return np.maximum.reduce([self.alternative(kind, alt) for kind, alt in _alternatives(concept)])


_INDEXES: dict[tuple, _Index] = {}


def _index(toc: pd.DataFrame) -> _Index:
    """The search index of a catalogue, kept for the last few catalogues searched (they are searched often)."""
    label_col = _label_column(toc)
    raw_labels = tuple(toc[label_col].tolist()) if label_col else ("",) * len(toc)
    raw_ids = tuple(tuple(toc[c].tolist()) for c in ("id", "indicator") if c in toc.columns)
    key = (raw_labels, raw_ids)
    hit = _INDEXES.get(key)
    if hit is None:
        labels = [normalise(_text(v)) for v in raw_labels]
        ids = [[_text(v).lower() for v in vals if _text(v)] for vals in zip(*raw_ids)] if raw_ids else [[]] * len(toc)
        if len(_INDEXES) >= 4:
            _INDEXES.pop(next(iter(_INDEXES)))
        hit = _INDEXES[key] = _Index(labels, ids)
    return hit


def search(toc: pd.DataFrame, text: str, limit: int | None = 20) -> pd.DataFrame:
    """Rank the catalogue rows that match ``text`` (see the module rule); adds a ``score`` column.

    Returns the matching rows, best first (at most ``limit``; ``None`` for all). An empty text returns
    no rows. Pure: ``toc`` is not modified.
    """
    concepts = _concepts(text)
    if not concepts or toc.empty:
        return toc.iloc[0:0].assign(score=pd.Series(dtype="float64"))
    index = _index(toc)
    labels = index.labels
    n = len(toc)
    score = np.zeros(n)
    n_hit = np.zeros(n, dtype=int)
    for concept in concepts:
        s = index.concept(concept)
        if not s.any() and " " not in concept:   # a typo? the closest catalogue word, if close enough
            near = _closest_word(concept, index)
            if near != concept:
                s = index.concept(near)
        score += s
        n_hit += s > 0
    hit = n_hit > 0
    if not hit.any():
        return toc.iloc[0:0].assign(score=pd.Series(dtype="float64"))
    score += np.where(n_hit == len(concepts), 10.0, 0.0)
    words = " ".join(concepts)
    if len(concepts) > 1 or " " in words:
        score += np.fromiter((3.0 if words in lab else 0.0 for lab in labels), float, n)
    score += np.fromiter((1.0 if lab.startswith(concepts[0]) else 0.0 for lab in labels), float, n)
    if "offline" in toc.columns:
        score += np.where(toc["offline"].fillna(False).astype(bool).to_numpy(), 2.0, 0.0)
    length = np.fromiter((len(lab) for lab in labels), float, n)
    rows = np.flatnonzero(hit)
    rows = rows[np.lexsort((length[rows], -score[rows]))][:limit]
    return toc.iloc[rows].assign(score=np.round(score[rows], 3)).reset_index(drop=True)


def _closest_word(word: str, index: _Index) -> str:
    """The nearest catalogue word to one found nowhere (difflib ratio >= 0.85), else the word itself."""
    vocabulary = sorted(set(index.rows) | set(index.id_rows))
    close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.85)
    return close[0] if close else word


def suggest(text: str, toc: pd.DataFrame, n: int = 5) -> list[str]:
    """The ``n`` catalogue ids closest to an unknown id (``difflib`` similarity over ids, then word search).

    Only rows with an ``id`` are considered (catalogue entries known only as indicator codes have none).
    """
    if "id" not in toc.columns or toc.empty:
        return []
    ids = [str(i) for i in toc["id"].dropna().unique()]
    key = str(text).strip().upper()
    close = difflib.get_close_matches(key, ids, n=n, cutoff=0.5)
    if len(close) < n:
        base = key.rsplit("_", 1)[0] if re.search(r"_[AQM]$", key) else key
        for i in ids:
            if i not in close and i.rsplit("_", 1)[0] == base:
                close.append(i)
    if len(close) < n:
        words = " ".join(key.replace("_", " ").split())
        found = search(toc[toc["id"].notna()], words, limit=None)
        close += [i for i in found["id"].tolist() if i not in close]
    return close[:n]


def closest_codes(code: str, dictionary: pd.DataFrame, n: int = 6) -> list[str]:
    """Codes of a dictionary close to ``code``: by spelling for something shaped like a code (``PHI`` -> PHL;
    two of three letters), by name otherwise ('Philippines' -> PHL, 'philipines' too). Only close matches:
    a name never gets a code that merely shares letters with it (``ASEAN`` is not Senegal, ``SEN``).

    >>> dic = pd.DataFrame({"ref_area": ["PHL", "SEN", "IDN"], "ref_area.label": ["Philippines", "Senegal", "Indonesia"]})
    >>> closest_codes("philipines", dic), closest_codes("IDM", dic)[:1], closest_codes("ASEANX", dic)
    (['PHL (Philippines)'], ['IDN (Indonesia)'], [])
    """
    codes = dictionary.iloc[:, 0].astype(str).tolist()
    labels = dictionary.iloc[:, 1].astype(str).tolist() if dictionary.shape[1] > 1 else codes
    named = dict(zip(codes, labels))
    text = str(code).strip()
    if re.fullmatch(r"[A-Za-z0-9]{2,4}", text) and len(text) <= max((len(c) for c in codes), default=3):
        hits = difflib.get_close_matches(text.upper(), codes, n=n, cutoff=0.6)
    else:
        folded = normalise(text)
        by_label = {normalise(lab): c for c, lab in named.items()}
        hits = [c for c, lab in named.items() if normalise(lab) == folded]
        if not hits and folded:
            whole = re.compile(rf"(?<![a-z0-9]){re.escape(folded)}(?![a-z0-9])")
            hits = [c for c, lab in named.items() if whole.search(normalise(lab))][:n]
        if not hits:
            hits = [by_label[lab] for lab in difflib.get_close_matches(folded, list(by_label), n=n, cutoff=0.8)]
    return [f"{c} ({named[c]})" if named[c] and named[c] != c else c for c in hits[:n]]
