import { MAX_STATUS_BASE_URL_BYTES } from './ticket-qr.js';
import { DEFAULT_STATUS_BASE_URL, defaultStatusBaseUrl, serverPortOf } from './status-url.js';
import type { ConfigWarning } from './warnings.js';
import { docField } from './doc-field.js';

const get = docField;

/** True when `url` names this machine (localhost, 127.0.0.0/8, ::1, 0.0.0.0): a phone scanning the ticket never reaches it. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]' || host === '0.0.0.0' || host === '[::]';
}

/**
 * The warning for a kiosk whose status page address (printed as the ticket's QR code, linked in its SMS) is
 * this machine's. One text for `hallq config check`, the server and the agent alike: the server and the agent
 * read the parsed config, where a key left out already holds its default, so the text says the address and,
 * for the default one, that it is also what a left-out key means — never "set" or "not set", which only the
 * file as written could tell.
 */
export function statusBaseUrlWarning(path: string, url: string, leftOutMeans = DEFAULT_STATUS_BASE_URL): ConfigWarning {
  const dflt = url === leftOutMeans;
  const was = `is ${url}${dflt ? ' (also its default when left out)' : ''}`;
  const wasZh = `是 ${url}${dflt ? '（未设置时也是它）' : ''}`;
  return {
    path,
    en: `${path}: ${was}, an address of this machine: the QR code on each ticket (and the link in its SMS) points there and no citizen's phone can open it; set it to the server's address as phones on the hall's Wi-Fi reach it, e.g. http://192.168.1.10:8080`,
    zh: `${path}：${wasZh}，是本机地址：每张号票上的二维码（和短信里的链接）指向它，群众的手机打不开；请设为手机在大厅无线网络上能访问的服务器地址，例如 http://192.168.1.10:8080`,
  };
}

/** True when a listener bound to `host` is reached from this machine only (localhost, 127.0.0.0/8, ::1). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(h) || h === '::1';
}

/**
 * The warning for a kiosk listener bound beyond this machine: its API takes tickets, SMS-only ones to any
 * phone, with no sign-in (it is the touch screen's own), so anyone on the LAN could take them.
 */
export function kioskHostWarning(path: string, host: string): ConfigWarning {
  return {
    path,
    en: `${path}: is ${host}, not an address of this machine only: the kiosk API (tickets, SMS-only ones to any phone, with no sign-in: it is the touch screen's own) is open to every computer that reaches it on the hall's network; bind it to 127.0.0.1 (the default) unless the kiosk page runs on another box`,
    zh: `${path}：是 ${host}，不只是本机地址：取号机接口（取号、短信取号到任意手机，无需登录：它只属于本机触摸屏）对大厅网络上能访问它的所有电脑开放；请绑定 127.0.0.1（默认值），除非取号页面在另一台机器上运行`,
  };
}

/** The warning for a kiosk whose `statusBaseUrl` is too long for any ticket's QR code to fit the paper. */
export function statusBaseUrlTooLongWarning(path: string, bytes: number): ConfigWarning {
  const max = MAX_STATUS_BASE_URL_BYTES;
  return {
    path,
    en: `${path}: is ${bytes} bytes long, more than the ${max} bytes a status link may start with: every ticket's QR code (the link, module size 6, level M) would be wider than the 576-dot (80 mm) paper, and the printer refuses it; use a shorter address, e.g. http://192.168.1.10:8080`,
    zh: `${path}：长 ${bytes} 字节，超过状态页链接前缀允许的 ${max} 字节：每张号票的二维码（该链接，模块 6 点，纠错等级 M）都会比 576 点（80 毫米）的纸宽，打印机拒绝打印；请用更短的地址，例如 http://192.168.1.10:8080`,
  };
}

/** This box's entry of `agents` in any parsed document: the one `agent.id` names, or the only one. */
function ownAgentEntry(doc: unknown): unknown {
  const agents = get(doc, 'agents');
  const entries: unknown[] = Array.isArray(agents) ? agents : [];
  const ownId = get(get(doc, 'agent'), 'id') ?? (entries.length === 1 ? get(entries[0], 'id') : undefined);
  return ownId === undefined ? undefined : entries.find((a) => get(a, 'id') === ownId);
}

