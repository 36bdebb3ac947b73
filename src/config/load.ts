import { readFileSync } from 'node:fs';
import { yamlExpected } from './yaml-words.js';
import { parseDocument } from 'yaml';
import { yamlData } from './yaml-data.js';
import { foldAnchoredIssues } from './yaml-anchors.js';
import { HallqError } from '../../drivers/common/error.js';
import { fileProblem } from '../../drivers/common/system-words.js';
import { buildStamp, configCacheKey, readCachedConfig, writeCachedConfig } from './config-cache.js';
import { folderGiven } from './config-folder.js';
import type { HallqConfig } from './schema.js';
import { validateConfig, type ConfigIssue, type ConfigResult } from './validate.js';

export type { ConfigIssue, ConfigResult } from './validate.js';
export { validateConfig } from './validate.js';

/**
 * Reads and validates a YAML config file. YAML syntax errors are reported with their line. `cacheDir`
 * (the daemons, under systemd: $CACHE_DIRECTORY): a valid result is kept there, and the same bytes under
 * the same build are not checked again (src/config/config-cache.ts).
 */
export function loadConfigFile(path: string, opts: { cacheDir?: string | undefined; /** The build's stamp (tests); default dist/BUILD.json's. */ buildStamp?: string } = {}): ConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const p = fileProblem('read', path, e);
    if (p.errno === 'EACCES' || p.errno === 'EPERM') {
      throw new HallqError('CONFIG_UNREADABLE', `config ${path} is not readable by this user (permission denied, ${p.errno}): give the user that runs hallq read access (e.g. chgrp hallq ${path}; chmod 640 ${path})`, { path, errno: p.errno, messageZh: `当前用户无权读取配置文件 ${path}：请给运行 hallq 的用户读权限（例如 chgrp hallq ${path}; chmod 640 ${path}）` }, { cause: e });
    }
    if (p.errno === 'EISDIR') {
      // A folder given for the file (`hallq config check /etc`): say so, and offer the config in it.
      const f = folderGiven(path);
      throw new HallqError('CONFIG_NOT_FOUND', `config: ${f.en}`, { path, errno: p.errno, messageZh: `配置文件 ${f.zh}` }, { cause: e });
    }
    throw new HallqError('CONFIG_NOT_FOUND', `config: ${p.en}`, { path, errno: p.errno, messageZh: `配置文件 ${p.zh}` }, { cause: e });
  }
  const key = opts.cacheDir ? configCacheKey(text, opts.buildStamp ?? buildStamp()) : undefined;
  const kept = opts.cacheDir && key ? readCachedConfig(opts.cacheDir, path, key) : undefined;
  if (kept) return { ok: true, config: kept };
  const r = parseConfigText(text);
  if (r.ok && opts.cacheDir && key) writeCachedConfig(opts.cacheDir, path, key, r.config);
  return r;
}

function parseConfigText(text: string): ConfigResult {
  // Nothing but blanks and comments: said as that, not as a null where a group of keys was expected.
  if (!/^[ \t]*[^\s#]/m.test(text)) {
    return { ok: false, issues: [{ path: '(the file)', pathZh: '（整个文件）', found: 'an empty file (nothing but blanks and comments)', expected: 'the hall config: hall, hours, services, windows, … (config/hall.example.yaml is a start)', foundZh: '空文件（只有空白和注释）', expectedZh: '大厅配置：hall、hours、services、windows 等（可从 config/hall.example.yaml 开始）' }] };
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    // One syntax error makes the parser stumble on until the end (a `{` left open is also a key not on one
    // line, an indented block inside { }, a ] and a } missing): said once. A bracket left open is the
    // root of the others when there is one; else the first error in the file.
    const byPlace = [...doc.errors].sort((a, b) => a.pos[0] - b.pos[0]);
    const open = byPlace.find((e) => yamlExpected(e).en.startsWith('a closing '));
    const first = [open ?? byPlace[0]].filter((e) => e !== undefined);
    return {
      ok: false,
      issues: first.map((e) => ({ path: `line ${e.linePos?.[0].line ?? '?'}`, pathZh: `第 ${e.linePos?.[0].line ?? '?'} 行`, found: 'invalid YAML', expected: yamlExpected(e).en, foundZh: '不合 YAML 语法的内容', expectedZh: yamlExpected(e).zh })),
    };
  }
  const data = yamlData(doc, text);
  if (!data.ok) {
    const at = data.line === undefined ? { path: '(the file)', pathZh: '（整个文件）' } : { path: `line ${String(data.line)}`, pathZh: `第 ${String(data.line)} 行` };
    return { ok: false, issues: [{ ...at, found: data.found, expected: data.expected, foundZh: data.foundZh, expectedZh: data.expectedZh }] };
  }
  const r = validateConfig(data.value);
  return r.ok ? r : { ...r, issues: foldAnchoredIssues(doc, r.issues) };
}

/** One issue without its path: `found X, expected Y`; `zh`: `收到 X，应为 Y` (the hall's and the city's config check alike). */
export function issueWords(i: Pick<ConfigIssue, 'found' | 'expected' | 'foundZh' | 'expectedZh'>, zh = false): string {
  return zh ? `收到${i.foundZh}，应为${i.expectedZh}` : `found ${i.found}, expected ${i.expected}`;
}

/** One issue as a line: `path: found X, expected Y`; `zh`: its Chinese, `路径：收到 X，应为 Y`. */
export function issueLine(i: ConfigIssue, zh = false): string {
  return zh ? `${i.pathZh ?? i.path}：${issueWords(i, true)}` : `${i.path}: ${issueWords(i)}`;
}

/** Every issue as `FILE: path: found X, expected Y`, one a line; `zh` adds each one's Chinese on the next line, indented. */
export function formatIssues(file: string, issues: ConfigIssue[], zh = false): string {
  return issues.map((i) => `${file}: ${issueLine(i)}${zh ? `\n  ${issueLine(i, true)}` : ''}`).join('\n');
}

/** Loads or throws CONFIG_INVALID with every issue in the message (the daemons refuse to start). */
export function loadConfigOrThrow(path: string): HallqConfig {
  const r = loadConfigFile(path);
  if (!r.ok) throw new HallqError('CONFIG_INVALID', formatIssues(path, r.issues), { issues: r.issues, messageZh: `${path} 有 ${r.issues.length} 处问题：${r.issues.map((i) => issueLine(i, true)).join('；')}` });
  return r.config;
}
