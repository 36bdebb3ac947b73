// Live state from the server (server-sent events): every page renders from the same snapshot.
// When the server is away, pages keep the last state and say so.
export function live(url, onSnapshot, onLink) {
  let source;
  const connect = () => {
    source = new EventSource(url);
    source.addEventListener('snapshot', (e) => onSnapshot(JSON.parse(e.data)));
    // The server ends a staff feed with its session (signed out elsewhere, expired, the window passed to a
    // colleague) and says why: to the sign-in page at once, which says it, not at the next click.
    source.addEventListener('ended', (e) => {
      source.close();
      // This page's own sign-out ended it: that goes to the sign-in page already.
      if (leaving) return;
      let why;
      try {
        why = JSON.parse(e.data).why;
      } catch {
        why = undefined;
      }
      toSignIn(why);
    });
    source.onopen = () => onLink(true);
    source.onerror = () => {
      onLink(false);
      source.close();
      // A lost session ends the stream too: back to the sign-in page then.
      // With the server unreachable (island mode) the fetch fails too: nothing to do but try again.
      if (url.endsWith('/staff') && !leaving) void fetch('/api/auth/me').then((r) => r.status === 401 && !leaving && toSignIn(), () => undefined);
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

// `why` (a session's end: signed-out, expired, window-passed, config-changed) is said on the sign-in page.
export function toSignIn(why) {
  const ended = typeof why === 'string' && /^[a-z-]{1,20}$/.test(why) ? `&ended=${why}` : '';
  location.assign(`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}${ended}`);
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

// Set by this page's own sign-out, so the end of its feed that follows does not navigate a second time.
let leaving = false;

export async function signOut() {
  leaving = true;
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
