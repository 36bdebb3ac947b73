import { SerialPort } from 'serialport';
import { hallDateTime, utcOffsetText } from './hall-time.js';
import { dirname } from 'node:path';
import { HallqError, isHallqError } from '../../drivers/common/error.js';
import { errnoOf, fileProblem } from '../../drivers/common/system-words.js';
import { IN_USE_WORDS } from '../../drivers/common/serial-transport.js';
import { silentLogger } from '../../drivers/common/logger.js';
import type { PrintDocument } from '../../drivers/printer/document.js';
import { DeviceManager } from '../agent/devices/manager.js';
import { listStableNames, type StableName } from '../agent/devices/stable-names.js';
import { deviceReasonSchema, reasonWords, type DeviceReason } from '../bus/device-reasons.js';
import type { DeviceHealth } from '../bus/messages.js';
import { z } from 'zod';
import { thisAgent, type ThisAgent } from '../config/agents.js';
import { loadConfigOrThrow } from '../config/load.js';
import type { DevicesConfig } from '../config/schema.js';
import { errorLine } from './cli-error.js';
import { exitCodes } from './exit-codes.js';
import { sameBoxHost } from './server-address.js';
import { displayWidth, table } from './table.js';

/** How long a briefly opened device gets to say how it is. */
const SETTLE_MS = 3000;

interface PortInfo {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
}

async function serialPorts(): Promise<PortInfo[]> {
  try {
    return (await SerialPort.list()).map((p) => ({
      path: p.path,
      ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
      ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
      ...(p.vendorId ? { vendorId: p.vendorId } : {}),
      ...(p.productId ? { productId: p.productId } : {}),
    }));
  } catch {
    return [];
  }
}

/** Opens the given devices, lets them settle, and closes them again. The agent must not hold the ports. */
async function briefly<T>(devices: DevicesConfig, fn: (m: DeviceManager) => Promise<T>): Promise<T> {
  const m = new DeviceManager(devices, { logger: silentLogger, backoff: { initialMs: 60_000, maxMs: 60_000 }, printerPollMs: 60_000 });
  try {
    await m.start();
    await m.settled(SETTLE_MS);
    // One look, no retries: the daemon's "retrying in 60 s" is not true of this command.
    return (await fn(m)) as T;
  } finally {
    await m.stop();
  }
}

/**
 * A device's health as `hallq devices` states it: `in-use` when another process (the running agent) holds its
 * port and that agent does not say how the device is; `heldByAgent` when the state is the running agent's.
 */
export type OneShotHealth = Omit<DeviceHealth, 'state'> & { state: DeviceHealth['state'] | 'in-use'; heldByAgent?: true };

/** How long the running agent gets to answer (its /readyz on this box): every wait on the network is bounded. */
const AGENT_ANSWER_MS = 2000;

/** The part of the agent's /readyz read here (src/agent/health-http.ts agentReadiness); anything else in it is ignored. */
const agentReadyz = z.object({
  devices: z.object({
    states: z.record(z.string(), z.enum(['ok', 'degraded', 'offline', 'unknown'])),
    problems: z.array(z.object({ name: z.string(), reason: deviceReasonSchema, detail: z.string().optional() })).default([]),
  }),
});

/** The running agent's view of its devices: every state by name, each problem's reason and detail, and where it was read. */
export interface AgentView {
  url: string;
  states: Record<string, DeviceHealth['state']>;
  problems: { name: string; reason?: DeviceReason | undefined; detail?: string | undefined }[];
}

/** Where this box's agent answers /readyz: its health listener (agent.health), then its kiosk's listener; a wildcard bind is asked on loopback. */
export function agentReadyzUrls(me: Pick<ThisAgent, 'health' | 'kiosk'>): string[] {
  return [me.health, me.kiosk].flatMap((l) => (l ? [`http://${sameBoxHost(l.host)}:${l.port}/readyz`] : []));
}

