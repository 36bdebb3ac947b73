/**
 * The keys that occur more than once in one JSON object of `text`, at any depth (`a.b` paths).
 * JSON.parse keeps the last of two equal keys silently; log tools differ, so a log line must not have any.
 * Throws on text that is not one JSON value (a log line that is not JSON is a fault too).
 */
export function duplicateKeys(text: string): string[] {
  let i = 0;
  const dups: string[] = [];
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new Error(`not JSON at ${i}: ${what}: ${text.slice(Math.max(0, i - 20), i + 20)}`);
  };
  const string = (): string => {
    const start = i;
    if (text[i] !== '"') fail('expected a string');
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (text[i] !== '"') fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        const key = string();
        if (seen.has(key)) dups.push(path ? `${path}.${key}` : key);
        seen.add(key);
        ws();
        if (text[i++] !== ':') fail('expected :');
        value(path ? `${path}.${key}` : key);
        ws();
        const sep = text[i++];
        if (sep === '}') return;
        if (sep !== ',') fail('expected , or }');
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        ws();
        const sep = text[i++];
        if (sep === ']') return;
        if (sep !== ',') fail('expected , or ]');
      }
    }
    if (c === '"') return void string();
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!m) fail('expected a value');
    i += m![0].length;
  };
  value('');
  ws();
  if (i !== text.length) fail('trailing text');
  return dups;
}
