"""Personal data masked out of message text (138****5678 style), in Chinese and English.

Phone numbers (Chinese mobiles and international numbers), emails, Chinese ID-card numbers and
street addresses. This is the Python twin of the agent desk's handoff/static/agent/mask.js: the same
rules, applied in the same order, give the same result for the same text (a test runs both), so an
analyst and an agent see the same masked message. Order ids (A10023), product names (X200, P30),
prices, dates and short numbers are left alone. Addresses and emails are found by hand in linear
time: written as single regexes (ZH_ADDRESS, EMAIL below, the reference the tests compare with)
they take minutes on a crafted message.

JavaScript's \\d, \\w and \\b are ASCII; Python's are Unicode-aware (a Han character is a \\w in
Python), so the ASCII classes are spelled out below to keep the two in step.
"""
import re
from typing import Iterator, List, Optional, Tuple

_DIGIT = "[0-9]"
_WORD = "[A-Za-z0-9_]"

ID_CARD = re.compile(r"(?<![0-9A-Za-z])([0-9]{6})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9A-Za-z])")
CN_MOBILE = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")
# Other phone numbers: 7+ digits, optionally with +, spaces, dashes, dots or brackets between them.
# A number that starts with a date (2024-01-15) is not one.
_DATE = r"(?:19|20)[0-9]{2}([-./])[0-9]{1,2}\1[0-9]{1,2}(?![0-9])"
OTHER_PHONE = re.compile(
    rf"(?<![A-Za-z0-9_*])(?!{_DATE})(\+?{_DIGIT}[0-9\s().-]{{5,}}{_DIGIT})(?![A-Za-z0-9_*])")
# The email rule as a regex (the tests' reference) retries every start in a long run of name
# characters, quadratic in its length; _mask_emails works back from each @ to the same match.
EMAIL = re.compile(r"([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")
EMAIL_DOMAIN = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_EMAIL_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-")
# A Chinese address: optional province/city/district, then a road, lane or community and a number.
# As one regex (ZH_ADDRESS, the tests' reference) its nested
# optional parts backtrack exponentially on a run like 上海市上海市... (a 60-character message takes
# seconds, 90 takes minutes) and quadratically on a long run of 路, which would stall the stream.
# _zh_address_spans finds exactly the same matches in linear time, one position at a time.
ZH_ADDRESS = re.compile(
    r"([\u4e00-\u9fa5]{2,}?(?:省|自治区|市|区|县))*?"
    r"[\u4e00-\u9fa50-9A-Za-z]{1,20}?(?:路|街|大道|道|巷|弄|胡同|小区|村)"
    r"[\u4e00-\u9fa50-9A-Za-z\-#]*?[0-9]+\s*(?:号|弄|栋|幢|单元|室|楼)"
    r"(?:[0-9A-Za-z\-#]*(?:号|栋|幢|单元|室|楼)?)*"
)
_REGION_ENDS = "省市区县"  # 自治区 ends in 区, so its end is one of these too
_ROADS = ("路", "街", "大道", "道", "巷", "弄", "胡同", "小区", "村")  # no two start alike
_ROAD = re.compile("|".join(_ROADS))
_UNITS = ("号", "弄", "栋", "幢", "单元", "室", "楼")
_TAIL_UNITS = ("号", "栋", "幢", "单元", "室", "楼")
DISTRICT_END = re.compile(r"^(.*?(?:省|自治区|市|区|县))")
EN_ADDRESS = re.compile(
    rf"(?<!{_WORD}){_DIGIT}{{1,6}}[A-Za-z]?\s+(?:[A-Z][A-Za-z'-]*\s+){{1,4}}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|Place|Pl|Terrace"
    rf"|Square|Sq)(?!{_WORD})\.?"
    rf"(?:,?\s*(?:Apt|Apartment|Suite|Unit|Flat)\.?\s*[A-Za-z0-9_-]+)?"
)
_EN_WORD = re.compile(r"[A-Za-z0-9]+")
_NON_DIGIT = re.compile(r"[^0-9]")


def _stars(text: str) -> str:
    return re.sub(r"\S", "*", text)


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fa5"


def _is_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _word_at(text: str, i: int, words) -> int:
    """The length of the word of `words` that starts at text[i], 0 for none."""
    return next((len(word) for word in words if text.startswith(word, i)), 0)


