// The supervisor tab: every agent with presence and load, the queue with SLA flags (supervisors
// may take a waiting conversation), and every open conversation: how long its customer has waited
// for an answer (flagged past the SLA) and a reassign control.
import { el, minutesSeconds, replaceChildren } from "./dom.js";

const $ = (id) => document.getElementById(id);

function agentRow(agent) {
  return el("tr", { dataset: { agent: agent.name } },
    el("td", {}, agent.name, agent.disabled ? " (disabled)" : ""), el("td", {}, agent.role),
    el("td", {}, agent.presence), el("td", {}, `${agent.load} / ${agent.capacity}`),
    el("td", {}, agent.languages.join(", ")), el("td", {}, agent.skills.join(", ")));
}

function queueRow(desk, item) {
  const waited = desk.now() - item.queued_at;
  const late = waited > (desk.limits.sla_seconds || Infinity);
  return el("tr", { class: late ? "late" : "", dataset: { id: item.id, testid: "sup-queue-row" } },
    el("td", {}, item.position), el("td", {}, minutesSeconds(waited)),
    el("td", {}, late ? el("span", { class: "tag sla" }, "past SLA") : "ok"),
    el("td", {}, item.priority), el("td", {}, item.language), el("td", {}, item.tier), el("td", {}, item.topic),
    el("td", {}, item.status === "offered" ? `offered to ${item.offered_to}` : item.status),
    el("td", {}, el("button", { type: "button", onclick: () => desk.accept(item.id) }, "Take")));
}

function reassignControl(desk, handoff) {
  const choices = desk.agents.filter((a) => a.name !== handoff.agent && a.role !== "admin" && !a.disabled);
  const select = el("select", { "aria-label": "Reassign to" },
    choices.map((a) => el("option", { value: a.name }, `${a.name} (${a.presence}, ${a.load}/${a.capacity})`)));
  return [select, el("button", { type: "button", "data-testid": "reassign", disabled: !choices.length,
    onclick: () => desk.transfer(handoff.id, { agent: select.value }) }, "Reassign")];
}

function awaitingReply(desk, handoff) {
  if (!handoff.awaiting_reply_since) return { text: "answered", late: false };
  const waited = desk.now() - handoff.awaiting_reply_since;
  return { text: minutesSeconds(waited), late: waited > (desk.limits.sla_seconds || Infinity) };
}

function openRow(desk, handoff) {
  const awaiting = awaitingReply(desk, handoff);
  return el("tr", { class: awaiting.late ? "late" : "", dataset: { id: handoff.id, testid: "sup-open-row" } },
    el("td", {}, handoff.customer_id || handoff.id), el("td", {}, handoff.agent),
    el("td", {}, minutesSeconds(desk.now() - (handoff.accepted_at || handoff.queued_at))),
    el("td", {}, awaiting.text, awaiting.late ? el("span", { class: "tag sla" }, "past SLA") : null),
    el("td", {}, handoff.language), el("td", {}, handoff.topic), el("td", {}, reassignControl(desk, handoff)));
}

export function renderSupervisor(desk) {
  if ($("supervisor-view").hidden) return;
  // Redrawing a focused select would close it under the supervisor's mouse.
  if ($("supervisor-view").contains(document.activeElement) && document.activeElement.tagName === "SELECT") return;
  replaceChildren($("agents"), desk.agents.map(agentRow));
  replaceChildren($("sup-queue"), desk.queue.map((item) => queueRow(desk, item)));
  const assigned = [...desk.handoffs.values()].filter((h) => h.status === "assigned");
  replaceChildren($("sup-open"), assigned.map((h) => openRow(desk, h)));
  replaceChildren($("agent-names"), desk.agents.map((a) => el("option", { value: a.name })));
}
