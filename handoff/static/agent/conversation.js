// The middle column: the bot's part of the conversation first (each customer message with its
// intent and confidence on hover), then the live chat, who is typing, the actions and the composer.
import { clockTime, el, replaceChildren } from "./dom.js";
import { maskText } from "./mask.js";
import { openHandBack } from "./handback.js";

const $ = (id) => document.getElementById(id);
let drawn = "";  // what the transcript shows now; redrawn only when it changes

function intentHint(turn) {
  if (!turn.intent) return null;
  const confidence = typeof turn.confidence === "number" ? ` (${turn.confidence.toFixed(2)})` : "";
  return `intent: ${turn.intent}${confidence}`;
}

function bubble(desk, handoff, message, phase) {
  const shown = desk.revealed.has(handoff.id) ? message.text : maskText(message.text);
  const who = message.actor === "agent" ? message.agent
    : message.actor === "customer" ? "Customer" : message.actor === "bot" ? "Bot" : "";
  const hint = intentHint(message);
  const node = el("li", {
    class: `msg${message.pending ? " pending" : ""}${message.failed ? " failed" : ""}`,
    title: message.failed ? `not sent: ${message.failed} (click to retry)` : hint,
    dataset: { actor: message.actor, phase, testid: "message" },
  },
  el("span", { class: "who" }, who, " ", clockTime(message.timestamp),
     hint ? el("span", { class: "intent" }, hint) : null),
  shown);
  if (message.failed) node.addEventListener("click", () => desk.resend(handoff.id, message));
  return node;
}

function transcriptItems(desk, handoff) {
  const turns = (handoff.context && handoff.context.last_turns) || [];
  const live = desk.messages.get(handoff.id) || [];
  return [
    ...turns.map((turn) => bubble(desk, handoff, turn, "bot")),
    el("li", { class: "separator" }, `handed over: ${handoff.reason} · live chat below`),
    ...live.map((message) => bubble(desk, handoff, message, "live")),
  ];
}

function header(desk, handoff) {
  const reveal = el("button", {
    type: "button", "data-testid": "reveal",
    onclick: () => {
      if (desk.revealed.has(handoff.id)) desk.revealed.delete(handoff.id); else desk.revealed.add(handoff.id);
      desk.redraw();
    },
  }, desk.revealed.has(handoff.id) ? "Hide personal data" : "Show personal data");
  return [
    el("strong", {}, handoff.customer_id || "guest customer"),
    el("span", { class: `tag ${handoff.tier}` }, handoff.tier),
    el("span", { class: "tag" }, handoff.language),
    el("span", { class: "tag" }, handoff.channel),
    el("span", { class: "muted", "data-testid": "status" }, handoff.status.replace("_", " ")),
    reveal,
  ];
}

function actionBar(desk, handoff) {
  if (handoff.status === "offered" && handoff.offered_to === desk.me.name
      || desk.isSupervisor && ["queued", "offered"].includes(handoff.status)) {
    return [el("button", { class: "primary", type: "button", onclick: () => desk.accept(handoff.id) }, "Accept")];
  }
  if (!desk.canAct(handoff)) return [];
  const skill = el("select", { "aria-label": "Transfer to a skill", "data-testid": "transfer-skill" },
    el("option", { value: "" }, "…or a skill"),
    (desk.limits.skills || []).map((name) => el("option", { value: name }, name)));
  const agent = el("input", { placeholder: "agent name", size: 10, list: "agent-names",
                              "aria-label": "Transfer to an agent", "data-testid": "transfer-agent" });
  const resolution = el("select", { "aria-label": "Resolution", "data-testid": "resolution" },
    (desk.limits.resolutions || []).map((code) => el("option", { value: code }, code.replace("_", " "))));
  return [
    el("button", { type: "button", "data-testid": "handback",
                   onclick: () => openHandBack(desk, handoff) }, "Hand back to bot"),
    el("span", { class: "muted" }, "Transfer to"), agent, skill,
    el("button", { type: "button", "data-testid": "transfer", onclick: () => {
      const target = agent.value.trim() ? { agent: agent.value.trim() } : skill.value ? { skill: skill.value } : null;
      if (target) desk.transfer(handoff.id, target); else desk.showBanner("Choose an agent or a skill to transfer to.");
    } }, "Transfer"),
    el("span", { class: "muted" }, "Close as"), resolution,
    el("button", { type: "button", "data-testid": "close",
                   onclick: () => desk.close(handoff.id, resolution.value) }, "Close"),
  ];
}

function typingLine(desk, handoff) {
  const typing = desk.typing.get(handoff.id);
  return typing && typing.until > Date.now() ? `${typing.who} is typing…` : "";
}

export function renderConversation(desk) {
  const handoff = desk.selectedHandoff();
  const list = $("transcript");
  $("typing").textContent = handoff ? typingLine(desk, handoff) : "";
  const live = handoff ? desk.messages.get(handoff.id) || [] : [];
  const signature = handoff ? JSON.stringify([handoff.id, handoff.status, handoff.agent, desk.revealed.has(handoff.id),
    live.length, live.filter((m) => m.pending || m.failed).length, desk.me.name]) : "none";
  if (signature === drawn) return;
  drawn = signature;
  $("composer").hidden = !desk.canAct(handoff);
  if (!handoff) {
    replaceChildren($("conversation-head"));
    replaceChildren($("actions"));
    replaceChildren(list, el("li", { class: "empty" }, "Accept an offer or pick a conversation."));
    return;
  }
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  replaceChildren($("conversation-head"), header(desk, handoff));
  replaceChildren($("actions"), actionBar(desk, handoff));
  replaceChildren(list, transcriptItems(desk, handoff));
  if (atBottom || live.length) list.scrollTop = list.scrollHeight;
  fillCanned(desk, handoff);
}

function fillCanned(desk, handoff) {
  const select = $("canned");
  const entries = desk.canned[handoff.language] || [];
  replaceChildren(select, el("option", { value: "" }, `Canned responses (${handoff.language})…`),
    entries.map((entry, index) => el("option", { value: String(index) }, entry.title)));
  select.onchange = () => {
    const entry = entries[Number(select.value)];
    if (entry) {
      const reply = $("reply");
      reply.value = entry.text.replaceAll("{agent}", desk.me.name);
      reply.focus();
    }
    select.value = "";
  };
}

/** The composer: Enter sends, Shift+Enter is a new line. */
export function wireComposer(desk) {
  const reply = $("reply");
  const submit = async () => {
    const handoff = desk.selectedHandoff();
    const text = reply.value.trim();
    if (!handoff || !text) return;
    const max = desk.limits.max_message_chars;
    if (max && text.length > max) {
      desk.showBanner(`The message is ${text.length} characters; the limit is ${max}.`);
      return;
    }
    reply.value = "";
    await desk.send(handoff.id, text);  // a failed message stays in the chat, marked, click to retry
  };
  $("composer").onsubmit = (event) => { event.preventDefault(); submit(); };
  reply.onkeydown = (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); submit(); }
  };
  reply.oninput = () => { if (desk.selected) desk.typed(desk.selected); };
}
