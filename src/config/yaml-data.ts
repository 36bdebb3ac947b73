import { isAlias, isMap, isPair, isSeq, type Document, type Node } from 'yaml';

/** At most this many alias uses in one file: a hall config needs a few (a week's hours); more is an alias bomb. */
export const MAX_ALIAS_USES = 100;

/** A YAML document's data, or why it has none though its syntax is right: an alias that contains itself, an alias bomb. */
export type YamlData = { ok: true; value: unknown } | { ok: false; line: number | undefined; found: string; expected: string; foundZh: string; expectedZh: string };

/**
 * The document's data (`toJS`), refusing what valid YAML syntax still cannot be as data: an alias inside
 * the node its own anchor names (`a: &a [*a]`, `hall: &h {id: x, <<: *h}`: data that contains itself, on
 * which every later check would recurse forever) and more than MAX_ALIAS_USES alias uses (the yaml
 * library's guard against a billion-laughs file). `text` is the file, for the alias's line.
 */
export function yamlData(doc: Document, text: string): YamlData {
  const circular = selfAlias(doc);
  if (circular) {
    return {
      ok: false,
      line: lineAt(text, circular.offset),
      found: `an alias (*${circular.name}) inside the node its anchor (&${circular.name}) names: data that contains itself`,
      expected: 'an alias only after its anchor’s node has ended (write the values out instead)',
      foundZh: `别名 *${circular.name} 位于它所指的锚点 &${circular.name} 之内（数据包含它自身）`,
      expectedZh: '别名只能出现在其锚点的内容结束之后（或直接写出这些值）',
    };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_USES }) };
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    return {
      ok: false,
      line: undefined,
      found: `aliases that expand past ${String(MAX_ALIAS_USES)} uses (an alias bomb: the data would grow without bound)`,
      expected: 'fewer aliases: write the values out',
      foundZh: `展开后超过 ${String(MAX_ALIAS_USES)} 次的别名引用（别名炸弹：数据会无限膨胀）`,
      expectedZh: '更少的别名：直接写出这些值',
    };
  }
}

/** The first alias that names one of the nodes it is inside, with its offset in the file. */
function selfAlias(doc: Document): { name: string; offset: number } | undefined {
  const inside: Node[] = [];
  const walk = (n: unknown): { name: string; offset: number } | undefined => {
    if (isAlias(n)) {
      const target = n.resolve(doc);
      return target !== undefined && inside.includes(target as Node) ? { name: n.source, offset: n.range?.[0] ?? 0 } : undefined;
    }
    if (isPair(n)) return walk(n.key) ?? walk(n.value);
    if (!isMap(n) && !isSeq(n)) return undefined;
    inside.push(n);
    try {
      for (const item of n.items) {
        const found = walk(item);
        if (found) return found;
      }
      return undefined;
    } finally {
      inside.pop();
    }
  };
  return walk(doc.contents);
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
