import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openPtyPair, type PtyPair } from '../../drivers/common/pty-pair.js';
import { SerialTransport } from '../../drivers/common/serial-transport.js';
import { TEST_CARDS, idcardEmulation, type TestCardName } from '../../drivers/idcard/emulation.js';
import type { KeypadEmulator } from '../../drivers/keypad/emulator.js';
import { keypadProtocolIds, keypadProtocols } from '../../drivers/keypad/protocols.js';
import { screenProtocols } from '../../drivers/led-screen/protocols.js';
import type { PrintedTicket } from '../../drivers/printer/document.js';
import { printerEmulation } from '../../drivers/printer/transports.js';
import { Rs485LineEmulator } from '../../drivers/rs485/line-emulator.js';
import { ModemEmulator } from '../../drivers/sms/modem-emulator.js';
import { thisAgent } from '../config/agents.js';
import { loadConfigOrThrow } from '../config/load.js';
import type { DevicesConfig, HallqConfig } from '../config/schema.js';
import { KEYPAD_HELP, keypadCommand } from './emulate-keypad.js';
import { exitCodes } from './exit-codes.js';
import { stopOnBrokenPipe } from './broken-pipe.js';

export const EMULATED_KINDS = ['printer', 'idcard', 'rs485', 'modem'] as const;
export type EmulatedKind = (typeof EMULATED_KINDS)[number];

export interface EmulateOptions {
  /** Serial device the emulator answers on (e.g. a USB adapter wired to the agent's port); else a new pty pair. */
  port?: string;
  config?: string;
  /** Printer only: write each printed ticket as a PNG at the printer's resolution into this folder. */
  png?: string;
  print: (line: string) => void;
}

/** What one emulator session needs: its stdin commands and how to stop it. */
interface Session {
  help: string;
  command(words: string[]): string | undefined;
  close(): Promise<void>;
}

const baudOf = (kind: EmulatedKind, d: DevicesConfig | undefined, plan: Rs485Plan | undefined): number => {
  if (kind === 'rs485') return plan?.line?.baudRate ?? 9600;
  if (kind === 'printer' && d?.printer?.transport === 'serial') return d.printer.baudRate;
  if (kind === 'idcard' && d?.idcard?.transport === 'serial') return d.idcard.baudRate;
  return 115200;
};

function ticketLines(t: PrintedTicket): string[] {
  return t.blocks.flatMap((b) => {
    if (b.type === 'text') return [`  │ ${b.text}`];
    if (b.type === 'qr') return [`  │ [QR ${b.data}]`];
    if (b.type === 'barcode') return [`  │ [CODE128 ${b.data}]`];
    return [];
  });
}

function printerSession(device: SerialTransport, print: (l: string) => void, pngDir?: string): Session {
  const emulator = printerEmulation.emulator();
  emulator.attach(device);
  if (pngDir) mkdirSync(pngDir, { recursive: true });
  // Numbered on from the previews already there: an emulator started again must not overwrite the last run's.
  let n = pngDir ? lastPreviewNumber(readdirSync(pngDir)) : 0;
  // Said once, before the first ticket: without a CJK font every PNG lacks its Chinese text.
  if (pngDir) {
    void import('../../drivers/printer/preview.js').then(({ previewFontWarning }) => {
      const warning = previewFontWarning();
      if (warning) print(`⚠️  ${warning}`);
    });
  }
  emulator.onTicket((t) => {
    print([`🎫 ticket printed (${t.cut} cut):`, ...ticketLines(t)].join('\n'));
    if (!pngDir) return;
    const file = join(pngDir, `ticket-${String(++n).padStart(4, '0')}.png`);
    // Loaded only when asked for: the preview's canvas binary is not needed to emulate.
    void import('../../drivers/printer/preview.js').then(({ renderTicketPng }) => {
      writeFileSync(file, renderTicketPng(t));
      print(`  ↳ ${file}`);
    });
  });
  emulator.onLost((l) => print(`✗ ticket lost (${l.reason}): ${ticketLines(l.ticket).length} lines never reached paper`));
  return {
    help: 'paper out|near|ok · cover open|closed · offline · online · status normal|none|slow|garbage · q',
    command: ([cmd, arg]) => {
      if (cmd === 'paper' && (arg === 'out' || arg === 'ok')) emulator.set({ paper: arg });
      else if (cmd === 'paper' && arg === 'near') emulator.set({ paper: 'near-end' });
      else if (cmd === 'offline' || cmd === 'online') emulator.set({ online: cmd === 'online' });
      else if (cmd === 'cover' && (arg === 'open' || arg === 'closed')) emulator.set({ coverOpen: arg === 'open' });
      else if (cmd === 'status' && (arg === 'normal' || arg === 'none' || arg === 'slow' || arg === 'garbage')) emulator.set({ statusReply: arg });
      else return undefined;
      const s = emulator.current;
      return `printer: paper ${s.paper}, ${s.online ? 'online' : 'offline'}${s.coverOpen ? ', cover open' : ''}, status replies ${s.statusReply}`;
    },
    close: () => emulator.close(),
  };
}

