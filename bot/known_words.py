"""Is a word one the model has seen, give or take how customers type it?

UnknownWordsFallback counts a message's unknown words to spot gibberish. Counting only exact
training words also rejected real messages: typos ("cancle my ordr"), stretched words ("heyyy"),
and Chinese words Jieba cuts differently than in training ("大容量", "中码"). So a word is known when

- it was seen in training (lower-cased), or
- a Chinese word: each of its characters was seen in training. Gibberish such as "叽里咕噜" or
  "嘤嘤嘤" uses characters no customer-service sentence has;
- a Latin word of 4+ letters: with repeated letters squeezed it was seen ("heyyy" -> "hey"), or,
  from 5 letters, it shares a one-letter deletion with a seen word of 5+ letters: a letter added,
  dropped or changed, two letters swapped ("hellow", "thnks", "cancle"). Short words stay exact:
  at 4 letters nearly every string is that close to some word.
"""
import re
from typing import Iterable, Set

_HAN = re.compile(r"^[\u3400-\u9fff]+$")
_LATIN = re.compile(r"^[a-z]+$")
_REPEATS = re.compile(r"(.)\1+")
MIN_SQUEEZE_LENGTH = 4
MIN_TYPO_LENGTH = 5


def _deletes(word: str) -> Set[str]:
    """The word with one letter removed, every way."""
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _swaps(word: str) -> Set[str]:
    return {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1)}


class KnownWords:
    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.words = {word.lower() for word in vocabulary}
        self.characters = {ch for word in self.words if _HAN.match(word) for ch in word}
        # Symmetric-delete index (as in SymSpell): two words one edit apart share a one-letter
        # deletion, or one is a deletion of the other. Lookups cost O(word length), not O(vocabulary).
        typo_bases = [w for w in self.words if _LATIN.match(w) and len(w) >= MIN_TYPO_LENGTH]
        self._typo_bases = set(typo_bases)
        self._base_deletes = {d for word in typo_bases for d in _deletes(word)}

    def knows(self, token: str) -> bool:
        word = token.lower()
        if word in self.words:
            return True
        if _HAN.match(word):
            return all(ch in self.characters for ch in word)
        if not _LATIN.match(word) or len(word) < MIN_SQUEEZE_LENGTH:
            return False
        if _REPEATS.sub(r"\1", word) in self.words:
            return True
        return len(word) >= MIN_TYPO_LENGTH and self._one_edit_from_known(word)

    def _one_edit_from_known(self, word: str) -> bool:
        if word in self._base_deletes:  # a letter missing: "thnks"
            return True
        deletes = _deletes(word)
        if deletes & self._typo_bases:  # a letter too many: "hellow"
            return True
        if _swaps(word) & self._typo_bases:  # two letters swapped: "cancle"
            return True
        return bool(deletes & self._base_deletes)  # a letter changed: "ordet"
