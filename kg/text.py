"""Text helpers shared by the loader and the query layer: lookup keys and safe Lucene queries."""
import re
import unicodedata
from typing import Iterable, List

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Spaces, hyphens and dots vary freely in how people type names ("P30 手机壳", "usb c", "t-shirt").
_KEY_NOISE = re.compile(r"[\s\-_·.]+")

# Every character Lucene's classic query parser treats as syntax (&& and || are covered by & and |).
_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')
# Upper-case AND/OR/NOT/TO are operators to the parser; lower case they are plain (stop) words.
_LUCENE_OPERATOR = re.compile(r"\b(AND|OR|NOT|TO)\b")
# Long inputs would expand into more clauses than Lucene allows (1024); the start says enough.
MAX_QUERY_CHARS = 200


def normalize_key(text: str) -> str:
    """The form names are matched in: full-width folded, case-folded, without spaces or hyphens."""
    return _KEY_NOISE.sub("", unicodedata.normalize("NFKC", text).casefold())


def lookup_keys(names: Iterable[str]) -> List[str]:
    """Distinct normalised keys of `names`, in first-seen order."""
    return list(dict.fromkeys(key for key in map(normalize_key, names) if key))


_MATCH_WORD = re.compile(r"[a-z0-9]+")


def synonym_key(text: str, lang: str) -> str:
    """The form synonyms are matched in, by plain containment.

    Chinese: the text, full-width and case folded. English: its words with a final "s" dropped
    ("parcels" finds "parcel"), space-padded so that a key only matches whole words."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if lang == "zh":
        return folded
    words = (w[:-1] if len(w) > 3 and w.endswith("s") else w for w in _MATCH_WORD.findall(folded))
    return f" {' '.join(words)} "


def has_han(text: str) -> bool:
    return bool(_HAN.search(text))


# Question filler that Lucene's stop lists keep but that says nothing about which FAQ is meant:
# without this, "什么时候发货" matches "什么时候补货" and "what do gold members get" matches
# "do members get a birthday gift". Removed from FAQ queries only (product names keep every word).
_ZH_FILLERS = sorted((
    "请问", "你好", "您好", "我想", "我要", "想问", "问一下", "一下", "什么时候", "什么", "怎么样",
    "怎么办", "怎么", "如何", "可不可以", "可以", "能不能", "能否", "是不是", "有没有", "还能", "还可以",
    "你们", "我们", "我的", "吗", "呢", "吧", "啊", "呀", "了", "的", "我",
), key=len, reverse=True)
_ZH_FILLER = re.compile("|".join(map(re.escape, _ZH_FILLERS)))
_EN_FILLERS = frozenset("""
    i me my mine you your yours we us our can could would will shall should do does did have has had
    get got how what when where which who why is are am was were be been it its this that there here
    please hi hello hey just still want wanted like so about tell know any some thanks thank ok okay
""".split())
_EN_WORD = re.compile(r"[A-Za-z']+")


def strip_question_fillers(text: str) -> str:
    """`text` without filler words; a space stands in for each so no new Chinese bigram forms."""
    text = _ZH_FILLER.sub(" ", unicodedata.normalize("NFKC", text))
    return _EN_WORD.sub(lambda m: " " if m.group(0).lower() in _EN_FILLERS else m.group(0), text)


def lucene_terms(text: str) -> str:
    """User text as plain Lucene terms: syntax characters escaped, operators defused.

    The result is safe to embed in a query string (e.g. inside ``field:(...)``) because no
    character of it can open a group, a phrase, a field or a range, or end one we opened.
    """
    text = unicodedata.normalize("NFKC", text)[:MAX_QUERY_CHARS]
    text = _LUCENE_OPERATOR.sub(lambda m: m.group(1).lower(), text)
    return " ".join(_LUCENE_SPECIAL.sub(r"\\\1", text).split())


def without_names(text: str, names: Iterable[str]) -> str:
    """`text` (full-width folded) with every occurrence of `names` blanked out, ignoring case.

    FAQ vectors are made from questions without product and brand names: a name says which
    product, not what about it, and left in it pulls "when does my Cookwise rice cooker ship"
    towards the rice cooker's own FAQs. The full-text score still sees the names."""
    text = unicodedata.normalize("NFKC", text)
    wanted = sorted({unicodedata.normalize("NFKC", name) for name in names if len(name) >= 2}, key=len, reverse=True)
    if not wanted:
        return text
    return re.sub("|".join(map(re.escape, wanted)), " ", text, flags=re.IGNORECASE)