/** Asks the running agent (agentReadyzUrls, AGENT_ANSWER_MS each) how its devices are; undefined when none answers with a device list. */
async function agentView(me: ThisAgent): Promise<AgentView | undefined> {
  for (const url of agentReadyzUrls(me)) {
    try {
      // /readyz answers 503 while starting or with a low disk, with the same body: read it either way.
      const res = await fetch(url, { signal: AbortSignal.timeout(AGENT_ANSWER_MS) });
      const body = agentReadyz.safeParse(await res.json());
      if (body.success) return { url, states: body.data.devices.states, problems: body.data.devices.problems };
    } catch {
      // Nothing there, or not an agent: try the next listener, else the devices stay in-use.
    }
  }
  return undefined;
}

/**
 * The devices whose port the running agent holds (`in-use`), stated as that agent reports them (issue 13,
 * tryout: a live box said `in-use` for a printer the agent's /readyz said was out of paper). Others unchanged.
 */
export function withAgentView(list: OneShotHealth[], view: AgentView | undefined): OneShotHealth[] {
  if (view === undefined) return list;
  return list.map((d) => {
    const state = d.state === 'in-use' ? view.states[d.name] : undefined;
    if (state === undefined) return d;
    const problem = view.problems.find((p) => p.name === d.name);
    const said = `as the running agent reports it (${view.url}), which holds its port`;
    return { name: d.name, kind: d.kind, state, heldByAgent: true, ...(problem?.reason ? { reason: problem.reason } : {}), detail: problem?.detail ? `${problem.detail}; ${said}` : said };
  });
}

/**
 * A health entry as a one-shot command states it: the agent's retry note dropped (nothing retries
 * here), and a port another process holds locked (the agent on a live box) said as `in-use`, not
 * `offline`: the device may well be fine.
 */
export function oneShot(d: DeviceHealth): OneShotHealth {
  const detail = d.detail?.replace(/; retrying in [\d.]+ s$/, '');
  const inUse = d.state === 'offline' && detail?.includes(IN_USE_WORDS.en) === true;
  return { ...d, ...(inUse ? { state: 'in-use' as const } : {}), ...(detail === undefined ? {} : { detail }) };
}

/** The devices on a line another process holds (keypads, screens: "rs485-0 down") cannot be looked at: in-use too, not offline. */
function behindInUse(list: OneShotHealth[]): OneShotHealth[] {
  const held = new Set(list.filter((d) => d.state === 'in-use').map((d) => d.name));
  return list.map((d) => {
    const line = /^(\S+) down$/.exec(d.detail ?? '')?.[1];
    return d.state === 'offline' && line !== undefined && held.has(line) ? { ...d, state: 'in-use', detail: `on ${line}, which another process holds (the running hallq agent?)` } : d;
  });
}

/**
 * Left-aligned columns, the detail last and unpadded (it can be long: it lists stable names). The reason
 * in English and Chinese ("paper out (缺纸)"), so paper out is not read as a printer gone.
 */
function healthTable(list: OneShotHealth[]): string {
  const rows = [['device', 'kind', 'state', 'reason', 'detail'], ...list.map((d) => [d.name, d.kind, d.state, d.reason ? reasonWords(d.reason) : '', d.detail ?? ''])];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => displayWidth(r[i] ?? ''))));
  return rows.map((r) => r.map((c, i) => (i < 4 ? c + ' '.repeat((widths[i] ?? 0) - displayWidth(c)) : c)).join('  ').trimEnd()).join('\n');
}

/**
 * `hallq devices [--config FILE] [--json]`: the serial ports the system sees, the stable names udev
 * made, and — with a config — every configured device opened briefly with its health. Exit 1 if any
 * configured device is offline.
 */