/**
 * True when this box's kiosk prints tickets and keeps its print journal in memory only: it has a
 * printer, and neither `agent.kioskJournal` nor an island file (`island.outbox`, which holds the journal
 * then) is set, so an agent restart can leave a ticket unsettled. The journal holds prints only: a kiosk
 * with no printer refuses a printed ticket before journaling it and never journals an SMS ticket
 * (src/agent/flows/kiosk.ts), so it has nothing to settle after a restart. From any parsed document (the
 * file as written, or a valid config): `hallq config check` and the agent's start both ask this, so they
 * say the same.
 */
export function kioskJournalInMemory(doc: unknown): boolean {
  const own = ownAgentEntry(doc);
  return get(own, 'kiosk') !== undefined && get(get(own, 'devices'), 'printer') !== undefined && get(get(doc, 'agent'), 'kioskJournal') === undefined && get(doc, 'island') === undefined;
}

/** The warning for kioskJournalInMemory, said by `hallq config check` and logged by the agent at its start. */
export const KIOSK_JOURNAL_WARNING: ConfigWarning = {
  path: 'agent.kioskJournal',
  en: 'agent.kioskJournal: not set (and no island file): this kiosk keeps its print journal in memory only, so an agent restart can leave a ticket unsettled; set it, e.g. kioskJournal: /var/lib/hallq/kiosk-journal.db',
  zh: 'agent.kioskJournal：未设置（也没有孤岛文件）：本机自助取号机的打印记录只在内存中，代理重启可能让一张号票的结果无从确认；请设置，例如 kioskJournal: /var/lib/hallq/kiosk-journal.db',
};

/**
 * Kiosk settings that work on the day and fail a citizen later, from any parsed document (a valid
 * config, or the file as written when the schema refuses another key): a kiosk that prints tickets (or
 * a hall that sends SMS) with its `statusBaseUrl` left at, or set to, an address of this machine; a kiosk
 * listener bound beyond this machine (`kiosk.host`: README, the kiosk listener is the touch screen's); and
 * this box's printing kiosk whose print journal is kept in memory only (kioskJournalInMemory). Valid
 * (the demo runs on one box), so warnings; the agent logs both at its start too, from the same functions.
 */
export function kioskWarnings(doc: unknown): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  const agents = get(doc, 'agents');
  const entries = Array.isArray(agents) ? agents : [];
  const provider = get(get(get(doc, 'server'), 'sms'), 'provider');
  const smsOn = typeof provider === 'string' && provider !== 'none';
  entries.forEach((a, i) => {
    const kiosk = get(a, 'kiosk');
    if (typeof kiosk !== 'object' || kiosk === null) return;
    const host = get(kiosk, 'host');
    if (typeof host === 'string' && !isLoopbackHost(host)) out.push(kioskHostWarning(`agents[${i}].kiosk.host`, host));
    if (get(get(a, 'devices'), 'printer') === undefined && !smsOn) return;
    const written = get(kiosk, 'statusBaseUrl');
    if (written !== undefined && typeof written !== 'string') return; // the schema says what is wrong
    const leftOutMeans = defaultStatusBaseUrl(serverPortOf(doc));
    const url = written ?? leftOutMeans;
    if (isLoopbackUrl(url)) out.push(statusBaseUrlWarning(`agents[${i}].kiosk.statusBaseUrl`, url, leftOutMeans));
    const bytes = Buffer.byteLength(url.replace(/\/$/, ''), 'utf8');
    // Only a printed ticket carries the QR code (an SMS carries the link as text).
    if (get(get(a, 'devices'), 'printer') !== undefined && bytes > MAX_STATUS_BASE_URL_BYTES) out.push(statusBaseUrlTooLongWarning(`agents[${i}].kiosk.statusBaseUrl`, bytes));
  });
  if (kioskJournalInMemory(doc)) out.push(KIOSK_JOURNAL_WARNING);
  return out;
}
