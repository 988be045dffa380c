// The right column: the context packet the bot handed over (who, why, what the bot understood,
// the slots it filled, the order and knowledge facts it looked up), personal data masked.
import { el, replaceChildren } from "./dom.js";
import { maskSlot, maskText } from "./mask.js";

const $ = (id) => document.getElementById(id);
let drawn = "";

function pairs(entries) {
  return el("dl", {}, entries.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value ?? "")]));
}

export function renderContext(desk) {
  const handoff = desk.selectedHandoff();
  const revealed = handoff && desk.revealed.has(handoff.id);
  const signature = JSON.stringify([handoff?.id, handoff?.status, revealed]);
  if (signature === drawn) return;
  drawn = signature;
  if (!handoff) { replaceChildren($("context")); return; }
  const context = handoff.context || {};
  const show = (text) => (revealed ? text : maskText(text));
  const slots = Object.entries(context.slots || {});
  replaceChildren($("context"),
    el("h2", {}, "Customer"),
    pairs([["id", handoff.customer_id || "not logged in"], ["tier", handoff.tier],
           ["channel", handoff.channel], ["language", handoff.language]]),
    el("h2", {}, "Why a person"),
    pairs([["reason", handoff.reason], ["topic", handoff.topic], ["skill", handoff.skill],
           ["priority", handoff.priority]]),
    el("h2", {}, "What the bot understood"),
    pairs((context.intent_ranking || []).map((entry) =>
      [entry.name, typeof entry.confidence === "number" ? entry.confidence.toFixed(2) : ""])),
    el("h2", {}, "Slots"),
    slots.length ? el("div", { "data-testid": "slots" },
      pairs(slots.map(([name, value]) => [name, revealed ? JSON.stringify(value) : maskSlot(name, value)])))
      : el("p", { class: "muted" }, "none filled"),
    el("h2", {}, "Orders and facts the bot looked up"),
    (context.facts || []).length
      ? (context.facts || []).map((fact) => el("div", { class: "fact", "data-testid": "fact" },
          el("strong", {}, fact.source.replace(/^action_/, "").replaceAll("_", " ")), "\n", show(fact.text)))
      : el("p", { class: "muted" }, "nothing looked up"));
}
