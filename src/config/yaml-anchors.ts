import { isAlias, isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { ConfigIssue } from './load.js';

/**
 * An error inside a node a YAML anchor names (`mon: &weekday [...]`, `tue: *weekday`) is one mistake,
 * written once: said once, at the anchor, with the number of places using it, not once per alias.
 */
export function foldAnchoredIssues(doc: Document, issues: ConfigIssue[]): ConfigIssue[] {
  const anchors = new Map<string, string>(); // anchor name → path of the anchored node
  const aliases: { path: string; anchor: string }[] = [];
  const walk = (n: unknown, path: string): void => {
    if (isAlias(n)) {
      aliases.push({ path, anchor: n.source });
      return;
    }
    const anchor = (n as Node | null)?.anchor;
    if (isScalar(n) || isMap(n) || isSeq(n)) {
      if (anchor) anchors.set(anchor, path);
    }
    if (isMap(n)) for (const p of n.items) walk(p.value, `${path === '' ? '' : `${path}.`}${isScalar(p.key) ? String(p.key.value) : String(p.key)}`);
    if (isSeq(n)) n.items.forEach((v, i) => walk(v, `${path}[${i}]`));
  };
  walk(doc.contents, '');
  if (aliases.length === 0) return issues;
  const under = (path: string, root: string) => path === root || path.startsWith(`${root}.`) || path.startsWith(`${root}[`);
  const out: ConfigIssue[] = [];
  const said = new Set<string>();
  for (const i of issues) {
    const alias = aliases.find((a) => anchors.has(a.anchor) && under(i.path, a.path));
    const name = alias?.anchor ?? [...anchors].find(([, p]) => under(i.path, p))?.[0];
    const root = name === undefined ? undefined : anchors.get(name);
    if (name === undefined || root === undefined) {
      out.push(i);
      continue;
    }
    const path = alias === undefined ? i.path : `${root}${i.path.slice(alias.path.length)}`;
    const key = `${path}\n${i.expected}`;
    if (said.has(key)) continue;
    said.add(key);
    const n = 1 + aliases.filter((a) => a.anchor === name).length;
    out.push({ ...i, path, pathZh: path, expected: `${i.expected} (in the anchor &${name}, used at ${n} places)`, expectedZh: `${i.expectedZh}（在锚点 &${name} 中，有 ${n} 处用到它）` });
  }
  return out;
}
