import { randomUUID } from 'node:crypto';
import { closest } from '../../drivers/common/did-you-mean.js';
import { foundWords } from '../../drivers/common/invalid-text.js';
import { loadConfigFile } from '../config/load.js';
import type { QueueView, WindowView } from '../core/index.js';
import { cliTokenPath, readCliToken } from '../server/auth/cli-token.js';
import { CliError, errorLine } from './cli-error.js';
import { exitCodes } from './exit-codes.js';
import { systemWords } from '../../drivers/common/system-words.js';
import { displayWidth, table } from './table.js';
import { certificateWords, send, type HallServer } from './server-address.js';

/**
 * Technician commands that talk to a running server's HTTP API, with the server's CLI token as a
 * bearer header: `$HALLQ_TOKEN`, else the file `<database>.cli-token` of --config's database, else
 * /var/lib/hallq/hall.db.cli-token (the default database). Run them on the server box.
 */
export function cliTokenFor(configPath: string | undefined): string | undefined {
  if (process.env['HALLQ_TOKEN']) return process.env['HALLQ_TOKEN'];
  const r = configPath ? loadConfigFile(configPath) : undefined;
  return readCliToken(cliTokenPath(r?.ok ? r.config.server.database : '/var/lib/hallq/hall.db'));
}

const auth = (token: string | undefined): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

/** The hall server, from an address alone (tests) or with the config's certificate. */
const hallServer = (server: HallServer | string): HallServer => (typeof server === 'string' ? { url: server } : server);

/** fetch, with a server out of reach said plainly, and a certificate refused said as such (not as a server away). */
async function ask(server: HallServer, path: string, init: RequestInit = {}): Promise<Response> {
  const base = server.url;
  try {
    return await send(server, path, init);
  } catch (e) {
    const cause = e instanceof Error ? e.cause : undefined;
    const cert = certificateWords(cause instanceof Error ? (cause as NodeJS.ErrnoException).code : undefined, server);
    if (cert) throw new CliError('CERT_UNTRUSTED', `the hall server at ${base} answered, but ${cert.en}`, `大厅服务器 ${base} 有应答，但${cert.zh}`);
    const why = unreachableWords(e);
    // A TLS server cuts a plain-HTTP request short: that is what "cut" most likely means on http://.
    const tlsHint = why.en === 'the connection was cut' && base.startsWith('http:') ? { en: ' or does it speak HTTPS (server.http.tls: use https://)?', zh: '，或它用的是 HTTPS（server.http.tls：请用 https://）' } : { en: '', zh: '' };
    throw new CliError('NOT_CONNECTED', `no answer from the hall server at ${base}: ${why.en}; is it running?${tlsHint.en} (hallq status --server URL)`, `连不上大厅服务器 ${base}：${why.zh}，请确认它在运行${tlsHint.zh}`);
  }
}

/** Why fetch got no answer, in words (never undici's own text): its cause's system code, or fetch's refusal of a port. */
export function unreachableWords(e: unknown): { en: string; zh: string } {
  const cause = e instanceof Error ? e.cause : undefined;
  const code = cause instanceof Error ? (cause as NodeJS.ErrnoException).code : undefined;
  // fetch refuses the ports browsers block (9, 25, 6000, …) before trying: "bad port".
  if (cause instanceof Error && cause.message === 'bad port') return { en: 'this port is one fetch never connects to (a port browsers block, such as 9, 25 or 6000): use the server.http.port', zh: '这个端口是浏览器禁用的端口（如 9、25、6000），不会去连接：请用 server.http.port 的端口' };
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return { en: 'the connection timed out', zh: '连接超时' };
  if (code === 'UND_ERR_SOCKET') return { en: 'the connection was cut', zh: '连接中断' };
  return systemWords(code);
}

/** A non-2xx answer as a CliError with the server's own code and words. */
async function failure(res: Response, path: string, sentToken = false): Promise<CliError> {
  const body = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string; messageZh?: string } } | undefined;
  if (res.status === 401 && sentToken) return new CliError('unauthorized', `${path}: the server refused the CLI token sent (HALLQ_TOKEN or <database>.cli-token): it is another server's, or an old one; use this server's --config or its token file`, '服务器不接受所发的命令行令牌（HALLQ_TOKEN 或 <数据库>.cli-token）：它属于另一台服务器或已过期；请用本服务器的 --config 或其令牌文件');
  if (res.status === 401) return new CliError('unauthorized', `${path}: the server wants the CLI token: run this on the server box with --config, or set HALLQ_TOKEN`, '需要命令行令牌：请在服务器上用 --config 运行，或设置 HALLQ_TOKEN');
  const e = body?.error;
  return new CliError(e?.code ?? `http-${res.status}`, e?.message ?? `${path}: the server answered HTTP ${res.status}`, e?.messageZh ?? `服务器返回 HTTP ${res.status}`);
}

