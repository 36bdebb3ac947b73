import type { z } from 'zod';

type Def = { type: string; shape?: Record<string, unknown>; innerType?: unknown; element?: unknown; valueType?: unknown; options?: unknown[]; discriminator?: unknown; in?: unknown; out?: unknown; left?: unknown; right?: unknown; getter?: () => unknown };

const defOf = (s: unknown): Def | undefined => (s as { _zod?: { def?: Def } } | undefined)?._zod?.def;
/** The literal values an object schema's keys must have (zod's `propValues`: `{ transport: Set{'usblp'} }`). */
const propValuesOf = (s: unknown): Record<string, Set<unknown>> => (s as { _zod?: { propValues?: Record<string, Set<unknown>> } } | undefined)?._zod?.propValues ?? {};

const NO_INPUT = Symbol('no input');
const recordOf = (v: unknown): Record<string, unknown> | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** The input one step down a path (NO_INPUT when not known). */
function child(v: unknown, p: PropertyKey): unknown {
  if (v === NO_INPUT || typeof v !== 'object' || v === null || typeof p === 'symbol') return NO_INPUT;
  const k = String(p);
  return Object.hasOwn(v, k) ? (v as Record<string, unknown>)[k] : NO_INPUT;
}

/** The options of a union the input selects (see above); every option when the input says nothing. */
function selected(d: Def, v: unknown, depth: number): unknown[] {
  const all = d.options ?? [];
  const input = v === NO_INPUT ? undefined : recordOf(v);
  if (input === undefined) return all;
  const matches = (o: unknown, k: string) => Object.hasOwn(input, k) && (propValuesOf(o)[k]?.has(input[k]) ?? false);
  const picked =
    typeof d.discriminator === 'string'
      ? all.filter((o) => matches(o, d.discriminator as string))
      : all.filter((o) => {
          const literal = Object.keys(propValuesOf(o));
          return literal.length > 0 && literal.every((k) => matches(o, k));
        });
  if (picked.length > 0) return picked;
  // None selected: the closest options, by how many of the input's keys each knows.
  const written = Object.keys(input);
  const known = all.map((o) => {
    const keys = new Set(objects(o, NO_INPUT, depth + 1).flatMap((od) => Object.keys(od.shape ?? {})));
    return written.filter((k) => keys.has(k)).length;
  });
  const best = Math.max(0, ...known);
  return best === 0 ? all : all.filter((_, i) => known[i] === best);
}

/** The object schemas a schema may be at its top (through wrappers and the union options `v` selects). */
function objects(s: unknown, v: unknown, depth = 0): Def[] {
  const d = defOf(s);
  if (d === undefined || depth > 20) return [];
  switch (d.type) {
    case 'object':
      return [d];
    case 'union':
      return selected(d, v, depth).flatMap((o) => objects(o, v, depth + 1));
    case 'intersection':
      return [...objects(d.left, v, depth + 1), ...objects(d.right, v, depth + 1)];
    case 'pipe':
      return objects(d.in, v, depth + 1);
    case 'lazy':
      return d.getter ? objects(d.getter(), v, depth + 1) : [];
    default:
      return d.innerType !== undefined ? objects(d.innerType, v, depth + 1) : [];
  }
}

/** The schemas found at one step of a path from a schema (`v`: the input at the schema). */
function step(s: unknown, p: PropertyKey, v: unknown, depth = 0): unknown[] {
  const d = defOf(s);
  if (d === undefined || depth > 20) return [];
  switch (d.type) {
    case 'object':
      return typeof p === 'string' && d.shape !== undefined && Object.hasOwn(d.shape, p) ? [d.shape[p]] : [];
    case 'array':
      return typeof p === 'number' ? [d.element] : [];
    case 'record':
      return typeof p === 'string' ? [d.valueType] : [];
    case 'union':
      return selected(d, v, depth).flatMap((o) => step(o, p, v, depth + 1));
    case 'intersection':
      return [...step(d.left, p, v, depth + 1), ...step(d.right, p, v, depth + 1)];
    case 'pipe':
      return step(d.in, p, v, depth + 1);
    case 'lazy':
      return d.getter ? step(d.getter(), p, v, depth + 1) : [];
    default:
      return d.innerType !== undefined ? step(d.innerType, p, v, depth + 1) : [];
  }
}

/**
 * The keys a schema allows at a key path (`['policy']` → recallLimit, noShow, interleave, …), so that
 * an unknown key can be answered with the one it is a typo of (`policy.interlave` → interleave).
 * Walks zod 4's definitions: objects, arrays, records, unions, and the wrappers (default, optional,
 * nullable, pipe, …). Undefined where the path leads to no object.
 *
 * Of a union, only the option the input there selects: by its discriminator (`transport: usblp`
 * selects the usblp printer, whose keys are path, readBack, encoding; never the serial one's baudRate),
 * or by the literal keys an option of a plain union has; when none is selected (no discriminator
 * written, or one that is none of the options'), the options whose keys the input shares most.
 * `input`: the whole input the path is in; without it, every option's keys.
 */
export function schemaKeysAt(schema: z.ZodType, path: readonly PropertyKey[], input: unknown = NO_INPUT): string[] | undefined {
  let at: unknown[] = [schema];
  let v = input;
  for (const p of path) {
    at = at.flatMap((s) => step(s, p, v));
    v = child(v, p);
  }
  const keys = new Set(at.flatMap((s) => objects(s, v)).flatMap((d) => Object.keys(d.shape ?? {})));
  return keys.size > 0 ? [...keys] : undefined;
}
