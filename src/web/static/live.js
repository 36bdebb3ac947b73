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
      setTimeout(connect, 2000);
    };
  };
  connect();
}

export async function command(body) {
  const res = await fetch('/api/commands', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: crypto.randomUUID(), ...body }) });
  return res.json();
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
