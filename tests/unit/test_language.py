import pytest

from bot.language import detect_language


@pytest.mark.parametrize(
    "text, expected",
    [
        ("hello", "en"),
        ("你好", "zh"),
        ("我的order到哪了", "zh"),  # mixed: Chinese frame around one English word
        ("X200有降噪吗", "zh"),  # model names are not English words
        ("Does the X200 have noise cancelling?", "en"),
        ("where is A10023", "en"),
        ("ＨＥＬＬＯ", "en"),  # full-width Latin letters
        ("ok的", "zh"),
        ("A10023", None),  # an order id alone says nothing about the language
        ("13812345678", None),
        ("😀😀", None),
        ("", None),
        (None, None),
    ],
)
def test_detect_language(text, expected):
    assert detect_language(text) == expected
