"""The customer chat widget on the demo shop page, in a real browser, against the real Rasa server.

Nothing is mocked: the page comes from the handoff service, the widget talks socket.io to Rasa,
and the replies come from the trained model and the action server.
"""
import json
import re
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import Locator, Page, expect

pytestmark = [pytest.mark.services, pytest.mark.rasa]

REPLY_TIMEOUT = 20_000  # ms; Rasa takes a few seconds on a cold model
CUSTOMER = '.cs-msg[data-actor="customer"]'
BOT = '.cs-msg[data-actor="bot"]'
CHINESE = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_ONLY = re.compile(r"^[^\u4e00-\u9fff]*[A-Za-z][^\u4e00-\u9fff]*$")
XSS = "<img src=x onerror=alert(1)>"


def open_shop(new_page, apps, name: str = "customer", **context_options):
    """The shop page with the widget open and connected to Rasa."""
    watched = new_page(name, **context_options)
    page = watched.page
    page.goto(apps["handoff"].address() + "/shop")
    page.get_by_test_id("cs-launcher").click()
    expect(page.get_by_test_id("cs-panel")).to_be_visible()
    expect_online(page)
    return watched


def expect_online(page: Page) -> None:
    expect(page.get_by_test_id("cs-status")).to_have_attribute("data-state", "online", timeout=REPLY_TIMEOUT)


def type_message(page: Page, text: str) -> Locator:
    """Types `text` and presses Enter; returns the customer's new message."""
    mine = page.locator(CUSTOMER)
    count = mine.count()
    page.get_by_test_id("cs-input").fill(text)
    page.get_by_test_id("cs-input").press("Enter")
    expect(mine).to_have_count(count + 1)
    return mine.nth(count)


def reply_to(message: Locator) -> Locator:
    """The first bot message after `message`, once it has arrived."""
    reply = message.locator("xpath=following-sibling::div[@data-actor='bot'][1]")
    expect(reply).to_be_visible(timeout=REPLY_TIMEOUT)
    return reply


def say(page: Page, text: str) -> Locator:
    mine = type_message(page, text)
    expect(mine).to_have_text(text)
    return reply_to(mine)