def _zh_address_spans(text: str) -> Iterator[Tuple[int, int]]:
    """(start, end) of each match of ZH_ADDRESS, left to right, without its backtracking.

    Each table holds, for a position, where the rest of the pattern ends when it starts there (None:
    it does not match there). They are filled right to left, so each position is visited a bounded
    number of times. Where the regex could match in several ways, the comments say which one it
    reports (the first its search order reaches), and the tables keep that one.
    """
    n = len(text)
    if not _ROAD.search(text):  # most messages: no road, no address
        return

    def in_class(i: int, extra: str = "") -> bool:  # [\u4e00-\u9fa50-9A-Za-z<extra>]
        return i < n and (_is_han(text[i]) or _is_alnum(text[i]) or text[i] in extra)

    # Greedy runs: giving back a space or a digit never lets the unit after them match.
    spaces_end = list(range(n + 1))  # \s*
    digits_end = list(range(n + 1))  # [0-9]+
    tail = list(range(n + 1))  # (?:[0-9A-Za-z\-#]*(?:号|栋|幢|单元|室|楼)?)*: greedy, cannot fail
    number: List[Optional[int]] = [None] * (n + 1)  # [0-9]+\s*(?:号|弄|栋|幢|单元|室|楼) + tail
    middle: List[Optional[int]] = [None] * (n + 1)  # [...\-#]*? + number: lazy, the nearest number
    for i in range(n - 1, -1, -1):
        char = text[i]
        if char.isspace():
            spaces_end[i] = spaces_end[i + 1]
        tail_unit = _word_at(text, i, _TAIL_UNITS)
        if _is_alnum(char) or char in "-#":
            tail[i] = tail[i + 1]
        elif tail_unit:
            tail[i] = tail[i + tail_unit]
        if "0" <= char <= "9":
            digits_end[i] = digits_end[i + 1]
            after = spaces_end[digits_end[i]]
            unit = _word_at(text, after, _UNITS)
            number[i] = tail[after + unit] if unit else None
        if number[i] is not None:
            middle[i] = number[i]
        elif in_class(i, "-#"):
            middle[i] = middle[i + 1]
    # After the region prefix: [Han0-9A-Za-z]{1,20}? (lazy: the nearest road that leads to a number),
    # a road, `middle`. next_road[i]: the nearest position >= i where that works, and its end.
    rest: List[Optional[int]] = [None] * (n + 1)
    next_road: Optional[Tuple[int, int]] = None
    class_end = n  # where the run of [Han0-9A-Za-z] containing i ends
    for i in range(n - 1, -1, -1):
        road = _word_at(text, i + 1, _ROADS)
        if road and middle[i + 1 + road] is not None:
            next_road = (i + 1, middle[i + 1 + road])
        if not in_class(i):
            class_end = i
        elif next_road and next_road[0] <= min(i + 20, class_end):
            rest[i] = next_road[1]
    # The region prefix ([Han]{2,}?(?:省|自治区|市|区|县))*?: no prefix first; else a first piece
    # ending at each region end at least three Han characters on, nearest first, each followed by the
    # same search from there. That outcome depends only on the position reached, hence one pass.
    found: List[Optional[int]] = [None] * (n + 1)  # end of the match that starts at i
    after_region: List[Optional[int]] = [None] * (n + 2)  # `found` of the nearest useful region end
    for i in range(n, -1, -1):
        han = i < n and _is_han(text[i])
        if rest[i] is not None:
            found[i] = rest[i]
        elif han and i + 3 <= n and _is_han(text[i + 1]):
            found[i] = after_region[i + 3]
        if i >= 1 and _is_han(text[i - 1]):
            useful = text[i - 1] in _REGION_ENDS and found[i] is not None
            after_region[i] = found[i] if useful else after_region[i + 1]
    i = 0
    while i < n:
        if found[i] is not None:
            yield i, found[i]
            i = found[i]
        else:
            i += 1


def _mask_emails(text: str) -> str:
    """zhang.san@example.com -> z***@example.com: the first letter or digit of the name is kept."""
    pieces, last = [], 0
    at = text.find("@")
    while at != -1:
        start = at
        while start > last and text[start - 1] in _EMAIL_NAME_CHARS:
            start -= 1
        first = next((i for i in range(start, at) if _is_alnum(text[i])), None)
        domain = EMAIL_DOMAIN.match(text, at + 1) if first is not None else None
        if domain:
            pieces += [text[last:first], text[first], "***@", domain.group(0)]
            last = domain.end()
        at = text.find("@", max(last, at + 1))
    return "".join(pieces) + text[last:]


def _mask_zh_addresses(text: str) -> str:
    # The region up to the first province, city or district stays: useful for analytics, not personal.
    pieces, last = [], 0
    for start, end in _zh_address_spans(text):
        address = text[start:end]
        district = DISTRICT_END.match(address)
        pieces += [text[last:start], (district.group(1) if district else address[:2]) + "****"]
        last = end
    return "".join(pieces) + text[last:]


def _en_address(match: re.Match) -> str:
    def word(part: re.Match) -> str:
        text = part.group(0)
        return text[0] + _stars(text[1:]) if part.start() == 0 else _stars(text)
    return _EN_WORD.sub(word, match.group(0))


def _other_phone(match: re.Match) -> str:
    number = match.group(0)
    digits = _NON_DIGIT.sub("", number)
    if not 7 <= len(digits) <= 15:  # a date range or a long reference, not a phone number
        return number
    return f"{number[:3]}****{digits[-4:]}"


def mask_text(text):
    """The text with every piece of personal data it contains masked; non-text is returned as is."""
    if not isinstance(text, str) or not text:
        return text
    # Emails and ID cards go first: their digits would otherwise be taken for phone numbers.
    text = _mask_emails(text)
    text = ID_CARD.sub(r"\1********\2", text)
    text = CN_MOBILE.sub(r"\1****\2", text)
    text = _mask_zh_addresses(text)
    text = EN_ADDRESS.sub(_en_address, text)
    return OTHER_PHONE.sub(_other_phone, text)
