"""Search the ILOSTAT catalogue (table of contents) by words, and suggest ids for a mistyped one.

Matching is case- and accent-insensitive (Unicode NFKD, marks removed, case-folded) over the dataset id,
the indicator code and the label. Ranking rule: every query word counts; a row scores, per word,
3 for a whole word in the label, 2 for a label word starting with it, 1 for a substring of label or id,
and 4 for the whole id or indicator code; rows matching *all* words come first (+10), then those with the
words as a phrase (+3), the label starting with the first word (+1), datasets held offline (+0.5), and
shorter labels (more specific) break ties. A word found nowhere is replaced by the closest catalogue word
(``difflib``), so "unemploymnet" still finds unemployment.

>>> toc = pd.DataFrame({"id": ["UNE_DEAP_SEX_AGE_RT_A", "UNE_3EAP_SEX_AGE_EDU_RT_A", "EAP_DWAP_SEX_AGE_RT_A"],
...                     "label": ["Unemployment rate by sex and age (%)",
...                               "Youth unemployment rate by sex, age and education (%)",
...                               "Labour force participation rate by sex and age (%)"]})
>>> search(toc, "YOUTH unemployment")["id"].tolist()
['UNE_3EAP_SEX_AGE_EDU_RT_A', 'UNE_DEAP_SEX_AGE_RT_A']
>>> search(toc, "participación")["id"].tolist()  # accents ignored; the word is close to 'participation'
['EAP_DWAP_SEX_AGE_RT_A']
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

_WORD = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")


@lru_cache(maxsize=16384)
def normalise(text: str) -> str:
    """Case-fold and strip accents: ``"Participación"`` -> ``"participacion"`` (cached: catalogue labels repeat).

    >>> normalise("Côte d’Ivoire  ÉTÉ")
    "cote d'ivoire ete"
    """
    text = unicodedata.normalize("NFKD", str(text)).replace("\u2019", "'").replace("\u2018", "'")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


def _label_column(toc: pd.DataFrame) -> str | None:
    for name in ("label", "indicator.label"):
        if name in toc.columns:
            return name
    return None


def _text(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) or value is pd.NA else str(value)


def _query_words(text: str) -> list[str]:
    words = []
    for w in _WORD.findall(normalise(text)):
        if w not in words:
            words.append(w)
    return words


def search(toc: pd.DataFrame, text: str, limit: int | None = 20) -> pd.DataFrame:
    """Rank the catalogue rows that match ``text`` (see the module rule); adds a ``score`` column.

    Returns the matching rows, best first (at most ``limit``; ``None`` for all). An empty text returns
    no rows. Pure: ``toc`` is not modified.
    """
    words = _query_words(text)
    if not words or toc.empty:
        return toc.iloc[0:0].assign(score=pd.Series(dtype="float64"))
    label_col = _label_column(toc)
    labels = [normalise(_text(v)) for v in toc[label_col].tolist()] if label_col else [""] * len(toc)
    id_cols = [toc[c].tolist() for c in ("id", "indicator") if c in toc.columns]
    ids = [" ".join(_text(v).lower() for v in vals) for vals in zip(*id_cols)] if id_cols else [""] * len(toc)
    hay = [f"{a} {b}" for a, b in zip(labels, ids)]
    words = [_closest_word(w, hay) for w in words]
    n = len(toc)
    score = np.zeros(n)
    n_hit = np.zeros(n, dtype=int)
    for w in words:
        esc = re.escape(w)
        whole = re.compile(rf"(?<![a-z0-9]){esc}(?![a-z0-9])").search
        start = re.compile(rf"(?<![a-z0-9]){esc}").search
        exact_id = re.compile(rf"(?<![a-z0-9_]){esc}(?![a-z0-9_])").search
        s = np.array([
            (3.0 if whole(lab) else 2.0 if start(lab) else 1.0 if w in h else 0.0) + (4.0 if exact_id(i) else 0.0)
            if w in h else 0.0
            for lab, h, i in zip(labels, hay, ids)
        ])
        score += s
        n_hit += s > 0
    hit = n_hit > 0
    if not hit.any():
        return toc.iloc[0:0].assign(score=pd.Series(dtype="float64"))
    score += np.where(n_hit == len(words), 10.0, 0.0)
    if len(words) > 1:
        phrase = " ".join(words)
        score += np.array([3.0 if phrase in lab else 0.0 for lab in labels])
    score += np.array([1.0 if lab.startswith(words[0]) else 0.0 for lab in labels])
    if "offline" in toc.columns:
        score += np.where(toc["offline"].fillna(False).astype(bool).to_numpy(), 0.5, 0.0)
    length = np.array([len(lab) for lab in labels], dtype=float)
    out = toc.loc[hit].assign(score=np.round(score[hit], 3))
    order = np.lexsort((length[hit], -score[hit]))
    out = out.iloc[order]
    if limit is not None:
        out = out.head(limit)
    return out.reset_index(drop=True)


def _closest_word(word: str, hay: list[str]) -> str:
    """The word itself when it occurs somewhere, else the nearest catalogue word (difflib ratio >= 0.85)."""
    if any(word in h for h in hay):
        return word
    vocabulary = sorted({w for text in hay for w in _WORD.findall(text)})
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
    """Codes of a dictionary that look like ``code`` (by code, or by label: 'Philippines' -> PHL).

    >>> dic = pd.DataFrame({"ref_area": ["PHL", "PHI", "IDN"], "ref_area.label": ["Philippines", "X", "Indonesia"]})
    >>> closest_codes("philippines", dic), closest_codes("IDM", dic)[:1]
    (['PHL (Philippines)'], ['IDN (Indonesia)'])
    """
    codes = dictionary.iloc[:, 0].astype(str).tolist()
    labels = dictionary.iloc[:, 1].astype(str).tolist() if dictionary.shape[1] > 1 else codes
    named = dict(zip(codes, labels))
    folded = normalise(code)
    hits = [c for c, lab in named.items() if normalise(lab) == folded]
    if not hits:
        hits = [c for c, lab in named.items() if folded and folded in normalise(lab)][:n]
    if not hits:
        hits = difflib.get_close_matches(code.upper(), codes, n=n, cutoff=0.5)
    return [f"{c} ({named[c]})" if named[c] and named[c] != c else c for c in hits[:n]]
