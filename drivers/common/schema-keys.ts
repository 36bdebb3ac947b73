import type { z } from 'zod';

/**
 * The keys a schema allows at a key path (`['policy']` → recallLimit, noShow, interleave, …), so that
 * an unknown key can be answered with the one it is a typo of (`policy.interlave` → interleave).
 * Walks zod 4's definitions: objects, arrays, records, unions (every option's keys), and the wrappers
 * (default, optional, nullable, pipe, …). Undefined where the path leads to no object.
 */
type Def = { type: string; shape?: Record<string, unknown>; innerType?: unknown; element?: unknown; valueType?: unknown; options?: unknown[]; in?: unknown; out?: unknown; left?: unknown; right?: unknown; getter?: () => unknown };

const defOf = (s: unknown): Def | undefined => (s as { _zod?: { def?: Def } } | undefined)?._zod?.def;

/** The object schemas a schema may be at its top (through wrappers and union options). */
function objects(s: unknown, depth = 0): Def[] {
  const d = defOf(s);
  if (d === undefined || depth > 20) return [];
  switch (d.type) {
    case 'object':
      return [d];
    case 'union':
      return (d.options ?? []).flatMap((o) => objects(o, depth + 1));
    case 'intersection':
      return [...objects(d.left, depth + 1), ...objects(d.right, depth + 1)];
    case 'pipe':
      return objects(d.in, depth + 1);
    case 'lazy':
      return d.getter ? objects(d.getter(), depth + 1) : [];
    default:
      return d.innerType !== undefined ? objects(d.innerType, depth + 1) : [];
  }
}

/** The schemas found at one step of a path from a schema. */
function step(s: unknown, p: PropertyKey, depth = 0): unknown[] {
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
      return (d.options ?? []).flatMap((o) => step(o, p, depth + 1));
    case 'intersection':
      return [...step(d.left, p, depth + 1), ...step(d.right, p, depth + 1)];
    case 'pipe':
      return step(d.in, p, depth + 1);
    case 'lazy':
      return d.getter ? step(d.getter(), p, depth + 1) : [];
    default:
      return d.innerType !== undefined ? step(d.innerType, p, depth + 1) : [];
  }
}

export function schemaKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let at: unknown[] = [schema];
  for (const p of path) at = at.flatMap((s) => step(s, p));
  const keys = new Set(at.flatMap((s) => objects(s)).flatMap((d) => Object.keys(d.shape ?? {})));
  return keys.size > 0 ? [...keys] : undefined;
}