function idcardSession(device: SerialTransport, print: (l: string) => void): Session {
  const emulator = idcardEmulation.emulator(device);
  void emulator.start();
  emulator.on('request', (name) => {
    if (name === 'readText' || name === 'readWithFingerprint') print('🪪 the host read the card');
  });
  const names = Object.keys(TEST_CARDS) as TestCardName[];
  return {
    help: `card ${names.join('|')} · remove · q`,
    command: ([cmd, arg]) => {
      if (cmd === 'card' && arg && (names as string[]).includes(arg)) {
        const card = TEST_CARDS[arg as TestCardName];
        emulator.placeCard(card);
        return `card placed: ${card.name} (test card ${arg}, fictitious)`;
      }
      if (cmd === 'remove') {
        emulator.removeCard();
        return 'card removed';
      }
      return undefined;
    },
    close: () => emulator.close(),
  };
}

function modemSession(device: SerialTransport, print: (l: string) => void): Session {
  const emulator = new ModemEmulator(device);
  void emulator.start();
  emulator.onMessage((m) => print(`✉  SMS to ${m.phone} (${m.parts} part${m.parts === 1 ? '' : 's'}): ${m.text}`));
  return {
    help: 'fail <cms-code> · silent on|off · ok (clear faults) · q',
    command: ([cmd, arg]) => {
      if (cmd === 'fail' && arg && /^\d+$/.test(arg)) emulator.failNextSends(Number(arg));
      else if (cmd === 'silent' && (arg === 'on' || arg === 'off')) emulator.setSilent(arg === 'on');
      else if (cmd === 'ok') emulator.clearFaults();
      else return undefined;
      return 'modem: ok';
    },
    close: () => emulator.close(),
  };
}

type Rs485Line = DevicesConfig['rs485'][number];

/** The RS-485 line `hallq emulate rs485` plays: what it emulates, and where that came from. */
export interface Rs485Plan {
  /** `agents[i].devices.rs485[j] (counter-1, /dev/hallq/rs485-0) in FILE`, or the default line's words. */
  source: string;
  line: Rs485Line | undefined;
  screens: { window: number; protocol: Rs485Line['screens'][number]['protocol']; address: number }[];
  keypads: { window: number; protocol: Rs485Line['keypads'][number]['protocol']; address: number; mode: 'poll' | 'push' }[];
}

/**
 * The line to emulate: from a config, the line whose `path` is `port` (the serial port it answers on),
 * else the first line of this box's agent (`agent.id`), else the first line of any agent — a line is
 * emulated as the config describes it, whichever agent drives it (hall.example.yaml's `agent.id` is the
 * kiosk, its line is counter-1's). Without a config: windows 1–4, a BX screen and a polled keypad each.
 */