async function get<T>(server: HallServer, path: string, token: string | undefined): Promise<T> {
  const res = await ask(server, path, { headers: auth(token) });
  if (!res.ok) throw await failure(res, path, token !== undefined);
  return (await res.json()) as T;
}

/** A pause reason longer than this (display columns) is cut with … in `hallq status`; `--json` has it whole. */
const REASON_COLUMNS = 40;

/**
 * `hallq status`'s windows, one a line. A pause reason, typed by staff and of any length, goes last and
 * unpadded (tryout: in the status column it widened every line), cut at REASON_COLUMNS.
 */
export function windowsTable(windows: readonly Pick<WindowView, 'window' | 'status' | 'pauseReason' | 'staffId' | 'current' | 'waiting'>[]): string {
  const reasons = windows.some((w) => w.pauseReason);
  const head = ['window', 'status', 'staff', 'current', 'waiting', ...(reasons ? ['reason'] : [])];
  const rows = windows.map((w) => [w.window, w.status, w.staffId ?? '-', w.current?.number ?? '-', w.waiting, ...(reasons ? [cut(w.pauseReason ?? '', REASON_COLUMNS)] : [])]);
  return table(head, rows);
}

/** `text` within `columns` display columns (displayWidth), with … where it was cut. */
function cut(text: string, columns: number): string {
  if (displayWidth(text) <= columns) return text;
  let out = '';
  for (const ch of text) {
    if (displayWidth(out + ch) > columns - 1) break;
    out += ch;
  }
  return `${out}…`;
}

export async function statusCommand(to: HallServer | string, json: boolean, token?: string): Promise<number> {
  const server = hallServer(to);
  const base = server.url;
  const health = await ask(server, '/readyz').then(async (r) => ({ code: r.status, body: (await r.json()) as { ok: boolean; status: string; seq: number; broker: string } }));
  const windows = await get<WindowView[]>(server, '/api/windows', token);
  if (json) process.stdout.write(`${JSON.stringify({ health: health.body, windows })}\n`);
  else {
    process.stdout.write(`server ${base}: ${health.body.status} · broker ${health.body.broker} · seq ${health.body.seq}\n\n`);
    process.stdout.write(`${windowsTable(windows)}\n`);
  }
  return health.body.ok ? exitCodes.ok : exitCodes.failure;
}

export async function queueCommand(to: HallServer | string, json: boolean, token?: string): Promise<number> {
  const q = await get<QueueView>(hallServer(to), '/api/queue', token);
  if (json) process.stdout.write(`${JSON.stringify(q)}\n`);
  else process.stdout.write(`${table(['service', 'waiting', 'issued', 'served'], Object.entries(q.services).map(([id, s]) => [s.outOfConfig ? `${id} (out of the config 已不在配置中)` : id, s.waiting, s.issued, s.served]))}\n`);
  return exitCodes.ok;
}

/** What an accepted command did, in words: a CallNext with nothing waiting is accepted but calls nobody. */
export function okLine(command: Record<string, unknown>, ticketId: string | undefined): string {
  const number = ticketId?.split('-').at(-1);
  if (command.type === 'CallNext') {
    return number ? `window ${String(command.window)}: called ${number} (${ticketId})` : `window ${String(command.window)}: nobody waiting, nothing called (无人等候)`;
  }
  if (command.type === 'IssueTicket' && number) return `issued ${number} (${ticketId})`;
  return ticketId ? `ok ${ticketId}` : 'ok';
}