def rasa_post(apps, path: str, body: dict, token: str) -> dict:
    request = urllib.request.Request(f"{apps['rasa'].address()}{path}?{urllib.parse.urlencode({'token': token})}",
                                     data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def user_texts_in_tracker(apps, session_id: str, token: str) -> list:
    query = urllib.parse.urlencode({"token": token})
    url = f"{apps['rasa'].address()}/conversations/{urllib.parse.quote(session_id)}/tracker?{query}"
    with urllib.request.urlopen(url, timeout=10) as response:
        events = json.load(response)["events"]
    return [event.get("text") for event in events if event["event"] == "user"]


def test_bot_answers_in_the_language_of_each_message(apps, new_page):
    watched = open_shop(new_page, apps)
    page = watched.page

    chinese = say(page, "你好")
    expect(chinese).to_have_text(CHINESE)
    english = say(page, "hello")
    expect(english).to_have_text(ENGLISH_ONLY)

    # Customer on the right, bot on the left.
    customer_box = page.locator(CUSTOMER).last.bounding_box()
    bot_box = english.bounding_box()
    assert customer_box["x"] + customer_box["width"] > bot_box["x"] + bot_box["width"]
    assert customer_box["x"] > bot_box["x"]
    assert watched.errors == []


def test_message_text_is_never_html(apps, new_page):
    watched = open_shop(new_page, apps)
    page = watched.page

    mine = type_message(page, XSS)
    reply_to(mine)

    assert mine.text_content() == XSS
    assert mine.locator(".cs-bubble").inner_text() == XSS
    expect(page.get_by_test_id("cs-messages").locator("img")).to_have_count(0)
    assert watched.dialogs == []
    assert watched.errors == []


def test_reload_keeps_the_session_history_and_open_panel(apps, new_page, rasa_token):
    watched = open_shop(new_page, apps)
    page = watched.page
    say(page, "你好")
    session_id = page.evaluate("csWidget.sessionId()")
    assert session_id
    messages = page.locator(".cs-msg")
    shown_before = messages.all_text_contents()

    page.reload()

    expect(page.get_by_test_id("cs-panel")).to_be_visible()
    expect(messages).to_have_text(shown_before)
    assert page.evaluate("csWidget.sessionId()") == session_id
    expect_online(page)
    reply = say(page, "我的订单 A10023 到哪了？")
    expect(reply).to_have_text(CHINESE)
    # Rasa saw both messages in the one conversation, so it is the same session server-side too.
    assert user_texts_in_tracker(apps, session_id, rasa_token) == ["你好", "我的订单 A10023 到哪了？"]
    assert watched.errors == []


def test_quick_reply_sends_its_payload_and_shows_its_title(apps, new_page, rasa_token):
    watched = open_shop(new_page, apps)
    page = watched.page
    buttons = page.locator(".cs-quick-reply")

    say(page, "asdkjh qwpoeiru zxmnb")  # not understood: the bot asks to rephrase, with buttons
    expect(buttons).to_have_count(4, timeout=REPLY_TIMEOUT)
    title = buttons.first.inner_text()
    buttons.first.click()

    mine = page.locator(CUSTOMER).last
    expect(mine).to_have_text(title)
    expect(buttons).to_have_count(0)
    reply_to(mine)
    # Rasa got the button's payload (an /intent), not its title.
    sent = user_texts_in_tracker(apps, page.evaluate("csWidget.sessionId()"), rasa_token)
    assert sent[-1].startswith("/") and sent[-1] != title, sent
    assert watched.errors == []


def test_ui_language_follows_the_browser_and_the_switch(apps, new_page):
    watched = new_page("english", locale="en-US")
    page = watched.page
    page.goto(apps["handoff"].address() + "/shop")
    page.get_by_test_id("cs-launcher").click()
    panel = page.get_by_test_id("cs-panel")
    expect(panel.locator(".cs-title")).to_have_text("Customer service")
    expect(page.get_by_test_id("cs-send")).to_have_text("Send")

    panel.locator('.cs-lang-option[data-lang="zh"]').click()
    expect(panel.locator(".cs-title")).to_have_text("在线客服")
    expect(page.get_by_test_id("cs-input")).to_have_attribute("placeholder", CHINESE)
    page.reload()  # the choice is remembered
    expect(panel.locator(".cs-title")).to_have_text("在线客服")
    assert watched.errors == []


def test_messages_typed_while_disconnected_are_sent_after_reconnecting(apps, new_page, rasa_token):
    watched = new_page("customer")
    page = watched.page
    sockets, cut_off = [], {"now": False}

    def relay(ws):
        """Passes the widget's socket through to Rasa, or drops it while 'cut off'."""
        if cut_off["now"]:
            ws.close()
            return
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket(re.compile(r"/socket\.io/"), relay)
    page.goto(apps["handoff"].address() + "/shop")
    page.evaluate("csWidget.open()")
    expect_online(page)
    say(page, "你好")

    cut_off["now"] = True
    for ws in sockets:
        ws.close()
    expect(page.get_by_test_id("cs-status")).to_have_attribute("data-state", "reconnecting")
    first = type_message(page, "我的订单 A10023 到哪了？")
    second = type_message(page, "hello")
    expect(first).to_have_attribute("data-state", "sending")
    expect(second).to_have_attribute("data-state", "sending")

    cut_off["now"] = False
    expect_online(page)
    expect(first).not_to_have_attribute("data-state", "sending")
    expect(second).not_to_have_attribute("data-state", "sending")
    # Both replies come after both messages (they were shown while queued); "hello" gets English.
    replies = second.locator("xpath=following-sibling::div[@data-actor='bot']")
    expect(replies.filter(has_text=ENGLISH_ONLY).first).to_be_visible(timeout=REPLY_TIMEOUT)
    expect(replies.filter(has_text=CHINESE).first).to_be_visible()
    sent = user_texts_in_tracker(apps, page.evaluate("csWidget.sessionId()"), rasa_token)
    assert sent == ["你好", "我的订单 A10023 到哪了？", "hello"]
    assert watched.errors == []


def test_agent_typing_shows_for_a_few_seconds(apps, new_page, rasa_token):
    watched = open_shop(new_page, apps)
    page = watched.page
    say(page, "你好")
    typing = page.get_by_test_id("cs-typing")
    expect(typing).to_be_hidden()

    # What the handoff service sends while an agent types (bot/webchat.py).
    session_id = page.evaluate("csWidget.sessionId()")
    assert rasa_post(apps, "/webhooks/socketio/typing", {"session_id": session_id, "agent": "王"},
                     rasa_token) == {"status": "sent"}
    expect(typing).to_have_text("客服 王 正在输入…")
    expect(typing).to_be_hidden(timeout=8_000)
    assert watched.errors == []