export async function devicesCommand(configPath: string | undefined, json: boolean): Promise<number> {
  const ports = await serialPorts();
  const stable: StableName[] = listStableNames();
  const me = configPath ? thisAgent(loadConfigOrThrow(configPath)) : undefined;
  const looked = me ? behindInUse(await briefly(me.devices, async (m) => m.list().map(oneShot))) : undefined;
  const devices = me && looked?.some((d) => d.state === 'in-use') ? withAgentView(looked, await agentView(me)) : looked;
  if (json) process.stdout.write(`${JSON.stringify({ ports, stableNames: stable, ...(devices ? { devices } : {}) }, null, 2)}\n`);
  else {
    const out: string[] = [];
    out.push('serial ports', ports.length > 0 ? table(['path', 'maker', 'serial', 'usb id'], ports.map((p) => [p.path, p.manufacturer ?? '', p.serialNumber ?? '', p.vendorId ? `${p.vendorId}:${p.productId ?? ''}` : ''])) : '  none found', '');
    out.push('stable names (/dev/hallq, /dev/serial/by-id)', stable.length > 0 ? table(['name', 'points at'], stable.map((s) => [s.path, s.target ?? '(dangling)'])) : '  none', '');
    if (devices) out.push(`configured devices (${configPath})`, devices.length > 0 ? healthTable(devices) : '  none configured', '');
    process.stdout.write(`${out.join('\n')}\n`);
  }
  return devices?.some((d) => d.state === 'offline') ? exitCodes.failure : exitCodes.ok;
}

/**
 * The test ticket: Chinese text in both sizes, a QR code and a CODE128, so every printer feature shows.
 * Stamped in hall time (hall.utcOffsetMinutes), as every ticket is, with the offset printed.
 */
export function testTicket(now: Date = new Date(), utcOffsetMinutes = 480): PrintDocument {
  const stamp = `${hallDateTime(now.getTime(), utcOffsetMinutes, true)} ${utcOffsetText(utcOffsetMinutes)}`;
  return {
    blocks: [
      { type: 'text', text: 'hallq 打印测试', align: 'center', bold: true },
      { type: 'text', text: 'A888', align: 'center', width: 4, height: 4, bold: true },
      { type: 'text', text: '政务服务大厅 排队叫号 测试票', align: 'center' },
      // Centred like every other line (left-aligned it touched the paper's left edge).
      { type: 'text', text: '中文 GBK：社会保障 不动产登记 医保', align: 'center' },
      // A line's feed on each side of the QR: its quiet zone (4 modules, ISO/IEC 18004 §6.3.8), which
      // the printer does not add; without it the text above and the bars below touch the symbol.
      { type: 'feed', lines: 1 },
      { type: 'qr', data: 'https://hallq.example/print-test', align: 'center' },
      { type: 'feed', lines: 1 },
      { type: 'barcode', data: 'HALLQ-A888', align: 'center' },
      { type: 'text', text: stamp, align: 'center' },
      { type: 'feed', lines: 3 },
      { type: 'cut', partial: true },
    ],
  };
}

/**
 * `hallq print-test --png FILE [--config FILE]`: the test ticket as the printer would print it (the
 * ESC/POS bytes the driver sends, decoded as the emulator reads them), drawn at 576 dots, no printer needed.
 */
export async function printTestPng(file: string, configPath: string | undefined): Promise<number> {
  const { encodeDocument } = await import('../../drivers/printer/encoder.js');
  const { EscPosDecoder } = await import('../../drivers/printer/decoder.js');
  const { previewFontProblem, previewFontWarning, renderTicketPng } = await import('../../drivers/printer/preview.js');
  const { existsSync, writeFileSync } = await import('node:fs');
  const config = configPath ? loadConfigOrThrow(configPath) : undefined;
  const encoding = config ? (thisAgent(config).devices.printer?.encoding ?? 'gbk') : 'gbk';
  const bytes = encodeDocument(testTicket(new Date(), config?.hall.utcOffsetMinutes ?? 480), { encoding }).bytes;
  const ticket = new EscPosDecoder({ encoding }).push(bytes).find((e) => e.type === 'ticket');
  if (ticket?.type !== 'ticket') throw new Error('the test ticket did not decode to a cut ticket');
  try {
    writeFileSync(file, renderTicketPng(ticket.ticket));
  } catch (e) {
    throw pngWriteError(file, e, existsSync);
  }
  // Written all the same (the QR code, the bars and the layout are worth seeing), but never passed off as the ticket.
  const fonts = previewFontProblem();
  if (fonts) process.stderr.write(`${previewFontWarning() ?? ''}\n`);
  process.stdout.write(`${fonts === undefined ? 'test ticket drawn' : fonts.code === 'NO_FONT' ? 'test ticket drawn WITHOUT its text (no font)' : 'test ticket drawn WITHOUT its Chinese text (no CJK font)'}: ${file}\n`);
  return exitCodes.ok;
}

