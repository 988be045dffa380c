// Handing back to the bot: a dialog with the conversation's slots, editable. Personal slots stay
// masked and read-only unless the agent revealed the conversation's personal data.
import { el, replaceChildren } from "./dom.js";
import { isPersonalSlot, maskSlot } from "./mask.js";

const $ = (id) => document.getElementById(id);

function slotRow(name, value, editable) {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const input = el("input", { name, value: editable ? text : maskSlot(name, value), readonly: !editable,
                              "data-testid": `slot-${name}`, "data-original": text });
  return [el("label", { for: name }, name), input];
}

/** What the agent changed: typed values parsed as JSON when they are JSON (numbers, true, lists). */
function changedSlots(fields) {
  const slots = {};
  for (const input of fields.querySelectorAll("input:not([readonly]):not(.slot-name)")) {
    const name = input.name || input.dataset.newName?.trim();
    if (!name || input.value === input.dataset.original) continue;
    let value = input.value;
    try { value = JSON.parse(value); } catch { /* plain text */ }
    slots[name] = value === "" ? null : value;
  }
  return slots;
}

export function openHandBack(desk, handoff) {
  const dialog = $("handback-dialog");
  const fields = $("slot-fields");
  const slots = (handoff.context && handoff.context.slots) || {};
  const revealed = desk.revealed.has(handoff.id);
  replaceChildren(fields, Object.entries(slots).map(([name, value]) =>
    slotRow(name, value, revealed || !isPersonalSlot(name))));
  $("add-slot").onclick = () => {
    const name = el("input", { class: "slot-name", placeholder: "slot name", "data-testid": "new-slot-name" });
    const value = el("input", { placeholder: "value", "data-original": "", "data-testid": "new-slot-value" });
    name.oninput = () => { value.dataset.newName = name.value; };
    fields.append(name, value);
  };
  dialog.onclose = () => {
    if (dialog.returnValue === "confirm") desk.handBack(handoff.id, changedSlots(fields));
  };
  dialog.showModal();
}
