import type { ErrorCode, YAMLError } from 'yaml';

type Words = { en: string; zh: string };

const VALID_YAML: Words = { en: 'valid YAML', zh: '合乎 YAML 语法的写法' };
const ONE_LINE_KEY: Words = { en: 'a key on one line, followed by a colon', zh: '键写在一行内，后面跟冒号' };

/** What each of the yaml package's error codes (yaml/dist/errors.d.ts `ErrorCode`) expected; a code with no plainer advice asks for valid YAML. */
export const YAML_EXPECTED: Readonly<Record<ErrorCode, Words>> = {
  MISSING_CHAR: { en: 'a closing bracket or quote', zh: '结尾的括号或引号' },
  BAD_INDENT: { en: 'consistent indentation (spaces; keys of one block at the same depth)', zh: '一致的缩进（用空格，同一层的键对齐）' },
  TAB_AS_INDENT: { en: 'spaces for indentation, not tabs', zh: '用空格缩进，不能用 Tab' },
  DUPLICATE_KEY: { en: 'each key once in its block', zh: '同一层中每个键只写一次' },
  BLOCK_IN_FLOW: { en: 'no indented block inside [ ] or { }', zh: '方括号或花括号里不能有缩进的块' },
  MULTILINE_IMPLICIT_KEY: ONE_LINE_KEY,
  BLOCK_AS_IMPLICIT_KEY: ONE_LINE_KEY,
  BAD_DQ_ESCAPE: { en: 'valid escapes in double-quoted text', zh: '双引号文字中正确的转义' },
  MULTIPLE_DOCS: { en: 'one YAML document (no ---)', zh: '只有一个 YAML 文档（不要 ---）' },
  BAD_SCALAR_START: { en: 'a value that does not start with a reserved character (quote it)', zh: '不以保留字符开头的值（请加引号）' },
  KEY_OVER_1024_CHARS: { en: 'a key of at most 1024 characters', zh: '不超过 1024 个字符的键' },
  UNEXPECTED_TOKEN: VALID_YAML,
  ALIAS_PROPS: VALID_YAML,
  BAD_ALIAS: VALID_YAML,
  BAD_COLLECTION_TYPE: VALID_YAML,
  BAD_DIRECTIVE: VALID_YAML,
  BAD_PROP_ORDER: VALID_YAML,
  IMPOSSIBLE: VALID_YAML,
  MULTIPLE_ANCHORS: VALID_YAML,
  MULTIPLE_TAGS: VALID_YAML,
  NON_STRING_KEY: VALID_YAML,
  RESOURCE_EXHAUSTION: VALID_YAML,
  TAG_RESOLVE_FAILED: VALID_YAML,
};

/**
 * What a YAML syntax error expected, in English and Chinese, from the yaml package's error code
 * (the table above), never its own English message: `hallq config check` and the daemons quote these,
 * and the Chinese line must be Chinese.
 */
export function yamlExpected(e: Pick<YAMLError, 'code' | 'message' | 'linePos'>): Words {
  const at = e.linePos?.[0];
  const where = at ? { en: ` (near line ${at.line}, column ${at.col})`, zh: `（第 ${at.line} 行第 ${at.col} 列附近）` } : { en: '', zh: '' };
  // An unclosed [ or { is reported as BAD_INDENT or MISSING_CHAR; the closing character is what to say.
  const ch = /end with an? (\S)/.exec(e.message)?.[1];
  const w = ch !== undefined ? { en: `a closing ${ch} (a [ or { left open)`, zh: `结尾的 ${ch}（有未闭合的 [ 或 {）` } : YAML_EXPECTED[e.code];
  return { en: `${w.en}${where.en}`, zh: `${w.zh}${where.zh}` };
}
