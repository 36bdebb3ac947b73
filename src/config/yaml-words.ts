import type { YAMLError } from 'yaml';

/**
 * What a YAML syntax error expected, in English and Chinese, from the yaml package's error code
 * (yaml/dist/errors.d.ts `ErrorCode`), never its own English message: `hallq config check` and the
 * daemons quote these, and the Chinese line must be Chinese.
 */
export function yamlExpected(e: Pick<YAMLError, 'code' | 'message' | 'linePos'>): { en: string; zh: string } {
  const at = e.linePos?.[0];
  const where = at ? { en: ` (near line ${at.line}, column ${at.col})`, zh: `（第 ${at.line} 行第 ${at.col} 列附近）` } : { en: '', zh: '' };
  const w = words(e);
  return { en: `${w.en}${where.en}`, zh: `${w.zh}${where.zh}` };
}

function words(e: Pick<YAMLError, 'code' | 'message'>): { en: string; zh: string } {
  // An unclosed [ or { is reported as BAD_INDENT or MISSING_CHAR; the closing character is what to say.
  const ch = /end with an? (\S)/.exec(e.message)?.[1];
  if (ch !== undefined) return { en: `a closing ${ch} (a [ or { left open)`, zh: `结尾的 ${ch}（有未闭合的 [ 或 {）` };
  switch (e.code) {
    case 'MISSING_CHAR':
      return { en: 'a closing bracket or quote', zh: '结尾的括号或引号' };
    case 'BAD_INDENT':
      return { en: 'consistent indentation (spaces; keys of one block at the same depth)', zh: '一致的缩进（用空格，同一层的键对齐）' };
    case 'TAB_AS_INDENT':
      return { en: 'spaces for indentation, not tabs', zh: '用空格缩进，不能用 Tab' };
    case 'DUPLICATE_KEY':
      return { en: 'each key once in its block', zh: '同一层中每个键只写一次' };
    case 'BLOCK_IN_FLOW':
      return { en: 'no indented block inside [ ] or { }', zh: '方括号或花括号里不能有缩进的块' };
    case 'MULTILINE_IMPLICIT_KEY':
    case 'BLOCK_AS_IMPLICIT_KEY':
      return { en: 'a key on one line, followed by a colon', zh: '键写在一行内，后面跟冒号' };
    case 'BAD_DQ_ESCAPE':
      return { en: 'valid escapes in double-quoted text', zh: '双引号文字中正确的转义' };
    case 'MULTIPLE_DOCS':
      return { en: 'one YAML document (no ---)', zh: '只有一个 YAML 文档（不要 ---）' };
    case 'BAD_SCALAR_START':
      return { en: 'a value that does not start with a reserved character (quote it)', zh: '不以保留字符开头的值（请加引号）' };
    case 'KEY_OVER_1024_CHARS':
      return { en: 'a key of at most 1024 characters', zh: '不超过 1024 个字符的键' };
    case 'UNEXPECTED_TOKEN':
    case 'ALIAS_PROPS':
    case 'BAD_ALIAS':
    case 'BAD_COLLECTION_TYPE':
    case 'BAD_DIRECTIVE':
    case 'BAD_PROP_ORDER':
    case 'IMPOSSIBLE':
    case 'MULTIPLE_ANCHORS':
    case 'MULTIPLE_TAGS':
    case 'NON_STRING_KEY':
    case 'RESOURCE_EXHAUSTION':
    case 'TAG_RESOLVE_FAILED':
      return { en: 'valid YAML', zh: '合乎 YAML 语法的写法' };
  }
}
