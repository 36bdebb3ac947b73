import { invalidText } from '../../drivers/common/invalid-text.js';
import { agentPartsOf, checkAgents } from './agents.js';
import { crossCheck } from './cross-check.js';
import { configSchema, type HallqConfig } from './schema.js';
import { fillStatusBaseUrls } from './status-url.js';

// Apart from load.ts (which parses YAML): the daemons check a config kept from the last start with this,
// without loading the YAML parser (issue 12).

/** One thing wrong with a config file: where, what was there, what was expected (and the same in Chinese, when worded). */
export interface ConfigIssue {
  path: string;
  found: string;
  expected: string;
  foundZh: string;
  expectedZh: string;
  /** The place in Chinese when the path is not a key path (`第 3 行` for `line 3`). */
  pathZh?: string;
}

export type ConfigResult = { ok: true; config: HallqConfig } | { ok: false; issues: ConfigIssue[] };

/** Validates a parsed document against the schema; every issue is reported, not just the first. */
export function validateConfig(doc: unknown): ConfigResult {
  // jitless: a config is parsed once per start, reload or check; zod's compiled fast path for each of its
  // objects would cost more to generate (new Function) than it saves: ~20 vs ~8 ms of a start (issue 12).
  const r = configSchema.safeParse(doc, { reportInput: true, jitless: true });
  if (!r.success) {
    // Worded by the one formatter of invalid input; the values are the reader's own file, so they are shown.
    const issues = invalidText(r.error.issues, { values: 'shown', schema: configSchema, input: doc }).lines.map(
      (l): ConfigIssue => ({ path: l.path || '(top level)', found: l.found.en, expected: l.expected.en, foundZh: l.found.zh, expectedZh: l.expected.zh }),
    );
    // The checks across keys too, on the parts the schema did accept: every problem at once.
    const agents = agentPartsOf(doc);
    return { ok: false, issues: [...issues, ...crossCheck(doc), ...(agents ? checkAgents(agents) : [])] };
  }
  const cross = [...crossCheck(r.data), ...checkAgents(r.data)];
  if (cross.length > 0) return { ok: false, issues: cross };
  fillStatusBaseUrls(doc, r.data);
  return { ok: true, config: r.data };
}
