// The agent's WebSocket (protocol v1, handoff/PROTOCOL.md): requests answered by `ok`/`error` frames
// with the same `ref`, pushed frames handed to `onFrame`, and reconnection with backoff. The server
// sends a fresh `hello` after each reconnect, which is how the UI catches up on what it missed.

const VERSION = 1;
const ANSWER_TIMEOUT_MS = 20000;

export class AgentSocket {
  constructor(token, { onFrame, onState }) {
    this.token = token;
    this.onFrame = onFrame;
    this.onState = onState;
    this.pending = new Map();
    this.nextRef = 1;
    this.retryMs = 500;
    this.closedByUs = false;
    this.open();
  }

  open() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.ws = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(this.token)}`);
    this.ws.onopen = () => { this.retryMs = 500; this.onState("connected"); };
    this.ws.onmessage = (event) => this.receive(JSON.parse(event.data));
    this.ws.onclose = () => this.closed();
  }

  receive(frame) {
    if ((frame.type === "ok" || frame.type === "error") && this.pending.has(frame.ref)) {
      const { resolve, reject, timer } = this.pending.get(frame.ref);
      clearTimeout(timer);
      this.pending.delete(frame.ref);
      if (frame.type === "ok") resolve(frame.result);
      else reject(Object.assign(new Error(frame.error), { status: frame.status }));
      return;
    }
    this.onFrame(frame);
  }

  closed() {
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new Error("connection lost before the server answered; try again"));
    }
    this.pending.clear();
    if (this.closedByUs) return;
    // A refused token also looks like a dropped connection here; the UI checks it on "reconnecting".
    this.onState("reconnecting");
    setTimeout(() => this.open(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, 10000);
  }

  /** Sends a request frame; resolves with the `ok` result, rejects with the `error` reason. */
  request(type, fields = {}) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new Error("not connected to the service; reconnecting…"));
    }
    const ref = `r${this.nextRef++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new Error("the service did not answer in time"));
      }, ANSWER_TIMEOUT_MS);
      this.pending.set(ref, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ v: VERSION, type, ref, ...fields }));
    });
  }

  close() {
    this.closedByUs = true;
    this.ws?.close();
  }
}
