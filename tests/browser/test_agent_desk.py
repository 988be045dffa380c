"""The agent desk and the customer widget together, in real chromium, against real Rasa, Kafka,
Redis, the action server and the handoff service (the `apps` fixture).

The customer talks in the widget on the demo shop page; the agent works in the desk in a second
browser context. Screenshots of both pages at each step land in .run/results/browser/.
"""
import json
import os
import subprocess
import urllib.request
import sys
import uuid

import pytest
from playwright.sync_api import expect

from ops.paths import ROOT
from tests.browser.conftest import ARTEFACTS

pytestmark = [pytest.mark.services, pytest.mark.rasa]

PASSWORD = "a browser agent's password"
XSS = "<img src=x onerror=alert(1)>"
WAIT_MS = 30_000
# Records the desk's desktop notifications while letting the browser's own API do the rest.
RECORD_NOTIFICATIONS = """
window.__notifications = [];
const RealNotification = window.Notification;
window.Notification = class extends RealNotification {
  constructor(title, options) { super(title, options); window.__notifications.push(title); }
};
"""


def handoff_cli(apps, *args: str, password: str = "") -> None:
    done = subprocess.run([sys.executable, "-m", "handoff", *args], cwd=ROOT, input=password + "\n",
                          env={**os.environ, "HANDOFF_KEY_PREFIX": apps["handoff"].key_prefix},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


@pytest.fixture
def make_agent(apps):
    """make_agent(role) -> the name of a fresh agent (capacity 5: offers for earlier tests' customers
    may still be about); all disabled afterwards, so no later customer is offered to a closed page."""
    made = []

    def make(role: str = "agent") -> str:
        name = f"{role[:3]}{uuid.uuid4().hex[:6]}"
        handoff_cli(apps, "agent", "add", name, "--role", role, "--languages", "zh,en", "--capacity", "5",
                    "--skills", "orders,returns,product,complaint,general", password=PASSWORD)
        made.append(name)
        return name

    yield make
    for name in made:
        handoff_cli(apps, "agent", "disable", name)


@pytest.fixture
def agent_name(make_agent):
    return make_agent()


def open_desk(new_page, apps, name: str, page_name: str = "agent"):
    agent = new_page(page_name, permissions=["notifications"])
    agent.page.add_init_script(RECORD_NOTIFICATIONS)
    agent.page.goto(apps["handoff"].address() + "/")
    agent.page.fill("input[name=username]", name)
    agent.page.fill("input[name=password]", PASSWORD)
    agent.page.click("button[type=submit]")
    expect(agent.page.locator("body[data-ready=true]")).to_have_count(1, timeout=WAIT_MS)
    agent.page.select_option("[data-testid=presence]", "online")
    return agent


def open_widget(new_page, apps):
    customer = new_page("customer", locale="zh-CN")
    customer.page.goto(apps["handoff"].address() + "/shop")
    customer.page.click("[data-testid=cs-launcher]")
    return customer


def say(customer, text: str) -> None:
    customer.page.fill("[data-testid=cs-input]", text)
    customer.page.press("[data-testid=cs-input]", "Enter")


def accept(desk, conversation: str) -> None:
    desk.page.locator(f"[data-testid=offer][data-conversation='{conversation}'] [data-testid=accept]").click(
        timeout=WAIT_MS)


def customer_with_agent(new_page, apps, agent_name: str):
    """(agent page, customer page, conversation id) once the agent has accepted the customer's 转人工."""
    agent = open_desk(new_page, apps, agent_name)
    customer = open_widget(new_page, apps)
    say(customer, "转人工")
    conversation = customer.page.wait_for_function("csWidget.sessionId()").json_value()
    accept(agent, conversation)
    return agent, customer, conversation


def rasa_slots(apps, conversation: str) -> dict:
    url = f"{apps['rasa'].address()}/conversations/{conversation}/tracker?token={os.environ['RASA_TOKEN']}"
    with urllib.request.urlopen(url, timeout=30) as answer:
        return json.load(answer)["slots"]


def shot(watched, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    watched.page.screenshot(path=str(ARTEFACTS / f"desk-{name}.png"), full_page=True)


def bubbles(watched, actor: str):
    return watched.page.locator(f".cs-msg[data-actor={actor}]")


def test_customer_asks_for_a_person_agent_answers_and_hands_back(apps, new_page, agent_name):
    agent = open_desk(new_page, apps, agent_name)
    customer = open_widget(new_page, apps)
    say(customer, "你好")
    expect(bubbles(customer, "bot")).not_to_have_count(0, timeout=WAIT_MS)
    say(customer, "转人工")
    expect(customer.page.locator("[data-testid=cs-messages]")).to_contain_text("人工", timeout=WAIT_MS)
    conversation = customer.page.evaluate("csWidget.sessionId()")

    # The offer: a card, a count in the tab title, a desktop notification.
    offer = agent.page.locator(f"[data-testid=offer][data-conversation='{conversation}']")
    expect(offer).to_have_count(1, timeout=WAIT_MS)
    assert agent.page.title().startswith("(")
    assert "New conversation offered" in agent.page.evaluate("window.__notifications")
    offer.locator("[data-testid=accept]").click()

    # The bot's transcript first, with the intent of each customer message on hover, then the context.
    greeting = agent.page.locator("[data-testid=message][data-phase=bot][data-actor=customer]", has_text="你好")
    expect(greeting).to_have_count(1, timeout=WAIT_MS)
    assert greeting.get_attribute("title").startswith("intent: greet")
    expect(agent.page.locator("[data-testid=context]")).to_contain_text("request_human")
    expect(agent.page.locator("[data-testid=capacity]")).to_have_text("1 / 5")
    shot(agent, "accepted")

    # Live chat both ways; the customer sees the agent's name.
    say(customer, "我的快递三天没动了")
    expect(agent.page.locator("[data-testid=message][data-phase=live][data-actor=customer]",
                              has_text="我的快递三天没动了")).to_have_count(1, timeout=WAIT_MS)
    # Typing shows both ways: the customer's in the desk, the agent's in the widget.
    customer.page.fill("[data-testid=cs-input]", "还有")
    expect(agent.page.locator("[data-testid=typing]")).to_have_text("The customer is typing…", timeout=WAIT_MS)
    customer.page.fill("[data-testid=cs-input]", "")
    agent.page.fill("[data-testid=reply]", "您好，我是客服，马上帮您查")
    expect(customer.page.locator("[data-testid=cs-typing]")).to_contain_text(agent_name, timeout=WAIT_MS)
    agent.page.press("[data-testid=reply]", "Enter")
    reply = bubbles(customer, "agent").filter(has_text="马上帮您查")
    expect(reply).to_have_count(1, timeout=WAIT_MS)
    expect(reply.locator(".cs-agent-name")).to_contain_text(agent_name)
    shot(customer, "agent-reply")

    # Hand back with a slot the agent learned; the bot answers the customer's next question again.
    agent.page.click("[data-testid=handback]")
    agent.page.click("#add-slot")
    agent.page.fill("[data-testid=new-slot-name]", "order_id")
    agent.page.fill("[data-testid=new-slot-value]", "A10023")
    agent.page.click("#handback-confirm")
    expect(agent.page.locator("[data-testid=status]")).to_have_text("handed back", timeout=WAIT_MS)
    assert rasa_slots(apps, conversation)["order_id"] == "A10023"
    bot_answers = bubbles(customer, "bot").count()
    say(customer, "X200有降噪吗")
    expect(bubbles(customer, "bot")).not_to_have_count(bot_answers, timeout=WAIT_MS)
    expect(bubbles(customer, "bot").last).to_contain_text("X200", timeout=WAIT_MS)
    shot(agent, "handed-back")
    shot(customer, "bot-again")
    assert agent.errors == [] and customer.errors == []


def test_markup_in_messages_is_shown_as_text_on_both_sides(apps, new_page, agent_name):
    agent, customer, conversation = customer_with_agent(new_page, apps, agent_name)

    say(customer, XSS)
    on_desk = agent.page.locator("[data-testid=message][data-actor=customer]", has_text=XSS)
    expect(on_desk).to_have_count(1, timeout=WAIT_MS)
    agent.page.fill("[data-testid=reply]", XSS)
    agent.page.press("[data-testid=reply]", "Enter")
    in_widget = bubbles(customer, "agent").filter(has_text=XSS)
    expect(in_widget).to_have_count(1, timeout=WAIT_MS)

    assert agent.page.locator("[data-testid=transcript] img").count() == 0
    assert customer.page.locator("[data-testid=cs-messages] img").count() == 0
    assert agent.dialogs == [] and customer.dialogs == []
    shot(agent, "markup-as-text")
    shot(customer, "markup-as-text")

    # Closing asks the customer for a rating with buttons; a click answers it.
    agent.page.select_option("[data-testid=resolution]", "resolved")
    agent.page.click("[data-testid=close]")
    expect(agent.page.locator("[data-testid=status]")).to_have_text("rating", timeout=WAIT_MS)
    customer.page.locator(".cs-quick-reply", has_text="5").click(timeout=WAIT_MS)
    expect(customer.page.locator("[data-testid=cs-messages]")).to_contain_text("感谢您的评价", timeout=WAIT_MS)


def test_reloading_keeps_the_agents_conversations_and_the_customers_chat(apps, new_page, agent_name):
    agent, customer, conversation = customer_with_agent(new_page, apps, agent_name)
    say(customer, "我的手机号是13812345678")
    masked = agent.page.locator("[data-testid=message][data-actor=customer]", has_text="138****5678")
    expect(masked).to_have_count(1, timeout=WAIT_MS)
    assert agent.page.locator("[data-testid=transcript]", has_text="13812345678").count() == 0

    agent.page.reload()
    expect(agent.page.locator("body[data-ready=true]")).to_have_count(1, timeout=WAIT_MS)
    expect(agent.page.locator(f"[data-testid=conversation-item][data-conversation='{conversation}']")
           ).to_have_count(1)
    expect(masked).to_have_count(1, timeout=WAIT_MS)
    agent.page.click("[data-testid=reveal]")
    expect(agent.page.locator("[data-testid=transcript]")).to_contain_text("13812345678")

    # The customer leaves the page; the agent answers meanwhile; the answer is there when they return.
    shop = customer.page.url
    customer.page.goto("about:blank")
    agent.page.fill("[data-testid=reply]", "收到，已为您备注")
    agent.page.press("[data-testid=reply]", "Enter")
    expect(agent.page.locator("[data-testid=message][data-actor=agent]:not(.pending)", has_text="已为您备注")
           ).to_have_count(1, timeout=WAIT_MS)
    customer.page.goto(shop)
    expect(customer.page.locator("[data-testid=cs-messages]")).to_contain_text("13812345678", timeout=WAIT_MS)
    assert customer.page.evaluate("csWidget.sessionId()") == conversation
    expect(bubbles(customer, "agent").filter(has_text="已为您备注")).to_have_count(1, timeout=WAIT_MS)

    customer.page.reload()  # nothing shown twice after another reload, and live messages still arrive
    agent.page.fill("[data-testid=reply]", "还有别的问题吗")
    agent.page.press("[data-testid=reply]", "Enter")
    expect(bubbles(customer, "agent").filter(has_text="还有别的问题吗")).to_have_count(1, timeout=WAIT_MS)
    expect(bubbles(customer, "agent").filter(has_text="已为您备注")).to_have_count(1)
    assert agent.errors == [] and customer.errors == []


def test_a_supervisor_sees_loads_and_reassigns_a_conversation(apps, new_page, make_agent):
    first, second, boss = make_agent(), make_agent(), make_agent("supervisor")
    first_desk = open_desk(new_page, apps, first, "first-agent")
    customer = open_widget(new_page, apps)
    say(customer, "转人工")
    conversation = customer.page.wait_for_function("csWidget.sessionId()").json_value()
    accept(first_desk, conversation)
    second_desk = open_desk(new_page, apps, second, "second-agent")

    supervisor = open_desk(new_page, apps, boss, "supervisor")
    supervisor.page.click("#tab-supervisor")
    expect(supervisor.page.locator(f"#agents tr[data-agent={first}]")).to_contain_text("1 / 5", timeout=WAIT_MS)
    expect(supervisor.page.locator(f"#agents tr[data-agent={second}]")).to_contain_text("online")
    row = supervisor.page.locator("#sup-open tr", has=supervisor.page.locator(f"td:text-is('{first}')"))
    expect(row).to_have_count(1, timeout=WAIT_MS)
    shot(supervisor, "supervisor")
    row.locator("select").select_option(second)
    row.locator("[data-testid=reassign]").click()

    offer = second_desk.page.locator(f"[data-testid=offer][data-conversation='{conversation}']")
    expect(offer).to_have_count(1, timeout=WAIT_MS)
    offer.locator("[data-testid=accept]").click()
    expect(first_desk.page.locator(f"[data-testid=conversation-item][data-conversation='{conversation}']")
           ).to_have_count(0, timeout=WAIT_MS)
    expect(supervisor.page.locator(f"#agents tr[data-agent={second}]")).to_contain_text("1 / 5", timeout=WAIT_MS)
    assert first_desk.errors == [] and second_desk.errors == [] and supervisor.errors == []


MASKING_CASES = {
    "我的手机是13812345678": "我的手机是138****5678",
    "邮箱 zhang.san@example.com": "邮箱 z***@example.com",
    "身份证 110101199003071234": "身份证 110101********1234",
    "送到上海市浦东新区世纪大道100号2栋301室": "送到上海市****",
    "send it to 221B Baker Street please": "send it to 2*** ***** ****** please",
    "call +1 415-555-2671": "call +1 ****2671",
    "where is my order A10023?": "where is my order A10023?",
    "X200有降噪吗": "X200有降噪吗",
}


def test_personal_data_is_masked_in_zh_and_en_and_order_ids_are_not(apps, new_page):
    page = new_page("masking").page
    page.goto(apps["handoff"].address() + "/")
    masked = page.evaluate("""async (cases) => {
        const { maskText } = await import("/agent/mask.js");
        return Object.fromEntries(cases.map((text) => [text, maskText(text)]));
    }""", list(MASKING_CASES))
    assert masked == MASKING_CASES
