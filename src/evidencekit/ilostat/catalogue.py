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


def _word_score(word: str, label_words: list[str], label: str, ids: str) -> float:
    if word in label_words:
        return 3.0
    root = stem(word)
    if any(w.startswith(root) for w in label_words):
        return 2.0
    return 1.0 if word in label or word in ids else 0.0


def _score(alts: list, label: str, label_words: list[str], ids: str, id_words: list[str]) -> float:
    best = 0.0
    for kind, alt in alts:
        if kind == "code":
            s = 4.0 if any(i.startswith(alt) for i in id_words) else 0.0
        elif kind == "sdg":
            s = 4.0 if any(alt.match(i) for i in id_words) else 0.0
        else:
            parts = [_word_score(w, label_words, label, ids) for w in alt]
            s = min(parts) if parts and all(parts) else 0.0
            if len(alt) == 1 and alt[0] in id_words:
                s += 4.0   # the whole id or indicator code typed
        best = max(best, s)
        if best >= 7.0:
            break
    return best


def search(toc: pd.DataFrame, text: str, limit: int | None = 20) -> pd.DataFrame:
    """Rank the catalogue rows that match ``text`` (see the module rule); adds a ``score`` column.

    Returns the matching rows, best first (at most ``limit``; ``None`` for all). An empty text returns
    no rows. Pure: ``toc`` is not modified.
    """
    concepts = _concepts(text)
    if not concepts or toc.empty:
        return toc.iloc[0:0].assign(score=pd.Series(dtype="float64"))
    label_col = _label_column(toc)
    labels = [normalise(_text(v)) for v in toc[label_col].tolist()] if label_col else [""] * len(toc)
    label_words = [_WORD.findall(lab) for lab in labels]
    id_cols = [toc[c].tolist() for c in ("id", "indicator") if c in toc.columns]
    id_words = [[_text(v).lower() for v in vals if _text(v)] for vals in zip(*id_cols)] if id_cols else [[]] * len(toc)
    ids = [" ".join(w) for w in id_words]
    n = len(toc)
    score = np.zeros(n)
    n_hit = np.zeros(n, dtype=int)
    for concept in concepts:
        alts = _alternatives(concept)
        s = np.array([_score(alts, lab, lw, i, iw) for lab, lw, i, iw in zip(labels, label_words, ids, id_words)])
        if not s.any() and " " not in concept:   # a typo? the closest catalogue word, if close enough
            near = _closest_word(concept, labels, ids)
            if near != concept:
                alts = _alternatives(near)
                s = np.array([_score(alts, lab, lw, i, iw)
                              for lab, lw, i, iw in zip(labels, label_words, ids, id_words)])
        score += s
        n_hit += s > 0
    hit = n_hit > 0
    if not hit.any():
        return toc.iloc[0:0].assign(score=pd.Series(dtype="float64"))
    score += np.where(n_hit == len(concepts), 10.0, 0.0)
    words = " ".join(concepts)
    if len(concepts) > 1 or " " in words:
        score += np.array([3.0 if words in lab else 0.0 for lab in labels])
    score += np.array([1.0 if lab.startswith(concepts[0]) else 0.0 for lab in labels])
    if "offline" in toc.columns:
        score += np.where(toc["offline"].fillna(False).astype(bool).to_numpy(), 2.0, 0.0)
    length = np.array([len(lab) for lab in labels], dtype=float)
    out = toc.loc[hit].assign(score=np.round(score[hit], 3))
    order = np.lexsort((length[hit], -score[hit]))
    out = out.iloc[order]
    if limit is not None:
        out = out.head(limit)
    return out.reset_index(drop=True)


def _closest_word(word: str, labels: list[str], ids: list[str]) -> str:
    """The nearest catalogue word to one found nowhere (difflib ratio >= 0.85), else the word itself."""
    vocabulary = sorted({w for text in labels + ids for w in _WORD.findall(text)})
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
