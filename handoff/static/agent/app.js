// The agent desk: logs in, keeps the desk's state from the WebSocket's frames, and sends what the
// agent does. Drawing is in the view modules; each takes the desk and redraws its part.
import { ApiError, call, login, session } from "./api.js";
import { AgentSocket } from "./socket.js";
import { announceOffer, askForDesktopNotifications, canAskForDesktopNotifications, setBadge } from "./notify.js";
import { renderLists } from "./lists.js";
import { renderConversation, wireComposer } from "./conversation.js";
import { renderContext } from "./context.js";
import { renderSupervisor } from "./supervisor.js";

const $ = (id) => document.getElementById(id);
const OPEN_STATES = new Set(["queued", "offered", "assigned"]);
const TYPING_SHOWN_MS = 4000;
const TYPING_SENT_EVERY_MS = 2500;

class Desk {
  constructor() {
    this.me = null;               // the hello frame's `me`: name, role, capacity, languages, skills
    this.presence = "offline";
    this.limits = {};
    this.clockOffset = 0;         // server time minus local time, for waiting times
    this.handoffs = new Map();    // id -> handoff this agent may see
    this.messages = new Map();    // id -> live messages, in order
    this.loaded = new Set();      // ids whose message log was fetched
    this.offers = new Set();
    this.unread = new Map();
    this.typing = new Map();      // id -> {who, until}
    this.revealed = new Set();    // ids whose personal data the agent chose to see
    this.queue = [];
    this.agents = [];
    this.canned = { zh: [], en: [] };
    this.selected = null;
    this.socket = null;
    this.lastTypingSent = 0;
    this.localRef = 0;
    this.redrawQueued = false;
    this.agentsRefresh = null;  // a pending fetch of the agents' list (refreshAgentsSoon)
  }

  get isSupervisor() { return this.me && this.me.role !== "agent"; }
  now() { return Date.now() / 1000 + this.clockOffset; }
  held() {
    return [...this.handoffs.values()].filter((h) => h.status === "assigned" && h.agent === this.me?.name);
  }
  selectedHandoff() { return this.handoffs.get(this.selected) || null; }
  canAct(handoff) {
    return handoff && handoff.status === "assigned" && (handoff.agent === this.me.name || this.isSupervisor);
  }

  redraw() {
    if (this.redrawQueued) return;
    this.redrawQueued = true;
    requestAnimationFrame(() => {
      this.redrawQueued = false;
      renderLists(this);
      renderConversation(this);
      renderContext(this);
      if (this.isSupervisor) renderSupervisor(this);
      setBadge(this.offers.size);
    });
  }

  /** Waiting times and SLA flags move on their own; the conversation only redraws on change. */
  tick() {
    if (!this.me) return;
    renderLists(this);
    if (this.isSupervisor) renderSupervisor(this);
  }

  showBanner(text) {
    const banner = $("banner");
    banner.textContent = text || "";
    banner.hidden = !text;
  }

  // --- frames from the service ---------------------------------------------------------------
  onFrame(frame) {
    const handler = {
      hello: () => this.hello(frame),
      offer: () => this.offered(frame.handoff),
      offer_withdrawn: () => this.withdrawn(frame.handoff_id),
      assigned: () => this.assigned(frame.handoff),
      message: () => this.addMessage(frame.handoff_id, frame.message),
      typing: () => this.someoneTyping(frame),
      handoff_updated: () => this.updated(frame.handoff),
      presence: () => {},  // the agents' list is fetched again below
      queue: () => { this.queue = frame.waiting; },
    }[frame.type];
    if (!handler) return;
    handler();
    // Loads and presences changed: the supervisor's agents list, fetched at most twice a second.
    if (["assigned", "handoff_updated", "presence"].includes(frame.type)) this.refreshAgentsSoon();
    this.redraw();
  }

  hello(frame) {
    this.me = frame.me;
    this.presence = frame.presence;
    this.limits = frame.limits;
    this.clockOffset = frame.at - Date.now() / 1000;
    this.queue = frame.queue;
    const visible = new Set(frame.handoffs.map((h) => h.id));
    for (const id of [...this.handoffs.keys()]) {
      if (!visible.has(id) && OPEN_STATES.has(this.handoffs.get(id).status)) this.handoffs.delete(id);
    }
    this.offers.clear();
    for (const handoff of frame.handoffs) {
      this.handoffs.set(handoff.id, handoff);
      if (handoff.status === "offered" && handoff.offered_to === this.me.name) this.offers.add(handoff.id);
    }
    // After a reload or a reconnect: the conversations this agent holds, with everything said so far.
    this.loaded.clear();
    for (const handoff of this.held()) this.loadMessages(handoff.id);
    if (!this.selected && this.held().length) this.selected = this.held()[0].id;
    document.body.dataset.ready = "true";
    this.refreshAgents();
  }