export async function commandCommand(to: HallServer | string, command: Record<string, unknown>, json: boolean, token?: string): Promise<number> {
  const server = hallServer(to);
  // The server sets the source (admin for the CLI token).
  const res = await ask(server, '/api/commands', { method: 'POST', headers: { 'content-type': 'application/json', ...auth(token) }, body: JSON.stringify({ id: randomUUID(), ...command }) });
  if (res.status === 401) throw await failure(res, '/api/commands', token !== undefined);
  const body = (await res.json()) as { outcome?: { ok: boolean; ticketId?: string; code?: string; message?: { zh: string; en: string } }; error?: { code: string; message: string; messageZh?: string } };
  if (json) process.stdout.write(`${JSON.stringify(body)}\n`);
  else if (body.outcome?.ok) process.stdout.write(`${okLine(command, body.outcome.ticketId)}\n`);
  else if (body.outcome?.code === 'unknown-window' && typeof command.window === 'number') {
    // Which windows there are, so the technician need not look them up (`hallq call 99`).
    const list = await windowList(server);
    process.stderr.write(`${errorLine({ code: 'unknown-window', message: `refused: the hall has no window ${command.window}${list ? `; its windows: ${list.en}` : ''}`, messageZh: `本大厅没有 ${command.window} 号窗口${list ? `；有这些窗口：${list.zh}` : ''}` })}\n`);
  } else if (body.outcome?.code === 'unknown-service' && typeof command.serviceId === 'string') {
    // Which services there are, and the one it is a typo of (`hallq issue socail`).
    const ids = await serviceIds(server);
    const guess = ids === undefined ? undefined : closest(command.serviceId, ids);
    const more = ids === undefined ? { en: '', zh: '' } : { en: `; its services: ${ids.join(', ')}${guess ? ` (did you mean ${guess}?)` : ''}`, zh: `；有这些业务：${ids.join('、')}${guess ? `（是不是 "${guess}"？）` : ''}` };
    // What was typed is worded as the server words an echo (quoted only when it cannot be personal data).
    const typed = foundWords(command.serviceId);
    process.stderr.write(`${errorLine({ code: 'unknown-service', message: `refused: the hall has no service ${typed.en}${more.en}`, messageZh: `本大厅没有业务 ${typed.zh}${more.zh}` })}\n`);
  } else if (body.outcome) process.stderr.write(`${errorLine({ code: body.outcome.code ?? 'refused', message: `refused: ${body.outcome.message?.en ?? ''}`, messageZh: body.outcome.message?.zh })}\n`);
  else process.stderr.write(`${errorLine({ code: body.error?.code ?? `http-${res.status}`, message: body.error?.message ?? `the server answered HTTP ${res.status}`, messageZh: body.error?.messageZh })}\n`);
  return body.outcome?.ok ? exitCodes.ok : exitCodes.failure;
}

/** The hall's service ids from its public snapshot; undefined when they cannot be had. */
async function serviceIds(server: HallServer): Promise<string[] | undefined> {
  try {
    const res = await send(server, '/api/hall');
    if (!res.ok) return undefined;
    const ids = ((await res.json()) as { services?: { id: string }[] }).services?.map((s) => s.id) ?? [];
    return ids.length > 0 ? ids : undefined;
  } catch {
    return undefined;
  }
}

/** A window's kind in words (the config's `kind`). */
const KIND_WORDS: Readonly<Record<string, { en: string; zh: string }>> = {
  general: { en: 'general', zh: '无差别综合窗口' },
  domain: { en: 'domain', zh: '分领域综合窗口' },
  special: { en: 'special', zh: '专窗' },
  pickup: { en: 'pickup', zh: '出件窗口' },
};

/** The hall's windows from its public snapshot, e.g. `1 (general), 2 (general), … 12 (pickup)`; undefined when it cannot be had. */
async function windowList(server: HallServer): Promise<{ en: string; zh: string } | undefined> {
  try {
    const res = await send(server, '/api/hall');
    if (!res.ok) return undefined;
    const hall = (await res.json()) as { windows?: { window: number; kind?: string }[] };
    const ws = hall.windows ?? [];
    if (ws.length === 0) return undefined;
    const words = (k: string | undefined) => (k === undefined ? undefined : KIND_WORDS[k]);
    return {
      en: ws.map((w) => `${w.window}${words(w.kind) ? ` (${words(w.kind)?.en ?? ''})` : ''}`).join(', '),
      zh: ws.map((w) => `${w.window} 号${words(w.kind) ? `（${words(w.kind)?.zh ?? ''}）` : ''}`).join('、'),
    };
  } catch {
    return undefined;
  }
}
