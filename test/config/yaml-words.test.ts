import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/load.js';
import { YAML_EXPECTED, yamlExpected } from '../../src/config/yaml-words.js';

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

/**
 * issue #13: the words per code are one table (YAML_EXPECTED) read by one function, and say what the
 * switch they replaced said, code by code (the words below are the switch's, copied).
 */
const VALID: [string, string] = ['valid YAML', '合乎 YAML 语法的写法'];
const ONE_LINE: [string, string] = ['a key on one line, followed by a colon', '键写在一行内，后面跟冒号'];
const byCode: Record<string, [string, string]> = {
  MISSING_CHAR: ['a closing bracket or quote', '结尾的括号或引号'],
  BAD_INDENT: ['consistent indentation (spaces; keys of one block at the same depth)', '一致的缩进（用空格，同一层的键对齐）'],
  TAB_AS_INDENT: ['spaces for indentation, not tabs', '用空格缩进，不能用 Tab'],
  DUPLICATE_KEY: ['each key once in its block', '同一层中每个键只写一次'],
  BLOCK_IN_FLOW: ['no indented block inside [ ] or { }', '方括号或花括号里不能有缩进的块'],
  MULTILINE_IMPLICIT_KEY: ONE_LINE,
  BLOCK_AS_IMPLICIT_KEY: ONE_LINE,
  BAD_DQ_ESCAPE: ['valid escapes in double-quoted text', '双引号文字中正确的转义'],
  MULTIPLE_DOCS: ['one YAML document (no ---)', '只有一个 YAML 文档（不要 ---）'],
  BAD_SCALAR_START: ['a value that does not start with a reserved character (quote it)', '不以保留字符开头的值（请加引号）'],
  KEY_OVER_1024_CHARS: ['a key of at most 1024 characters', '不超过 1024 个字符的键'],
  UNEXPECTED_TOKEN: VALID,
  ALIAS_PROPS: VALID,
  BAD_ALIAS: VALID,
  BAD_COLLECTION_TYPE: VALID,
  BAD_DIRECTIVE: VALID,
  BAD_PROP_ORDER: VALID,
  IMPOSSIBLE: VALID,
  MULTIPLE_ANCHORS: VALID,
  MULTIPLE_TAGS: VALID,
  NON_STRING_KEY: VALID,
  RESOURCE_EXHAUSTION: VALID,
  TAG_RESOLVE_FAILED: VALID,
};

describe('the words of every yaml error code: one table', () => {
  it('has one entry per code of the yaml package, no more', () => {
    expect(Object.keys(YAML_EXPECTED).sort()).toEqual(Object.keys(byCode).sort());
  });

  it.each(Object.entries(byCode))('%s', (code, [en, zh]) => {
    const e = (message: string, linePos?: [{ line: number; col: number }]) => yamlExpected({ code: code as keyof typeof YAML_EXPECTED, message, ...(linePos ? { linePos } : {}) });
    expect(e('x')).toEqual({ en, zh });
    expect(e('x', [{ line: 3, col: 4 }])).toEqual({ en: `${en} (near line 3, column 4)`, zh: `${zh}（第 3 行第 4 列附近）` });
    // An unclosed [ or { is said by its closing character, whatever the code.
    expect(e('Flow sequence in block collection must end with a ]')).toEqual({ en: 'a closing ] (a [ or { left open)', zh: '结尾的 ]（有未闭合的 [ 或 {）' });
  });
});
