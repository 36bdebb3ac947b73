/**
 * Where a text stops being JSON (RFC 8259, as JSON.parse reads it), for an error a person can act on:
 * `line 3, column 8: found "'", expected a key in double quotes`. V8's own message is no use here: it
 * quotes a slice of the body (which may hold a name or an ID number) and often gives no position.
 * Pure and iterative (a body of 64 KiB of `[` must not overflow the stack); never throws.
 */

type Words = { en: string; zh: string };

export interface JsonSyntaxFault {
  /** 0-based index into the text (UTF-16 units, as JavaScript counts). */
  offset: number;
  /** 1-based line and column (the column in characters of that line). */
  line: number;
  column: number;
  found: Words;
  expected: Words;
  /** A hint for the usual mistakes (single quotes, a trailing comma), or undefined. */
  hint?: Words;
}

const W = (en: string, zh: string): Words => ({ en, zh });
/** Letters where a value goes: words are text, and text is quoted in JSON. */
const BARE_WORD = W('text goes in double quotes: "…"', '文字须放在双引号中："…"');
const VALUE = W('a value ({…}, […], "text", a number, true, false or null)', '一个值（{…}、[…]、"文字"、数字、true、false 或 null）');
const KEY = W('a key in double quotes', '双引号括起的键名');
const KEY_OR_END = W('a key in double quotes or }', '双引号括起的键名或 }');
const COLON = W(':', '冒号 :');
const AFTER_MEMBER = W(', or }', '逗号 , 或 }');
const AFTER_ITEM = W(', or ]', '逗号 , 或 ]');
const END = W('the end of the body', '内容结束');
const DIGIT = W('a digit', '数字');
const ESCAPE = W('an escape: \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX', '转义：\\" \\\\ \\/ \\b \\f \\n \\r \\t 或 \\uXXXX');
const HEX = W('a hexadecimal digit (\\uXXXX)', '十六进制数字（\\uXXXX）');
const TEXT_GOES_ON = W('the text to go on (a control character inside text must be escaped, e.g. \\n)', '文字继续（文字中的控制字符须转义，如 \\n）');

/** One character in words: printable ASCII quoted, anything else by its code point (no slice of the body). */
function charWords(c: string | undefined): Words {
  if (c === undefined) return W('the end of the body', '内容结尾');
  const code = c.codePointAt(0) ?? 0;
  if (code >= 0x21 && code <= 0x7e) return W(JSON.stringify(c), JSON.stringify(c));
  if (c === ' ') return W('a space', '空格');
  const u = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code < 0x20 || code === 0x7f) return W(`a control character (${u})`, `控制字符（${u}）`);
  return W(`the character ${u}`, `字符 ${u}`);
}

const isWs = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

type Frame = 'object' | 'array';