export function rs485Plan(config: HallqConfig | undefined, file?: string, port?: string): Rs485Plan {
  if (!config) {
    return {
      source: 'no --config: the default line (give --config FILE to emulate the line a hall config describes)',
      line: undefined,
      screens: [1, 2, 3, 4].map((w) => ({ window: w, protocol: 'bx' as const, address: w })),
      keypads: [1, 2, 3, 4].map((w) => ({ window: w, protocol: keypadProtocolIds[0], address: w, mode: 'poll' as const })),
    };
  }
  const lines = config.agents.flatMap((a, i) => a.devices.rs485.map((line, j) => ({ agent: a.id, i, j, line })));
  const own = config.agent?.id ?? config.agents[0]?.id;
  const chosen = lines.find((l) => port !== undefined && l.line.path === port) ?? lines.find((l) => l.agent === own) ?? lines[0];
  if (!chosen) return { source: `${file ?? 'the config'} describes no RS-485 line (agents[].devices.rs485)`, line: undefined, screens: [], keypads: [] };
  const others = lines.length > 1 ? ` (${lines.length} lines in the config: --port PATH with a line's path picks it)` : '';
  return {
    source: `agents[${chosen.i}].devices.rs485[${chosen.j}] (${chosen.agent}, ${chosen.line.path}) in ${file ?? 'the config'}${others}`,
    line: chosen.line,
    screens: chosen.line.screens.map((x) => ({ window: x.window, protocol: x.protocol, address: x.address })),
    keypads: chosen.line.keypads.map((k) => ({ window: k.window, protocol: k.protocol, address: k.address, mode: k.mode })),
  };
}

/** What the emulated line holds, one device a line: protocol, address, window; said at the start. */
export function describeRs485Plan(plan: Rs485Plan): string[] {
  const screens = plan.screens.map((x) => `  screen  window ${x.window}: ${x.protocol} at address ${x.address}`);
  const keypads = plan.keypads.map((k) => `  keypad  window ${k.window}: ${k.protocol} at address ${k.address} (${k.mode})`);
  return [
    `emulating ${plan.source}:`,
    ...(screens.length > 0 ? screens : ['  screens: none on this line in the config']),
    ...(keypads.length > 0 ? keypads : ['  keypads: none on this line in the config']),
    ...(plan.line && keypads.length > 0 ? [`  keypad polls: ${plan.line.keypadPolling.frames} (keypadPolling.frames)`] : []),
  ];
}

function rs485Session(device: SerialTransport, baudRate: number, plan: Rs485Plan, print: (l: string) => void): Session {
  const line = new Rs485LineEmulator(device, { baudRate });
  const first = plan.line;
  const screens = plan.screens;
  const keypadCfg = plan.keypads;
  const shown = new Map<string, () => string>();
  for (const s of screens) {
    const e = screenProtocols[s.protocol].emulator(s.address);
    const label = `window ${s.window} screen (${s.protocol}@${s.address})`;
    e.onChange((v) => print(`📺 ${label}: ${v.text}${v.effect === 'scroll-left' ? '  [scrolling]' : ''}`));
    shown.set(label, () => e.view.text);
    line.add(e);
  }
  const keypads = new Map<number, KeypadEmulator>();
  for (const k of keypadCfg) {
    // Told the line's poll frames, an emulated keypad answers only those, as its firmware would; no config: both kinds.
    const e = keypadProtocols[k.protocol].emulator(k.address, { mode: k.mode, ...(first ? { pollFrames: first.keypadPolling.frames } : {}) });
    const label = `window ${k.window} keypad (@${k.address})`;
    e.on((ev) => {
      if (ev.type === 'display') print(`⌨  ${label} shows ${ev.display.waiting} | ${ev.display.ticket}`);
      else if (ev.type === 'beep') print(`⌨  ${label} beeps`);
      else if (ev.type === 'rating-mode') print(`⌨  ${label} rating ${ev.on ? 'started: g <window> <grade>' : 'ended'}`);
    });
    shown.set(label, () => `${e.display.waiting} | ${e.display.ticket}`);
    if (!keypads.has(k.window)) keypads.set(k.window, e);
    line.add(e);
  }
  line.start();
  return {
    help: KEYPAD_HELP,
    command: ([cmd, w, arg, ...rest]) => {
      if (cmd === 's' && w === undefined) return [...shown].map(([label, text]) => `${label}: ${text()}`).join('\n');
      if (!cmd || w === undefined || rest.length > 0) return undefined;
      const keypad = keypads.get(Number(w));
      return keypad ? keypadCommand(keypad, w, cmd, arg) : `no keypad at window ${w}`;
    },
    close: async () => {
      for (const k of keypads.values()) k.stop();
      line.stop();
      await device.close();
    },
  };
}

