"""Who speaks which language: script detection plus word-level language labels.

Moroccan dialogue mixes Darija in Arabic script, Darija in Latin letters ("Arabizi"), Modern
Standard Arabic, French, English and Tamazight in Tifinagh, often inside one line. Each word is
labelled in two steps:

1. Its script, from the Unicode block of its letters (Arabic, Tifinagh, Latin).
2. Its language:
   - Tifinagh -> Tamazight (``zgh-Tfng``).
   - Latin -> the ``arabizi`` package's word-level detector (Arabizi / French / English from
     digits such as 3, 7, 9, French diacritics and three lexicons). It leaves words with no
     decisive signal ``unknown``; those take the label of the nearest decided Latin word in the
     same block, because code-switching happens in runs of words, not word by word.
   - Arabic script -> Darija or MSA from marker words (below). A block with Darija markers is
     Darija, one with only MSA markers is MSA; a block with neither stays ``ara-Arab``
     ("Arabic, variety not decided") rather than being guessed.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

from halqa.errors import ConfigError

LANGUAGES = {
    "ary-Arab": "Darija (Arabic script)",
    "ary-Latn": "Darija (Arabizi, Latin script)",
    "arb-Arab": "Modern Standard Arabic",
    "ara-Arab": "Arabic (Darija or MSA not decided)",
    "fra-Latn": "French",
    "eng-Latn": "English",
    "zgh-Tfng": "Tamazight (Tifinagh)",
    "und-Latn": "Latin script, language not decided",
}
# Codes a writer may give (title page ``Language:``, ``--language``), mapped to the label above.
LANGUAGE_CODES = {
    "ary": "ary-Arab",
    "ary-Arab": "ary-Arab",
    "ary-Latn": "ary-Latn",
    "arb": "arb-Arab",
    "ar": "ara-Arab",
    "ara": "ara-Arab",
    "fr": "fra-Latn",
    "fra": "fra-Latn",
    "en": "eng-Latn",
    "eng": "eng-Latn",
    "zgh": "zgh-Tfng",
    "tzm": "zgh-Tfng",
    "shi": "zgh-Tfng",
    "rif": "zgh-Tfng",
    "ber": "zgh-Tfng",
}
RTL_LANGUAGES = {"ary-Arab", "arb-Arab", "ara-Arab"}

# Frequent words that only Darija uses (Arabic script): question words, negation, aspect, "of".
DARIJA_MARKERS = frozenset(
    [
        "واش",
        "شنو",
        "شنوا",
        "علاش",
        "فين",
        "فاين",
        "كيفاش",
        "إمتى",
        "امتى",
        "شكون",
        "بغيت",
        "بغيتي",
        "بغا",
        "بغات",
        "كنبغي",
        "كيبغي",
        "ديال",
        "ديالي",
        "ديالك",
        "ديالو",
        "دابا",
        "كاين",
        "كاينة",
        "كاينين",
        "ماكاينش",
        "بزاف",
        "مزيان",
        "مزيانة",
        "غادي",
        "غادية",
        "غانمشي",
        "راه",
        "راهي",
        "راني",
        "هادشي",
        "هادا",
        "هادي",
        "واخا",
        "صافي",
        "والو",
        "حتى",
        "شي",
        "شحال",
        "خويا",
        "ختي",
        "بنتي",
        "ولدي",
        "نتا",
        "نتي",
        "حنا",
        "نتوما",
        "هوما",
        "ماشي",
        "مابغيتش",
        "عافاك",
        "الله",
        "يرحم",
        "زعما",
        "كنت",
        "كنقول",
        "كيقول",
        "كتقول",
        "قلتليك",
        "سير",
        "جي",
        "جيب",
        "خاصك",
        "خاصني",
        "خصني",
        "عندي",
        "عندك",
        "مالك",
        "مالكي",
        "كندير",
        "كيدير",
        "أتاي",
        "اتاي",
    ]
)
# Words that mark Modern Standard Arabic where Darija would use another word.
MSA_MARKERS = frozenset(
    [
        "ماذا",
        "لماذا",
        "أين",
        "كيف",
        "متى",
        "الذي",
        "التي",
        "الذين",
        "هذا",
        "هذه",
        "ذلك",
        "تلك",
        "سوف",
        "ليس",
        "ليست",
        "لست",
        "لن",
        "لم",
        "إن",
        "إنه",
        "إنها",
        "أنا",
        "أنت",
        "أنتِ",
        "نحن",
        "هم",
        "جدا",
        "الآن",
        "حيث",
        "لكن",
        "لأن",
        "يجب",
        "يمكن",
        "أريد",
        "تريد",
        "أيضا",
        "قد",
        "كان",
        "كانت",
        "هل",
    ]
)

_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_ARABIC_RE = re.compile(r"[\u0600-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_TIFINAGH_RE = re.compile(r"[\u2D30-\u2D7F]")
_LATIN_RE = re.compile(r"[A-Za-z\u00C0-\u024F]")
_ARABIC_MARKS_RE = re.compile(
    r"[\u064B-\u065F\u0670\u0640]"
)  # harakat and tatweel, ignored for lookup


@dataclass(frozen=True)
class Word:
    text: str
    script: str  # Arab, Tfng, Latn
    language: str  # a key of LANGUAGES
    evidence: str


def normalise_language(code: str, *, where: str = "language") -> str:
    """A writer's language code as halqa's label; an unknown code names what is accepted."""
    label = LANGUAGE_CODES.get(code) or (code if code in LANGUAGES else None)
    if label is None:
        raise ConfigError(
            f"{where}: unknown language code {code!r} (accepted: "
            f"{', '.join(sorted(LANGUAGE_CODES))})"
        )
    return label


def script_of(word: str) -> str | None:
    if _TIFINAGH_RE.search(word):
        return "Tfng"
    if _ARABIC_RE.search(word):
        return "Arab"
    if _LATIN_RE.search(word):
        return "Latn"
    return None


def label_words(text: str) -> list[Word]:
    """Every word of ``text`` with its script and language (numbers and punctuation skipped)."""
    words = [(w, s) for w in _WORD_RE.findall(text) if (s := script_of(w))]
    arabic_variety = _arabic_variety([w for w, s in words if s == "Arab"])
    latin = _latin_labels([w for w, s in words if s == "Latn"])
    out, li = [], 0
    for w, s in words:
        if s == "Tfng":
            out.append(Word(w, s, "zgh-Tfng", "Tifinagh letters"))
        elif s == "Arab":
            out.append(Word(w, s, *_arabic_label(w, arabic_variety)))
        else:
            out.append(Word(w, s, *latin[li]))
            li += 1
    return out


def _bare(word: str) -> str:
    return _ARABIC_MARKS_RE.sub("", word)


def _arabic_variety(words: list[str]) -> str:
    darija = sum(_bare(w) in DARIJA_MARKERS for w in words)
    msa = sum(_bare(w) in MSA_MARKERS for w in words)
    if darija:
        return "ary-Arab" if darija >= msa else "arb-Arab"
    return "arb-Arab" if msa else "ara-Arab"


def _arabic_label(word: str, variety: str) -> tuple[str, str]:
    bare = _bare(word)
    if bare in DARIJA_MARKERS:
        return "ary-Arab", "Darija marker word"
    if bare in MSA_MARKERS:
        return "arb-Arab", "MSA marker word"
    return variety, "Arabic script; variety from the block's marker words"


_ARABIZI_LABEL = {"arabizi": "ary-Latn", "french": "fra-Latn", "english": "eng-Latn"}


@functools.lru_cache(maxsize=1 << 16)
def _arabizi_word(word: str) -> tuple[str, str] | None:
    """arabizi's label for one word (it reads a word on its own, so a script's repeated words are
    looked up once: most of a breakdown's time was this call)."""
    import arabizi

    tokens = [
        t
        for t in arabizi.detect(word)
        if t.script.value in _ARABIZI_LABEL or t.script.value == "unknown"
    ]
    value = tokens[0].script.value if tokens else "unknown"
    return (
        (_ARABIZI_LABEL[value], f"arabizi: {tokens[0].evidence}")
        if value in _ARABIZI_LABEL
        else None
    )


def _latin_labels(words: list[str]) -> list[tuple[str, str]]:
    """arabizi's label per Latin word, undecided words taking their nearest decided neighbour's."""
    decided = [_arabizi_word(w) for w in words]
    out = []
    for i, label in enumerate(decided):
        out.append(label or _nearest(decided, i))
    return out


def _nearest(decided: list, i: int) -> tuple[str, str]:
    for distance in range(1, len(decided)):
        for j in (i - distance, i + distance):
            if 0 <= j < len(decided) and decided[j]:
                return decided[j][0], "no signal of its own; nearest decided word in the block"
    return "und-Latn", "no signal in the word or the block"


def language_mix(texts: list[str]) -> dict[str, int]:
    """Words per language over several blocks (each block labelled on its own)."""
    counts: Counter = Counter()
    for text in texts:
        counts.update(w.language for w in label_words(text))
    return dict(counts.most_common())


def main_direction(texts: list[str]) -> str:
    """``rtl`` when most words are in Arabic script, else ``ltr`` (for the page's mirror layout)."""
    scripts = Counter(s for t in texts for s in map(script_of, _WORD_RE.findall(t)) if s)
    return "rtl" if scripts and scripts.most_common(1)[0][0] == "Arab" else "ltr"
