import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';

/**
 * issue 13: a YAML syntax error in a config is worded by hallq (src/config/yaml-words.ts) from the yaml
 * package's error code, never with the package's own English ("Flow map in block collection must be
 * sufficiently indented…"), and its Chinese line is Chinese.
 */
const cases: [string, string, RegExp, RegExp][] = [
  ['an unclosed {', 'hall: { id: x\nservices: []\n', /^a closing \} \(a \[ or \{ left open\) \(near line 2, column 1\)$/, /^结尾的 }（有未闭合的 \[ 或 {）（第 2 行第 1 列附近）$/],
  ['a key twice', 'a: 1\na: 2\n', /^each key once in its block \(near line 2, column 1\)$/, /^同一层中每个键只写一次（第 2 行第 1 列附近）$/],
  ['a tab as indentation', 'a:\n\tb: 3\n', /^spaces for indentation, not tabs/, /^用空格缩进，不能用 Tab/],
];

describe('YAML syntax errors in words', () => {
  it.each(cases)('%s', (_name, text, en, zh) => {
    const file = join(mkdtempSync(join(tmpdir(), 'hallq-yaml-')), 'hall.yaml');
    writeFileSync(file, text);
    const r = loadConfigFile(file);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const issue = r.issues[0];
    expect(issue?.found).toBe('invalid YAML');
    expect(issue?.expected).toMatch(en);
    expect(issue?.expectedZh).toMatch(zh);
    expect(issue?.expected).not.toMatch(/sufficiently|collection|Flow|Map keys must be unique|Tabs are not allowed/);
  });
});
