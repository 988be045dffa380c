// The left column: offers (with Accept), the agent's conversations (with unread counts), the queue.
import { el, minutesSeconds, replaceChildren } from "./dom.js";

const $ = (id) => document.getElementById(id);

function tags(handoff) {
  return [
    el("span", { class: "tag" }, handoff.language),
    el("span", { class: `tag ${handoff.tier}` }, handoff.tier),
    handoff.priority === "complaint" ? el("span", { class: "tag complaint" }, "complaint") : null,
    el("span", { class: "tag" }, handoff.topic),
  ];
}

function offerItem(desk, handoff) {
  return el("li", { class: "item offer", dataset: { id: handoff.id, conversation: handoff.conversation_id, testid: "offer" } },
    el("div", { class: "line" }, el("strong", {}, "Offered"), ...tags(handoff)),
    el("div", { class: "muted" }, `reason: ${handoff.reason} · waiting ${minutesSeconds(desk.now() - handoff.queued_at)}`),
    el("button", { class: "primary", type: "button", "data-testid": "accept",
                   onclick: () => desk.accept(handoff.id) }, "Accept"));
}

function conversationItem(desk, handoff) {
  const unread = desk.unread.get(handoff.id);
  const open = handoff.status === "assigned";
  return el("li", {
    class: `item${handoff.id === desk.selected ? " selected" : ""}`,
    dataset: { id: handoff.id, conversation: handoff.conversation_id, testid: "conversation-item",
               status: handoff.status },
    onclick: () => desk.select(handoff.id),
  },
  el("div", { class: "line" }, el("strong", {}, handoff.customer_id || "guest"), ...tags(handoff),
     unread ? el("span", { class: "unread" }, unread) : null),
  el("div", { class: "muted" }, open ? `since ${minutesSeconds(desk.now() - (handoff.accepted_at || handoff.queued_at))}`
                                       : `${handoff.status.replace("_", " ")}`));
}

function queueRow(desk, item) {
  const waited = desk.now() - item.queued_at;
  const late = desk.limits.sla_seconds && waited > desk.limits.sla_seconds;
  return el("tr", { class: late ? "late" : "", dataset: { id: item.id } },
    el("td", {}, item.position),
    el("td", {}, minutesSeconds(waited), late ? el("span", { class: "tag sla" }, " SLA") : null),
    el("td", {}, item.priority), el("td", {}, item.language), el("td", {}, item.tier),
    el("td", {}, item.topic), el("td", {}, item.status === "offered" ? `offered to ${item.offered_to}` : item.status));
}

export function renderLists(desk) {
  const handoffs = [...desk.handoffs.values()];
  replaceChildren($("offers"), handoffs.filter((h) => desk.offers.has(h.id)).map((h) => offerItem(desk, h)));
  const mine = handoffs.filter((h) => h.agent === desk.me.name && !desk.offers.has(h.id));
  replaceChildren($("mine"), mine.length ? mine.map((h) => conversationItem(desk, h))
                                         : el("li", { class: "muted" }, "None yet"));
  replaceChildren($("queue"), desk.queue.map((item) => queueRow(desk, item)));
  $("queue-count").textContent = `(${desk.queue.length})`;
  const held = desk.held().length;
  const capacity = $("capacity");
  capacity.textContent = `${held} / ${desk.me.capacity}`;
  capacity.classList.toggle("full", held >= desk.me.capacity);
  $("me").textContent = `${desk.me.name} (${desk.me.role})`;
  $("presence").value = desk.presence;
  $("tab-supervisor").hidden = !desk.isSupervisor;
}