  offered(handoff) {
    this.handoffs.set(handoff.id, handoff);
    this.offers.add(handoff.id);
    announceOffer(handoff, {
      title: "New conversation offered",
      body: `${handoff.language} · ${handoff.tier} · ${handoff.topic} (${handoff.reason})`,
    });
  }

  withdrawn(id) {
    this.offers.delete(id);
    const handoff = this.handoffs.get(id);
    if (handoff && !this.isSupervisor && handoff.agent !== this.me.name) this.forget(id);
  }

  assigned(handoff) {
    this.offers.delete(handoff.id);
    this.handoffs.set(handoff.id, handoff);
    for (const message of handoff.messages || []) this.addMessage(handoff.id, message);
    this.loaded.add(handoff.id);
    if (handoff.agent === this.me.name && !this.selectedHandoff()?.agent) this.selected = handoff.id;
  }

  updated(handoff) {
    this.handoffs.set(handoff.id, { ...this.handoffs.get(handoff.id), ...handoff });
    this.offers.delete(handoff.id);
    const mineBefore = this.selected === handoff.id;
    // A conversation transferred away leaves an agent's desk; finished ones stay until closed.
    if (!this.isSupervisor && OPEN_STATES.has(handoff.status) && handoff.agent !== this.me.name
        && handoff.offered_to !== this.me.name && !mineBefore) this.forget(handoff.id);
  }

  forget(id) {
    this.handoffs.delete(id);
    this.messages.delete(id);
    this.unread.delete(id);
    if (this.selected === id) this.selected = null;
  }

  addMessage(id, message) {
    const list = this.messages.get(id) || [];
    if (message.id && list.some((m) => m.id === message.id)) return;
    // Our own message echoed by the bus replaces its "sending" placeholder.
    const placeholder = list.findIndex((m) => m.pending && m.text === message.text && message.actor === "agent");
    if (placeholder >= 0) list.splice(placeholder, 1);
    list.push(message);
    this.messages.set(id, list);
    this.noteAwaitingReply(id, message);
    if (message.actor === "customer") this.typing.delete(id);
    if (id !== this.selected && message.actor === "customer") this.unread.set(id, (this.unread.get(id) || 0) + 1);
  }

  /** Since when the customer waits for a person's answer (the server keeps it too, for a reload). */
  noteAwaitingReply(id, message) {
    const handoff = this.handoffs.get(id);
    if (!handoff || message.pending) return;
    if (message.actor === "agent") delete handoff.awaiting_reply_since;
    else if (message.actor === "customer" && !handoff.awaiting_reply_since) {
      handoff.awaiting_reply_since = message.timestamp || this.now();
    }
  }

  someoneTyping(frame) {
    if (frame.agent === this.me.name) return;
    const who = frame.actor === "customer" ? "The customer" : frame.agent;
    this.typing.set(frame.handoff_id, { who, until: Date.now() + TYPING_SHOWN_MS });
    setTimeout(() => this.redraw(), TYPING_SHOWN_MS + 50);
  }

  async loadMessages(id) {
    try {
      const handoff = await call("GET", `/api/handoffs/${encodeURIComponent(id)}`);
      this.handoffs.set(id, handoff);
      for (const message of handoff.messages) this.addMessage(id, message);
      this.loaded.add(id);
      this.unread.delete(id);
    } catch (error) {
      this.showBanner(`Could not load the conversation: ${error.message}`);
    }
    this.redraw();
  }

  refreshAgentsSoon() {
    if (!this.isSupervisor || this.agentsRefresh) return;
    this.agentsRefresh = setTimeout(() => { this.agentsRefresh = null; this.refreshAgents(); }, 500);
  }

  async refreshAgents() {
    if (!this.isSupervisor) return;
    try {
      this.agents = (await call("GET", "/api/agents")).agents;
      this.redraw();
    } catch (error) {
      this.showBanner(`Could not load the agents: ${error.message}`);
    }
  }

  // --- what the agent does ---------------------------------------------------------------------
  select(id) {
    this.selected = id;
    this.unread.delete(id);
    if (!this.loaded.has(id) && this.handoffs.get(id)?.status === "assigned") this.loadMessages(id);
    this.redraw();
  }

  async act(label, work) {
    try {
      this.showBanner("");
      return await work();
    } catch (error) {
      this.showBanner(`${label}: ${error.message}`);
      if (error instanceof ApiError && error.status === 401) this.logout();
      return undefined;
    } finally {
      this.redraw();
    }
  }