/**
 * `hallq emulate <printer|idcard|rs485|modem> [--pty | --port PATH] [--config FILE]`: a device's
 * emulator for technicians. With a pty pair (the default) it prints the host-side path to point the
 * real driver or a config at; it prints what the device shows or receives and takes stdin commands.
 * Resolves with the exit code once stopped (q, Ctrl-C or SIGTERM).
 */
export async function emulateCommand(kind: EmulatedKind, o: EmulateOptions): Promise<number> {
  const config = o.config ? loadConfigOrThrow(o.config) : undefined;
  // The RS-485 line may be another agent's than this box's (see rs485Plan); the other kinds are this box's devices.
  const plan = kind === 'rs485' ? rs485Plan(config, o.config, o.port) : undefined;
  const devices = config && kind !== 'rs485' ? thisAgent(config).devices : undefined;
  const baudRate = baudOf(kind, devices, plan);
  let pty: PtyPair | undefined;
  if (!o.port) pty = await openPtyPair();
  const device = new SerialTransport({ path: o.port ?? (pty as PtyPair).device, baudRate });
  await device.open();
  const session =
    kind === 'printer' ? printerSession(device, o.print, o.png) : kind === 'idcard' ? idcardSession(device, o.print) : kind === 'modem' ? modemSession(device, o.print) : rs485Session(device, baudRate, plan ?? rs485Plan(undefined), o.print);
  const where = pty ? pty.host : o.port;
  o.print(`hallq emulate ${kind}: emulated device ready at ${where} (${baudRate} 8N1)`);
  if (pty) o.print(`point the driver (or the agents[].devices config) at: ${pty.host}`);
  if (plan) for (const l of describeRs485Plan(plan)) o.print(l);
  o.print(`commands: ${session.help}`);

  let resolveStop: () => void = () => {};
  const stopRequested = new Promise<void>((r) => (resolveStop = r));
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (text) => {
    const words = text.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) return;
    if (words[0] === 'q' || words[0] === 'quit') return resolveStop();
    if ((words[0] === 'h' || words[0] === 'help') && words.length === 1) return o.print(`commands: ${session.help}`);
    const answer = session.command(words);
    // A help of several lines (rs485's) is not repeated after every typo.
    o.print(answer ?? `? ${text.trim()} — ${session.help.includes('\n') ? 'h lists the commands' : `commands: ${session.help}`}`);
  });
  process.once('SIGINT', resolveStop);
  process.once('SIGTERM', resolveStop);
  // Output piped into `head` and closed: stop as on q.
  const unlisten = stopOnBrokenPipe(resolveStop);
  await stopRequested;
  unlisten();
  process.off('SIGINT', resolveStop);
  process.off('SIGTERM', resolveStop);
  rl.close();
  await session.close();
  await device.close();
  await pty?.close();
  o.print(`hallq emulate ${kind} stopped.`);
  return exitCodes.ok;
}

/** The highest n of the `ticket-NNNN.png` files among `names` (0 when none). */
export function lastPreviewNumber(names: readonly string[]): number {
  let last = 0;
  for (const name of names) {
    const m = /^ticket-(\d{4,})\.png$/.exec(name);
    if (m) last = Math.max(last, Number(m[1]));
  }
  return last;
}
