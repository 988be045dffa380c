"""Tells which language a customer message is written in, for the `language` slot.

Customers mix scripts ("我的order到哪了", "X200有降噪吗"): a message counts as Chinese when it has at
least as many Han characters as Latin words. A message with neither (an order id alone, digits,
emoji) says nothing about the language, so no entity is emitted and the slot keeps its value.
"""
import re
from typing import Optional

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Latin words of two letters or more: a lone "A" in "A10023" or "X" in "X200" is not English.
_LATIN_WORD = re.compile(r"[A-Za-z\uff21-\uff3a\uff41-\uff5a]{2,}")
# Model names and codes such as X200, P30 or SKU-like tokens are not English words either.
_CODE = re.compile(r"(?<![A-Za-z])[A-Za-z]{1,3}\d[A-Za-z0-9-]*")


def detect_language(text: Optional[str]) -> Optional[str]:
    """Returns "zh", "en", or None when the text carries no sign of a language."""
    if not text:
        return None
    han = len(_HAN.findall(text))
    latin = len(_LATIN_WORD.findall(_CODE.sub(" ", text)))
    if han == 0 and latin == 0:
        return None
    return "zh" if han >= latin else "en"