  accept(id) {
    return this.act("Could not accept", async () => {
      const handoff = await this.socket.request("accept", { handoff_id: id });
      this.assigned(handoff);
      this.selected = id;
    });
  }

  async send(id, text) {
    const placeholder = { id: `local-${++this.localRef}`, actor: "agent", agent: this.me.name, text,
                          timestamp: this.now(), pending: true };
    this.addMessage(id, placeholder);
    this.redraw();
    try {
      const logged = await this.socket.request("message", { handoff_id: id, text });
      const list = this.messages.get(id).filter((m) => m !== placeholder);
      this.messages.set(id, list);
      this.addMessage(id, logged);
      return true;
    } catch (error) {
      placeholder.pending = false;
      placeholder.failed = error.message;
      this.showBanner(`Not sent: ${error.message}. Click the message to send it again.`);
      return false;
    } finally {
      this.redraw();
    }
  }

  resend(id, message) {
    this.messages.set(id, this.messages.get(id).filter((m) => m !== message));
    return this.send(id, message.text);
  }

  typed(id) {
    if (Date.now() - this.lastTypingSent < TYPING_SENT_EVERY_MS) return;
    this.lastTypingSent = Date.now();
    this.socket.request("typing", { handoff_id: id }).catch(() => {});  // a hint, not worth a banner
  }

  transfer(id, target) {
    return this.act("Could not transfer", async () => {
      this.updated(await call("POST", `/api/handoffs/${encodeURIComponent(id)}/transfer`, target));
    });
  }

  handBack(id, slots) {
    return this.act("Could not hand back", async () => {
      this.updated(await call("POST", `/api/handoffs/${encodeURIComponent(id)}/handback`, { slots }));
    });
  }

  close(id, resolution) {
    return this.act("Could not close", async () => {
      this.updated(await call("POST", `/api/handoffs/${encodeURIComponent(id)}/close`, { resolution }));
    });
  }

  setPresence(status) {
    return this.act("Could not change your status", async () => {
      await this.socket.request("presence", { status });
      this.presence = status;
    });
  }

  // --- session -------------------------------------------------------------------------------
  async start() {
    $("login").hidden = true;
    $("desk").hidden = false;
    this.canned = await call("GET", "/api/canned").catch(() => ({ zh: [], en: [] }));
    this.socket = new AgentSocket(session.token, {
      onFrame: (frame) => this.onFrame(frame),
      onState: (state) => this.connectionChanged(state),
    });
  }

  async connectionChanged(state) {
    const status = $("connection");
    status.textContent = state === "connected" ? "connected" : "reconnecting…";
    status.classList.toggle("down", state !== "connected");
    if (state === "reconnecting") {
      // A refused token looks like a dropped connection: ask the REST API which it is.
      await call("GET", "/api/canned").catch((error) => {
        if (error instanceof ApiError && error.status === 401) this.logout("Your session ended; log in again.");
      });
    }
  }

  logout(reason = "") {
    this.socket?.close();
    session.token = null;
    location.hash = "";
    sessionStorage.setItem("handoff-agent:logout-reason", reason);
    location.reload();
  }
}

function showLogin(desk) {
  $("desk").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = sessionStorage.getItem("handoff-agent:logout-reason") || "";
  sessionStorage.removeItem("handoff-agent:logout-reason");
  $("login-form").onsubmit = async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    try {
      await login(form.get("username"), form.get("password"));
      await desk.start();
    } catch (error) {
      $("login-error").textContent = error.message;
    }
  };
}

function wireTopbar(desk) {
  $("presence").onchange = (event) => desk.setPresence(event.target.value);
  $("logout").onclick = async () => {
    await desk.setPresence("offline");
    desk.logout();
  };
  $("tab-desk").onclick = () => showTab("desk");
  $("tab-supervisor").onclick = () => showTab("supervisor");
  const ask = $("enable-notifications");
  ask.hidden = !canAskForDesktopNotifications();
  ask.onclick = async () => { await askForDesktopNotifications(); ask.hidden = true; };
}

function showTab(name) {
  $("desk-view").hidden = name !== "desk";
  $("supervisor-view").hidden = name !== "supervisor";
  $("tab-desk").classList.toggle("active", name === "desk");
  $("tab-supervisor").classList.toggle("active", name === "supervisor");
}

const desk = new Desk();
window.agentDesk = desk;  // for operators poking around in the console, and for tests
wireTopbar(desk);
wireComposer(desk);
setInterval(() => desk.tick(), 1000);
if (session.token) desk.start();
else showLogin(desk);
