// Live state from the server (server-sent events): every page renders from the same snapshot.
// When the server is away, pages keep the last state and say so.
export function live(url, onSnapshot, onLink) {
  let source;
  const connect = () => {
    source = new EventSource(url);
    source.addEventListener('snapshot', (e) => onSnapshot(JSON.parse(e.data)));
    source.onopen = () => onLink(true);
    source.onerror = () => {
      onLink(false);
      source.close();
      // A lost session ends the stream too: back to the sign-in page then.
      // With the server unreachable (island mode) the fetch fails too: nothing to do but try again.
      if (url.endsWith('/staff')) void fetch('/api/auth/me').then((r) => r.status === 401 && toSignIn(), () => undefined);
      setTimeout(connect, 2000);
    };
  };
  connect();
}

// Command ids without crypto.randomUUID, which browsers give only on HTTPS or localhost:
// getRandomValues works in any context (Math.random as a last resort).
export function randomId() {
  const bytes = new Uint8Array(16);
  if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function toSignIn() {
  location.assign(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`);
}

// A staff API call with the session cookie; 401 (no or expired session) goes to the sign-in page.
export async function api(path, body) {
  const res = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status === 401) {
    toSignIn();
    return new Promise(() => {});
  }
  return res.json();
}

// Runs a command; the server sets its source from the session.
export function command(body) {
  return api('/api/commands', { id: randomId(), ...body });
}

export async function signOut() {
  await fetch('/api/auth/sign-out', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  location.assign('/sign-in');
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== false) e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