/** The first place `text` is not JSON, or undefined when JSON.parse (after a leading BOM, as Fastify strips) reads it. */
export function jsonSyntaxFault(text: string): JsonSyntaxFault | undefined {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: Frame[] = [];
  const fault = (expected: Words, hint?: Words): JsonSyntaxFault => {
    const before = text.slice(0, i);
    const line = before.split('\n').length;
    const lineStart = before.lastIndexOf('\n') + 1;
    const column = Array.from(text.slice(lineStart, i)).length + 1;
    const c = i < text.length ? String.fromCodePoint(text.codePointAt(i) ?? 0) : undefined;
    return { offset: i, line, column, found: charWords(c), expected, ...(hint ? { hint } : {}) };
  };
  const ws = () => {
    while (isWs(text[i])) i++;
  };
  const singleQuote = W('JSON needs double quotes " around keys and text', 'JSON 的键名和文字须用双引号 "');

  /** A string starting at text[i] === '"'; returns a fault or undefined with i past the closing quote. */
  const string = (): JsonSyntaxFault | undefined => {
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined) return fault(W('the closing "', '结束的双引号 "'));
      if (c === '"') {
        i++;
        return undefined;
      }
      if (c.charCodeAt(0) < 0x20) return fault(TEXT_GOES_ON);
      if (c === '\\') {
        i++;
        const e = text[i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            i++;
            if (!isHex(text[i])) return fault(HEX);
          }
          i++;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else return fault(ESCAPE);
        continue;
      }
      i++;
    }
  };

  const digits = (): boolean => {
    if (!isDigit(text[i])) return false;
    while (isDigit(text[i])) i++;
    return true;
  };

  const number = (): JsonSyntaxFault | undefined => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (!digits()) return fault(DIGIT);
    if (text[i] === '.') {
      i++;
      if (!digits()) return fault(DIGIT);
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!digits()) return fault(DIGIT);
    }
    return undefined;
  };

  /** A scalar or the opening of a container at text[i] (whitespace skipped already). */
  const value = (): JsonSyntaxFault | 'opened' | undefined => {
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push(c === '{' ? 'object' : 'array');
      i++;
      return 'opened';
    }
    if (c === '"') return string();
    if (c === '-' || isDigit(c)) return number();
    for (const word of ['true', 'false', 'null']) {
      if (c !== word[0]) continue;
      const start = i;
      for (const w of word) {
        if (text[i] === w) {
          i++;
          continue;
        }
        // One letter alike is a word that is not JSON ("not json {" is no misspelt null): said as a value
        // expected where it starts; two or more (`tru`, `nul`) are a misspelt literal.
        if (i - start > 1) return fault(W(`${word}`, `${word}`));
        i = start;
        return fault(VALUE, BARE_WORD);
      }
      return undefined;
    }
    return fault(VALUE, c === "'" ? singleQuote : c !== undefined && /\p{L}/u.test(c) ? BARE_WORD : undefined);
  };

  /** After `{` or `,` inside an object: a key, `:`, then a value; `first` allows `}`. */
  const member = (first: boolean): JsonSyntaxFault | 'opened' | 'closed' | undefined => {
    ws();
    if (first && text[i] === '}') {
      stack.pop();
      i++;
      return 'closed';
    }
    if (text[i] !== '"') return fault(first ? KEY_OR_END : KEY, text[i] === "'" ? singleQuote : text[i] === '}' ? W('a comma may not come before }', '} 之前不能有逗号') : undefined);
    const s = string();
    if (s) return s;
    ws();
    if (text[i] !== ':') return fault(COLON);
    i++;
    ws();
    return value();
  };

  // The top-level value, then containers until the stack is empty.
  ws();
  let r: JsonSyntaxFault | 'opened' | 'closed' | undefined = value();
  for (;;) {
    if (typeof r === 'object') return r;
    if (r === 'opened') {
      const top = stack[stack.length - 1];
      if (top === 'object') r = member(true);
      else {
        ws();
        if (text[i] === ']') {
          stack.pop();
          i++;
          r = 'closed';
        } else r = value();
      }
      continue;
    }
    // A value (or container) just ended: what may follow it.
    const top = stack[stack.length - 1];
    if (top === undefined) break;
    ws();
    const c = text[i];
    if (top === 'object') {
      if (c === ',') {
        i++;
        r = member(false);
      } else if (c === '}') {
        stack.pop();
        i++;
        r = 'closed';
      } else return fault(AFTER_MEMBER, c === ']' ? W('an object {…} closes with }', '对象 {…} 须以 } 结束') : undefined);
    } else if (c === ',') {
      i++;
      ws();
      if (text[i] === ']') return fault(VALUE, W('a comma may not come before ]', '] 之前不能有逗号'));
      r = value();
    } else if (c === ']') {
      stack.pop();
      i++;
      r = 'closed';
    } else return fault(AFTER_ITEM, c === '}' ? W('a list […] closes with ]', '列表 […] 须以 ] 结束') : undefined);
  }
  ws();
  if (i < text.length) return fault(END, W('one JSON value per body', '每个请求只能有一个 JSON 值'));
  return undefined;
}

/** `line 1, column 7: found "}", expected a value (…)` in both languages. */
export function jsonFaultWords(f: JsonSyntaxFault): Words {
  const hint = f.hint ? { en: ` (${f.hint.en})`, zh: `（${f.hint.zh}）` } : { en: '', zh: '' };
  return {
    en: `line ${f.line}, column ${f.column}: found ${f.found.en}, expected ${f.expected.en}${hint.en}`,
    zh: `第 ${f.line} 行第 ${f.column} 列：收到${f.found.zh}，应为${f.expected.zh}${hint.zh}`,
  };
}
