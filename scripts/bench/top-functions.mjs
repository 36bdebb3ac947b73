// Self and inclusive time per function of a .cpuprofile (node --cpu-prof), top 30 by self time.
import { readFileSync } from 'node:fs';
const prof = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
const dt = new Map();
prof.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
const incl = new Map();
let total = 0;
for (const [id, us] of dt) {
  total += us;
  const n = byId.get(id);
  self.set(name(n), (self.get(name(n)) ?? 0) + us);
  const seen = new Set();
  for (let p = id; p !== undefined; p = parent.get(p)) {
    const k = name(byId.get(p));
    if (seen.has(k)) continue;
    seen.add(k);
    incl.set(k, (incl.get(k) ?? 0) + us);
  }
}
const top = (m) => [...m].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[3] ?? 30));
console.log(`total ${(total / 1000).toFixed(0)} ms`);
console.log('--- self');
for (const [k, v] of top(self)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
console.log('--- inclusive');
for (const [k, v] of top(incl)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