/** `--png FILE` not written: a missing folder is said to be the folder (the file is what is being made). */
function pngWriteError(file: string, e: unknown, exists: (p: string) => boolean): HallqError {
  const folder = dirname(file);
  if (errnoOf(e) === 'ENOENT' && !exists(folder)) {
    return new HallqError('FILE_IO', `--png: cannot write ${file}: the folder ${folder} is not there (create it first)`, { path: file, messageZh: `--png：${file} 写入失败：目录 ${folder} 不存在（请先创建）` }, { cause: e });
  }
  const p = fileProblem('write', file, e, '--png');
  return new HallqError('FILE_IO', p.en, { path: file, messageZh: p.zh }, { cause: e });
}

/** `hallq print-test --config FILE`: a test ticket on the configured printer, and its status. */
export async function printTestCommand(configPath: string): Promise<number> {
  const config = loadConfigOrThrow(configPath);
  const all = thisAgent(config).devices;
  if (!all.printer) {
    process.stderr.write(`${errorLine({ code: 'NO_PRINTER', message: `print-test: no printer in this agent's devices (agents[].devices.printer) in ${configPath}`, messageZh: '本机的设备中没有打印机' })}\n`);
    return exitCodes.failure;
  }
  return briefly({ printer: all.printer, rs485: [] }, async (m) => {
    const before = m.list().find((d) => d.name === 'printer');
    process.stdout.write(`printer: ${before?.state ?? 'unknown'}${before?.reason ? ` — ${reasonWords(before.reason)}` : ''}${before?.detail ? ` (${before.detail})` : ''}\n`);
    try {
      const r = await m.printer?.print(testTicket(new Date(), config.hall.utcOffsetMinutes));
      const status = r?.checked.type === 'known' ? `paper ${r.checked.status.paper}, ${r.checked.status.online ? 'online' : 'offline'}` : `status not read (${r?.checked.reason ?? 'unknown'})`;
      process.stdout.write(`test ticket sent: ${r?.bytes ?? 0} bytes, ${r?.replacedCharacters ?? 0} characters outside the encoding; ${status}\n`);
      return exitCodes.ok;
    } catch (e) {
      process.stdout.write(`test ticket NOT printed: ${isHallqError(e) ? `${e.code}: ${e.message}` : String(e)}\n`);
      return exitCodes.failure;
    }
  });
}

/** `hallq screen-test --config FILE`: a test pattern (every colour and the address) on every configured screen. */
export async function screenTestCommand(configPath: string): Promise<number> {
  const all = thisAgent(loadConfigOrThrow(configPath)).devices;
  // Keypads stay out: their polls would only slow the line down.
  const lines = all.rs485.map((l) => ({ ...l, keypads: [] }));
  if (!lines.some((l) => l.screens.length > 0)) {
    process.stderr.write(`${errorLine({ code: 'NO_SCREENS', message: `screen-test: no screens under this agent's devices (agents[].devices.rs485) in ${configPath}`, messageZh: '本机的设备中没有窗口屏' })}\n`);
    return exitCodes.failure;
  }
  return briefly({ rs485: lines }, async (m) => {
    const rows: string[][] = [];
    let failed = 0;
    for (const s of m.screenList) {
      try {
        await s.screen.testPattern();
        rows.push([String(s.window), s.protocol, String(s.address), s.line, 'ok']);
      } catch (e) {
        failed += 1;
        rows.push([String(s.window), s.protocol, String(s.address), s.line, isHallqError(e) ? e.code : String(e)]);
      }
    }
    process.stdout.write(`${table(['window', 'protocol', 'address', 'line', 'result'], rows)}\n`);
    return failed > 0 ? exitCodes.failure : exitCodes.ok;
  });
}
