// REST calls to the handoff service with the agent's token. Every failure becomes an ApiError with
// the service's own reason ({"error": ...}), so the UI can show it as is.

const TOKEN_KEY = "handoff-agent:token";

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export const session = {
  // sessionStorage: a reload keeps the agent logged in; closing the tab logs them out.
  get token() { return sessionStorage.getItem(TOKEN_KEY); },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

export async function call(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(0, "the handoff service cannot be reached; check your connection");
  }
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, payload.error || `HTTP ${response.status}`);
  return payload;
}

export async function login(username, password) {
  const answer = await call("POST", "/api/login", { username, password });
  session.token = answer.token;
  return answer;
}
