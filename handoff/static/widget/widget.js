/* Customer service chat widget: one classic script, no build step, no framework.
 *
 * Embed:  <script src="https://HOST/widget/widget.js" data-server="https://RASA" data-lang="zh" defer></script>
 *
 * Talks to Rasa's socket.io channel (bot/webchat.py): `session_request` -> `session_confirm`,
 * `user_uttered` out, `bot_uttered` and `agent_typing` in. The session id, the last messages and
 * whether the panel is open live in localStorage, so a reload or the next page keeps the chat.
 * Message text only ever goes into text nodes: whatever a customer, the bot or an agent writes is
 * shown literally, never parsed as HTML.
 */
(() => {
  "use strict";

  const script = document.currentScript;
  // Two copies of the script would open two sockets and write the same history twice.
  if (!script || window.csWidget) return;

  const BASE = script.src;
  const KEYS = { session: "cs-widget:session", history: "cs-widget:history",
                 open: "cs-widget:open", lang: "cs-widget:lang", seq: "cs-widget:seq" };
  const HISTORY_LIMIT = 200;
  const BOT_TYPING_MS = 10000;
  const AGENT_TYPING_MS = 4000;
  const TYPING_HINT_EVERY_MS = 2500;
  // Handoff notices that give the conversation back to the bot (handoff/customer_texts.yml keys).
  const BOT_AGAIN = new Set(["bot_back", "rating_thanks"]);

  const TEXTS = {
    zh: { title: "在线客服", close: "关闭", placeholder: "请输入您的问题…", send: "发送", language: "语言",
          connecting: "正在连接…", reconnecting: "连接已断开，正在重新连接…", unavailable: "暂时无法连接客服",
          sending: "发送中…", agent: "客服", botTyping: "智能助手正在输入…",
          agentTyping: (name) => `客服 ${name} 正在输入…` },
    en: { title: "Customer service", close: "Close", placeholder: "Type your question…", send: "Send",
          language: "Language", connecting: "Connecting…", reconnecting: "Reconnecting…",
          unavailable: "Chat is unavailable right now", sending: "Sending…", agent: "Agent",
          botTyping: "The assistant is typing…", agentTyping: (name) => `${name} is typing…` },
  };

  const state = {
    lang: pickLanguage(),
    sessionId: readRaw(KEYS.session),
    lastSeq: Number(readRaw(KEYS.seq)) || 0,  // the highest message number shown (bot/webchat_log.py)
    history: loadHistory(),  // [{id, actor, text, agent?, quickReplies?, pending?, payload?}]
    socket: null,
    confirmed: false,        // session_confirm seen on the current connection: safe to send
    status: "connecting",
    typing: null,            // {agent?} while an indicator shows
    withPeople: false,       // queued for or talking to a person: the bot is not about to answer (notePeople)
    typingTimer: 0,
    typingHintSent: 0,
  };
  let ui = null;
  // After a reload: who had the conversation is whoever spoke last before it.
  const lastSpeaker = [...state.history].reverse().find((m) => m.actor !== "customer");
  if (lastSpeaker) notePeople(lastSpeaker.sender);

  // ---- storage: a full or disabled localStorage must not break the chat, only its memory ----

  function readRaw(key) {
    try { return localStorage.getItem(key); } catch { return null; }
  }

  function writeRaw(key, value) {
    try { localStorage.setItem(key, value); } catch { /* not persisted; the chat still works */ }
  }

  function loadHistory() {
    try {
      const saved = JSON.parse(readRaw(KEYS.history) || "[]");
      return Array.isArray(saved) ? saved.filter((m) => m && typeof m.text === "string") : [];
    } catch {
      return [];
    }
  }

  function saveHistory() {
    state.history = state.history.slice(-HISTORY_LIMIT);
    writeRaw(KEYS.history, JSON.stringify(state.history));
  }

  function pickLanguage() {
    const chosen = readRaw(KEYS.lang) || script.dataset.lang || navigator.language || "";
    return chosen.toLowerCase().startsWith("zh") ? "zh" : "en";
  }

  const text = () => TEXTS[state.lang];

  // ---- DOM ----

  /** el("div", {class, onclick, ...attributes}, ...children); string children become text nodes. */
  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props)) {
      if (name === "class") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  function buildUi() {
    const parts = {};
    parts.title = el("h2", { class: "cs-title", id: "cs-title" });
    parts.langButtons = ["zh", "en"].map((lang) => el("button", {
      class: "cs-lang-option", type: "button", lang, "data-lang": lang, onclick: () => setLanguage(lang),
    }, lang === "zh" ? "中文" : "EN"));
    parts.langGroup = el("div", { class: "cs-lang", role: "group" }, ...parts.langButtons);
    parts.close = el("button", { class: "cs-close", type: "button", onclick: () => setOpen(false) }, "×");
    parts.messages = el("div", { class: "cs-messages", "data-testid": "cs-messages", role: "log",
                                 "aria-live": "polite" });
    parts.typing = el("div", { class: "cs-typing", "data-testid": "cs-typing", hidden: "" });
    parts.status = el("div", { class: "cs-status", "data-testid": "cs-status", role: "status" });
    parts.input = el("input", { class: "cs-input", "data-testid": "cs-input", type: "text",
                                maxlength: "1000", autocomplete: "off", oninput: onInput });
    parts.send = el("button", { class: "cs-send", "data-testid": "cs-send", type: "submit" });
    parts.panel = el("section", { class: "cs-panel", "data-testid": "cs-panel", id: "cs-panel",
                                  role: "dialog", "aria-labelledby": "cs-title", hidden: "" },
      el("header", { class: "cs-header" }, parts.title, parts.langGroup, parts.close),
      parts.messages, parts.typing, parts.status,
      el("form", { class: "cs-compose", onsubmit: onSubmit }, parts.input, parts.send));
    parts.launcherLabel = el("span", { class: "cs-launcher-label" });
    parts.launcher = el("button", { class: "cs-launcher", type: "button", "data-testid": "cs-launcher",
                                    "aria-controls": "cs-panel", "aria-expanded": "false",
                                    onclick: () => setOpen(parts.panel.hidden) },
      el("span", { class: "cs-launcher-icon", "aria-hidden": "true" }), parts.launcherLabel);
    // Hidden until widget.css has loaded, so the page never flashes an unstyled chat.
    parts.root = el("div", { class: "cs-root", hidden: "", onkeydown: onKeyDown }, parts.panel, parts.launcher);
    return parts;
  }

  function loadStylesheet() {
    const show = () => { ui.root.hidden = false; };
    document.head.append(el("link", { rel: "stylesheet", href: new URL("widget.css", BASE).href,
                                      onload: show, onerror: show }));
  }

  /** The UI strings in the current language; messages are re-rendered for the agent label. */
  function applyTexts() {
    const t = text();
    ui.root.setAttribute("lang", state.lang === "zh" ? "zh-CN" : "en");
    ui.title.textContent = t.title;
    ui.launcherLabel.textContent = t.title;
    ui.close.setAttribute("aria-label", t.close);
    ui.langGroup.setAttribute("aria-label", t.language);
    ui.langButtons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === state.lang)));
    ui.input.placeholder = t.placeholder;
    ui.input.setAttribute("aria-label", t.placeholder);
    ui.send.textContent = t.send;
    renderStatus();
    renderTyping();
    renderAll();
  }

  function setLanguage(lang) {
    state.lang = lang;
    writeRaw(KEYS.lang, lang);
    applyTexts();
  }

  function setOpen(open, focus = true) {
    ui.panel.hidden = !open;
    ui.launcher.setAttribute("aria-expanded", String(open));
    ui.root.classList.toggle("cs-open", open);
    writeRaw(KEYS.open, open ? "1" : "0");
    if (open) {
      scrollToEnd();
      if (focus) ui.input.focus();
    }
  }

  function onKeyDown(event) {
    if (event.key === "Escape" && !ui.panel.hidden) {
      setOpen(false);
      ui.launcher.focus();
    }
  }

  // ---- messages ----

  function messageNode(message) {
    const node = el("div", { class: `cs-msg cs-msg--${message.actor}`, "data-actor": message.actor,
                             "data-id": message.id });
    if (message.actor === "agent") node.append(el("div", { class: "cs-agent-name" }, `${text().agent} ${message.agent}`));
    node.append(el("div", { class: "cs-bubble" }, message.text));
    markPending(node, message);
    return node;
  }

  /** A queued message says so with a CSS label (data-note), which stays out of its text. */
  function markPending(node, message) {
    if (message.pending) {
      node.dataset.state = "sending";
      node.dataset.note = text().sending;
    } else {
      delete node.dataset.state;
      delete node.dataset.note;
    }
  }

  /** Buttons only ever belong to the latest message: an answer or any newer message retires them. */
  function quickRepliesNode(message) {
    const buttons = message.quickReplies.map((reply) => el("button", {
      class: "cs-quick-reply", type: "button", onclick: () => send(reply.title, reply.payload),
    }, reply.title));
    return el("div", { class: "cs-quick-replies" }, ...buttons);
  }

  function renderQuickReplies() {
    ui.messages.querySelectorAll(".cs-quick-replies").forEach((node) => node.remove());
    const last = state.history[state.history.length - 1];
    if (last && last.quickReplies && last.quickReplies.length) ui.messages.append(quickRepliesNode(last));
  }

  function renderAll() {
    ui.messages.replaceChildren(...state.history.map(messageNode));
    renderQuickReplies();
    scrollToEnd();
  }

  function addMessage(message) {
    state.history.push(message);
    saveHistory();
    ui.messages.append(messageNode(message));
    renderQuickReplies();
    scrollToEnd();
  }

  function scrollToEnd() {
    ui.messages.scrollTop = ui.messages.scrollHeight;
  }

  const newId = () => Date.now().toString(36) + Math.random().toString(36).slice(2, 8);

  // ---- typing indicator and connection status ----

  function showTyping(typing, ms) {
    clearTimeout(state.typingTimer);
    state.typing = typing;
    state.typingTimer = setTimeout(hideTyping, ms);
    renderTyping();
  }

  function hideTyping() {
    clearTimeout(state.typingTimer);
    state.typing = null;
    renderTyping();
  }

  function renderTyping() {
    const typing = state.typing;
    ui.typing.hidden = !typing;
    ui.typing.textContent = !typing ? "" : typing.agent ? text().agentTyping(typing.agent) : text().botTyping;
  }

  function setStatus(status) {
    state.status = status;
    renderStatus();
  }

  function renderStatus() {
    ui.status.dataset.state = state.status;
    ui.status.textContent = state.status === "online" ? "" : text()[state.status];
  }

  // ---- talking to Rasa ----

  function onSubmit(event) {
    event.preventDefault();
    const typed = ui.input.value.trim();
    if (!typed) return;
    ui.input.value = "";
    send(typed, typed);
  }

  /** While a person has the conversation, they see that the customer is typing (bot/webchat.py). */
  function onInput() {
    if (!state.withPeople || !state.confirmed || !ui.input.value.trim()) return;
    if (Date.now() - state.typingHintSent < TYPING_HINT_EVERY_MS) return;
    state.typingHintSent = Date.now();
    state.socket.emit("user_typing", { session_id: state.sessionId });
  }

  /** Shows `shown` as the customer's message and sends `payload` (a quick reply's /intent). */
  function send(shown, payload) {
    state.typingHintSent = 0;  // the message ends this bout of typing; the next one is news
    addMessage({ id: newId(), actor: "customer", text: shown, pending: true, payload });
    flushOutbox();
  }

  /** Sends queued messages in order, only once Rasa has confirmed the session on this connection
   *  (before that the socket is not yet in the session's room and replies would go nowhere). */
  function flushOutbox() {
    if (!state.confirmed) return;
    const queued = state.history.filter((m) => m.pending);
    for (const message of queued) {
      state.socket.emit("user_uttered", { message: message.payload, session_id: state.sessionId });
      delete message.pending;
      delete message.payload;
      const node = ui.messages.querySelector(`.cs-msg[data-id="${CSS.escape(message.id)}"]`);
      if (node) markPending(node, message);
    }
    if (queued.length) {
      saveHistory();
      if (!state.withPeople) showTyping({ agent: null }, BOT_TYPING_MS);  // the bot, not a person
    }
  }

  function onSessionConfirm(data) {
    const id = typeof data === "string" ? data : data && data.session_id;
    if (!id) return;
    if (id !== state.sessionId) rememberSeq(0);  // a new conversation numbers from 1 again
    state.sessionId = id;
    writeRaw(KEYS.session, id);
    state.confirmed = true;
    setStatus("online");
    // Whatever was sent while this page was away (reloading, offline) comes now, once.
    state.socket.emit("missed_messages_request", { session_id: id, after: state.lastSeq });
    flushOutbox();
  }

  function rememberSeq(seq) {
    state.lastSeq = seq;
    writeRaw(KEYS.seq, String(seq));
  }

  /** False for a message this page has already shown (a live one that was also replayed). */
  function isNew(seq) {
    if (typeof seq !== "number") return true;
    if (state.history.some((m) => m.seq === seq)) return false;
    rememberSeq(Math.max(state.lastSeq, seq));
    return true;
  }

  function actorOf(sender) {
    return sender && (sender.actor === "agent" || sender.actor === "system") ? sender.actor : "bot";
  }

  /** Whether people have the conversation now, from who spoke last (the handoff service's notices
   *  and agents' messages carry a sender; the bot's own messages do not). */
  function notePeople(sender) {
    if (!sender) state.withPeople = false;
    else state.withPeople = !BOT_AGAIN.has(sender.notice);
  }

  function onBotUttered(payload) {
    if (!payload || typeof payload.text !== "string" || !payload.text) return;  // no images etc. in this shop
    if (!isNew(payload.seq)) return;
    const actor = actorOf(payload.sender);
    notePeople(payload.sender);
    const replies = Array.isArray(payload.quick_replies) ? payload.quick_replies : [];
    hideTyping();
    addMessage({
      id: newId(), actor, text: payload.text, seq: payload.seq, sender: payload.sender,
      ...(actor === "agent" && { agent: String(payload.sender.agent || "") }),
      ...(replies.length && { quickReplies: replies.map((r) => ({ title: String(r.title), payload: String(r.payload) })) }),
    });
  }

  function onAgentTyping(data) {
    if (data && data.agent) showTyping({ agent: String(data.agent) }, AGENT_TYPING_MS);
  }

  function onDisconnect() {
    state.confirmed = false;
    setStatus("reconnecting");
  }

  /** data-server may carry a path prefix (Rasa behind a proxy): socket.io would read it as a namespace. */
  function socketAddress() {
    const server = new URL(script.dataset.server || location.origin, location.href);
    return { url: server.origin, path: server.pathname.replace(/\/$/, "") + "/socket.io" };
  }

  function connect(io) {
    const { url, path } = socketAddress();
    const socket = io(url, { path, transports: ["websocket"] });
    state.socket = socket;
    // Every (re)connection is a new socket id: ask again, so Rasa puts it in the session's room.
    socket.on("connect", () => socket.emit("session_request", { session_id: state.sessionId || null }));
    socket.on("session_confirm", onSessionConfirm);
    socket.on("bot_uttered", onBotUttered);
    socket.on("agent_typing", onAgentTyping);
    socket.on("disconnect", onDisconnect);
    socket.on("connect_error", onDisconnect);
  }

  function loadSocketIo() {
    if (window.io) return Promise.resolve(window.io);
    return new Promise((resolve, reject) => {
      const src = new URL("vendor/socket.io.min.js", BASE).href;
      document.head.append(el("script", {
        src, onload: () => (window.io ? resolve(window.io) : reject(new Error(`${src} did not define io`))),
        onerror: () => reject(new Error(`could not load ${src}`)),
      }));
    });
  }

  function start() {
    ui = buildUi();
    document.body.append(ui.root);
    loadStylesheet();
    applyTexts();
    setOpen(readRaw(KEYS.open) === "1", false);  // no focus: it would scroll the page on load
    loadSocketIo().then(connect, (error) => {
      setStatus("unavailable");
      console.error("cs-widget:", error.message);
    });
  }

  window.csWidget = {
    // Before the page has loaded there is no panel yet: remember the wish instead.
    open: () => (ui ? setOpen(true) : writeRaw(KEYS.open, "1")),
    close: () => (ui ? setOpen(false) : writeRaw(KEYS.open, "0")),
    sessionId: () => state.sessionId,
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
