import type { KeypadEmulator } from '../../drivers/keypad/emulator.js';
import type { ScreenEmulatorBase } from '../../drivers/led-screen/screen-emulator.js';
import type { EscPosEmulator } from '../../drivers/printer/emulator.js';
import type { KeyRefused, KeypadInput, KeypadRefusals } from '../agent/flows/keypad-refusals.js';
import { staffByNumber } from '../agent/flows/staff-number.js';
import type { AgentLink, SentCommand } from '../agent/link.js';
import type { DeviceHealth } from '../bus/messages.js';
import { gradeNames, grades, own, windowClosedMessage, type CommandBody, type HallEvent, type Outcome } from '../core/index.js';

export interface DemoConsoleOptions {
  link: AgentLink;
  keypads: Map<number, KeypadEmulator>;
  printer: EscPosEmulator;
  screens: Map<number, ScreenEmulatorBase>;
  print: (line: string) => void;
  /** The agent's own refusals of keypad inputs it sends no command for (a staff number nobody has, …). */
  refusals: KeypadRefusals;
  /** Whether the agent reads window `w`'s keypad as online (its device list): a key with no answer says which it is. */
  keypadOnline: (w: number) => boolean;
  /** `t <service>`: a printed ticket; `t <service> sms`: an SMS-only ticket (no paper). Resolves once echoed. */
  take: (serviceId: string, smsOnly: boolean) => Promise<void>;
  card: () => void;
  quit: () => void;
  /** Whether the hall sends SMS (default true): without, the help lists no `t <service> sms`. */
  sms?: boolean;
}

/** Successful answers that change nothing, as the console says them. */
const infoText: Record<string, (w: number) => string> = {
  'queue-empty': (w) => `无人等候 · nothing waiting for window ${w}`,
  'already-open': (w) => `${w} 号窗口已开放 · window ${w} is already open`,
  'already-paused': (w) => `${w} 号窗口已暂停 · window ${w} is already paused`,
  'not-paused': (w) => `${w} 号窗口未暂停 · window ${w} is not paused`,
};

const STATE_ZH: Record<DeviceHealth['state'], string> = { ok: '正常', degraded: '需注意', offline: '离线', unknown: '状态未知' };
const PAPER_ZH: Record<'ok' | 'near-end' | 'out', string> = { ok: '正常', 'near-end': '将尽', out: '缺纸' };

/**
 * How long a key waits for its command to be sent and answered (and for a rating keypad to light up):
 * a key is polled off a 9600-baud line shared by 24 devices, slower while every screen is written.
 */
const ANSWER_MS = 15_000;

/** What the hall answered to the command a key caused: its outcome and the events that command decided. */
interface KeyAnswer {
  id: string;
  outcome: Outcome;
  events: HallEvent[];
}

/** How a key's command is recognised among the agent's, and how its echo reads. */
interface KeySpec {
  /** What is typed, as echoed: `c 3`, `g 3 5 (非常不满意)`. */
  label: string;
  window: number;
  /** The command types the key may cause at its window. */
  types: readonly CommandBody['type'][];
  /** The keypad inputs the key makes, as the agent's caller flow names them when it refuses one itself (none: the key is not a keypad's). */
  inputs: readonly KeypadInput[];
  /** The key itself: a keypad press (the agent's caller flow sends the command), or the link. */
  act: () => void;
  /** The echo of an accepted command from its events, or undefined when none of them says it. */
  done: (events: HallEvent[]) => string | undefined;
  /** An accepted command that changed nothing and gave no info code. */
  nothing?: string;
  /**
   * Whether a command of the key's types at its window is the key's own (default: every one). `o 3 99`
   * must not claim the OpenWindow of another login on that keypad (the demo's own staff logging in).
   */
  mine?: (command: CommandBody) => boolean;
  /** Whether one of the agent's own refusals at the window answers this key (default: every one of its inputs). */
  mineRefused?: (r: KeyRefused) => boolean;
}

/**
 * The demo's keys. A key presses the emulated keypad (the real agent's caller flow turns it into a
 * command) and echoes the outcome the hall decided for THAT command: the agent's link hands the
 * console each command it sends with its id and its answer (AgentLink.onSent), and the echo is made
 * from that answer and the events with that command id, bounded (ANSWER_MS). Keys run one at a
 * time in the order typed, each echoed before the next is pressed, so `p 3` then `u 3` meets a
 * paused window and two `g 3 5` cannot both claim one rating. While a key waits, the demo's own staff
 * leave its window alone (`busy`). Every reply is Chinese first, then English: `中文 · English`.
 */
export class DemoConsole {
  /** The keys as the help lists them: `t <service> sms` only where the hall sends SMS (`server.sms.provider` not none). */
  static helpText(sms: boolean): string {
    return (
      `t <service>  take a ticket${sms ? ' · t <service> sms  an SMS-only ticket (no paper)' : ''} · c <window>  press call · r <window> recall\n` +
      '                n <window> no-show · tr <window> <to>  transfer the citizen to window <to> (transfer, <to>, enter on the keypad)\n' +
      '                p <window> pause · u <window> resume · o <window> [staff number]  log in (open the window) · x <window> close it\n' +
      '                g <window> <1-5>  ask for a rating and give it: 1 = 非常满意 (very satisfied) … 5 = 非常不满意 (very dissatisfied)\n' +
      "                card  put a citizen's ID card on the reader · paper out|near|ok · s  show the screens · q  quit (or Ctrl-C)"
    );
  }
  /** This hall's keys (helpText). */
  readonly help: string;
  /** Pending waits: stop() ends them (nothing more is echoed). */
  private readonly cancels = new Set<() => void>();
  private lastPrinter = '';
  /** Keys are handled one after the other, in the order typed. */
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  /** `q` was typed: the keys before it still run, none after it. */
  private quitting = false;
  /** The window whose key is waiting for its answer. */
  private inFlight: number | undefined;

  constructor(private readonly o: DemoConsoleOptions) {
    this.help = DemoConsole.helpText(o.sms ?? true);
  }

  /** A key for window `w` is waiting for its answer: the demo's staff do not press that keypad meanwhile. */
  busy(w: number): boolean {
    return this.inFlight === w;
  }

  /** The agent's device list changed: say when the printer's state does (paper out, back). */
  devices(list: DeviceHealth[]): void {
    const p = list.find((d) => d.name === 'printer');
    if (!p) return;
    const text = `${p.state}${p.detail ? ` (${p.detail})` : ''}`;
    if (text === this.lastPrinter) return;
    const first = this.lastPrinter === '';
    this.lastPrinter = text;
    if (!first || p.state !== 'ok') this.o.print(`🖨️  打印机${STATE_ZH[p.state]} · printer: ${text}`);
  }

  stop(): void {
    this.stopped = true;
    for (const cancel of [...this.cancels]) cancel();
    this.cancels.clear();
  }

  /**
   * A line typed: handled after every key typed before it has echoed its outcome. `q` too waits its
   * turn (each key before it is bounded by its own ANSWER_MS), then stops; what is typed after it is not run.
   */
  line(input: string): void {
    if (this.quitting) return;
    if (input.trim() === 'q') {
      this.quitting = true;
      this.queue = this.queue.then(() => this.o.quit());
      return;
    }
    this.queue = this.queue.then(() => this.handle(input)).catch((e: unknown) => this.print(`⛔ ${input.trim()}: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** Resolves once everything typed so far has been echoed. */
  idle(): Promise<void> {
    return this.queue;
  }

  private print(line: string): void {
    if (!this.stopped) this.o.print(line);
  }

  private async handle(input: string): Promise<void> {
    const [first, a, b, ...rest] = input.trim().split(/\s+/);
    const cmd = first ?? '';
    // A word too many is a typo, not something to ignore (`t social sms extra`).
    if (rest.length > 0) return this.print(`⛔ ${input.trim()}: 多余的内容 "${rest.join(' ')}" · too many words. keys: ${this.help}`);
    // Only o takes a second word among the window keys.
    if (b !== undefined && ['c', 'r', 'n', 'p', 'u', 'x'].includes(cmd)) return this.print(`⛔ ${input.trim()}: 多余的内容 "${b}" · too many words. keys: ${this.help}`);
    switch (cmd) {
      case '':
        return;
      case 't':
        if (!a) return this.print(`⛔ t: 请选择业务 · which service? ${this.services()}`);
        if (b !== undefined && b !== 'sms') return this.print(`⛔ t ${a} ${b}: 业务后只能加 sms（短信取号）· only sms may follow the service (an SMS-only ticket): t ${a} sms`);
        return this.o.take(a, b === 'sms');
      case 'c':
        return this.press(cmd, a, 'call', ['CallNext'], (e, w) => (e.type === 'TicketCalled' && e.window === w ? `已叫号 ${this.number(e.ticketId)} · called ${this.number(e.ticketId)}` : undefined));
      case 'r':
        return this.press(cmd, a, 'recall', ['Recall'], (e, w) => (e.type === 'TicketRecalled' && e.window === w ? `重呼 ${this.number(e.ticketId)}（第 ${e.count} 次）· recalled ${this.number(e.ticketId)} (${e.count}×)` : undefined));
      case 'n':
        return this.press(cmd, a, 'no-show', ['NoShow'], (e, w) => (e.type === 'TicketNoShow' && e.window === w ? noShowText(this.number(e.ticketId), e.requeued) : undefined));
      case 'tr':
        return this.transfer(a, b);
      case 'p':
        return this.press(cmd, a, 'pause', ['PauseWindow'], (e, w) => (e.type === 'WindowPaused' && e.window === w ? `${w} 号窗口已暂停（${e.reason}）· window ${w} paused` : undefined));
      case 'u':
        return this.press(cmd, a, 'call-back', ['ResumeWindow'], (e, w) => (e.type === 'WindowResumed' && e.window === w ? `${w} 号窗口恢复服务 · window ${w} resumed` : undefined));
      case 'o':
        return this.open(a, b);
      case 'x':
        return this.close(a);
      case 'g':
        return this.rate(a, b);
      case 'card':
        return this.o.card();
      case 'paper': {
        const paper = a === 'out' ? 'out' : a === 'near' ? 'near-end' : a === 'ok' ? 'ok' : undefined;
        if (!paper || b !== undefined) return this.print('⛔ paper: 请用 paper out（缺纸）、paper near（将尽）或 paper ok · paper out, near or ok');
        this.o.printer.set({ paper });
        return this.print(`🧻 打印机纸张：${PAPER_ZH[paper]} · printer paper: ${paper} (the agent sees it at its next status poll)`);
      }
      case 's':
        for (const [id, e] of this.o.screens) this.print(`  屏 screen ${String(id).padStart(2)}: ${e.view.text || '（空白）(blank)'}`);
        return;
      default:
        this.print(`未知按键 "${cmd}" · unknown key "${cmd}". keys: ${this.help}`);
    }
  }

  private services(): string {
    return `业务 services: ${(this.o.link.replica.state.config?.services ?? []).map((s) => s.id).join(' ')}`;
  }

  private number(ticketId: string): string {
    return own(this.o.link.replica.state.tickets, ticketId)?.number ?? ticketId;
  }

  /** The keypad of window `a`, or a message naming the windows there are. */
  private keypad(cmd: string, a: string | undefined): { w: number; keypad: KeypadEmulator } | undefined {
    const w = Number(a);
    const keypad = this.o.keypads.get(w);
    if (keypad) return { w, keypad };
    const ids = [...this.o.keypads.keys()];
    const range = `${ids[0] ?? ''}–${ids[ids.length - 1] ?? ''}`;
    this.print(`⛔ ${cmd}${a === undefined ? '' : ` ${a}`}: ${a === undefined ? '请输入窗口号 · which window?' : `没有 ${a} 号窗口 · no window ${a}`} — 窗口 windows ${range}`);
    return undefined;
  }

  /** `p` resolved with undefined after `ms`, or when the console stops. */
  private within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
    return new Promise<T | undefined>((resolve) => {
      const end = (v: T | undefined) => {
        clearTimeout(timer);
        this.cancels.delete(cancel);
        resolve(v);
      };
      const cancel = () => end(undefined);
      const timer = setTimeout(cancel, Math.max(0, ms));
      this.cancels.add(cancel);
      p.then(end, () => end(undefined));
    });
  }

  /**
   * Does the key and waits, bounded, for the command it caused: the first one the agent sends for the
   * key's window of one of its types, then that command's answer, then the replica holding its events.
   */
  private async answerOf(spec: KeySpec): Promise<KeyAnswer | 'not-sent' | 'no-answer' | 'failed'> {
    const link = this.o.link;
    const deadline = Date.now() + ANSWER_MS;
    const events: HallEvent[] = [];
    let seq = Infinity;
    let reached: () => void = () => {};
    const caughtUp = new Promise<void>((r) => (reached = r));
    const offEvents = link.onEvent((e) => {
      events.push(e);
      if (link.replica.seq >= seq) reached();
    });
    let claimed: (s: SentCommand | KeyRefused) => void = () => {};
    const sent = new Promise<SentCommand | KeyRefused>((r) => (claimed = r));
    // The agent may answer the key itself, sending no command (a staff number nobody has): that is its answer.
    const offRefused = this.o.refusals.on((r) => {
      if (r.window === spec.window && spec.inputs.includes(r.input) && (spec.mineRefused?.(r) ?? true)) claimed(r);
    });
    const offSent = link.onSent((s) => {
      const c = s.command as { type: CommandBody['type']; window?: number };
      if (spec.types.includes(c.type) && c.window === spec.window && (spec.mine?.(s.command as CommandBody) ?? true)) {
        offSent();
        claimed(s);
      }
    });
    this.inFlight = spec.window;
    try {
      spec.act();
      const s = await this.within(sent, deadline - Date.now());
      if (!s) return 'not-sent';
      if ('input' in s) return { id: '', outcome: s.outcome, events: [] };
      let failed = false;
      const a = await this.within(
        s.answer.catch(() => {
          failed = true;
          return undefined;
        }),
        deadline - Date.now(),
      );
      if (failed) return 'failed';
      if (!a) return 'no-answer';
      seq = a.seq;
      if (link.replica.seq < seq) await this.within(caughtUp, deadline - Date.now());
      return { id: s.command.id, outcome: a.outcome, events: events.filter((e) => e.commandId === s.command.id) };
    } finally {
      offEvents();
      offSent();
      offRefused();
      this.inFlight = undefined;
    }
  }

  /** The key's echo from its own answer; resolves with the answer when the command was accepted. */
  private async run(spec: KeySpec): Promise<KeyAnswer | undefined> {
    const a = await this.answerOf(spec);
    const label = spec.label;
    if (a === 'not-sent') {
      // Every keypad input the agent reads is answered (a command, or its own refusal): none means it never read this one.
      if (spec.inputs.length > 0 && !this.o.keypadOnline(spec.window)) return void this.print(`… ${label}: ${ANSWER_MS / 1000} 秒内无应答，${spec.window} 号窗口的键盘离线 · no answer within ${ANSWER_MS / 1000} s: window ${spec.window}'s keypad is offline`);
      return void this.print(`… ${label}: ${ANSWER_MS / 1000} 秒内代理未应答此键 · the agent did not answer this key within ${ANSWER_MS / 1000} s (see the log)`);
    }
    if (a === 'no-answer') return void this.print(`… ${label}: 服务器 ${ANSWER_MS / 1000} 秒内未答复 · the server did not answer within ${ANSWER_MS / 1000} s`);
    if (a === 'failed') return void this.print(`⛔ ${label}: 服务器拒绝了请求 · the server refused the request (see the log)`);
    if (!a.outcome.ok) {
      // A closed window is worded one way, with its number, whichever key met it (`x` on a closed one below;
      // `g` on a closed window with nothing to rate: the hall says window-closed, core/decide-rating.ts).
      const m = a.outcome.code === 'window-closed' ? windowClosedMessage(spec.window) : a.outcome.message;
      return void this.print(`⛔ ${label}: ${m.zh} · ${m.en}`);
    }
    const line = spec.done(a.events);
    const info = a.outcome.info;
    if (line) this.print(`✅ ${label}: ${line}`);
    else this.print(`ℹ️  ${label}: ${info ? (infoText[info]?.(spec.window) ?? info) : (spec.nothing ?? '无需操作 · nothing to do')}`);
    return line ? a : undefined;
  }

  private async press(cmd: string, a: string | undefined, key: 'call' | 'recall' | 'no-show' | 'pause' | 'call-back', types: CommandBody['type'][], done: (e: HallEvent, w: number) => string | undefined): Promise<void> {
    const k = this.keypad(cmd, a);
    if (!k) return;
    await this.run({ label: `${cmd} ${k.w}`, window: k.w, types, inputs: [key], act: () => k.keypad.press(key), done: (events) => firstOf(events, (e) => done(e, k.w)) });
  }

  /**
   * `tr 3 5`: on window 3's keypad the transfer key, 5 and enter; the agent's caller flow transfers the citizen
   * served there to window 5 (same service), or refuses it itself when nobody is served (no-current-ticket).
   */
  private async transfer(a: string | undefined, b: string | undefined): Promise<void> {
    const k = this.keypad('tr', a);
    if (!k) return;
    if (b === undefined || !/^\d{1,3}$/.test(b)) return this.print(`⛔ tr ${k.w}${b === undefined ? '' : ` ${b}`}: 请输入转往的窗口号 · which window to? tr <window> <to>`);
    const done = (e: HallEvent) => (e.type === 'TicketTransferred' && e.fromWindow === k.w ? `${this.number(e.ticketId)} 转到 ${e.toWindow ?? b} 号窗口 · ${this.number(e.ticketId)} transferred to window ${e.toWindow ?? b}` : undefined);
    await this.run({ label: `tr ${k.w} ${b}`, window: k.w, types: ['Transfer'], inputs: ['login'], act: () => k.keypad.typeTransfer(b), done: (events) => firstOf(events, done) });
  }

  /** `o 3 [n]`: staff number n (default: the window's own, as the demo's staff log in at its start) logs in on window 3's keypad. */
  private async open(a: string | undefined, b: string | undefined): Promise<void> {
    const k = this.keypad('o', a);
    if (!k) return;
    const staffNumber = b ?? String([...this.o.keypads.keys()].indexOf(k.w) + 1);
    if (!/^\d{1,3}$/.test(staffNumber)) return this.print(`⛔ o ${k.w} ${staffNumber}: 工号应为数字 · the staff number is digits (o <window> [staff number])`);
    const label = `o ${k.w}${b === undefined ? '' : ` ${b}`}`;
    const done = (e: HallEvent) => (e.type === 'WindowOpened' && e.window === k.w ? `${k.w} 号窗口开放（${e.staffId}）· window ${k.w} opened by ${e.staffId}` : undefined);
    // The key's own answer, not another login's on the same keypad: the OpenWindow for the staff member
    // this number names (none for a number nobody has), or the agent's refusal of this very number.
    const staff = this.o.link.replica.state.config?.staff;
    const staffId = staff && staffByNumber(staff, staffNumber);
    const mine = staff ? (c: CommandBody) => c.type === 'OpenWindow' && staffId !== undefined && c.staffId === staffId : undefined;
    const mineRefused = (r: KeyRefused) => r.outcome.code !== 'unknown-staff' || r.outcome.detail === staffNumber;
    await this.run({ label, window: k.w, types: ['OpenWindow'], inputs: ['login'], act: () => k.keypad.typeLogin(staffNumber), done: (events) => firstOf(events, done), mine, mineRefused });
  }

  /** `x 3`: closes window 3 (its staff log out). The keypad has no logout key: the agent sends CloseWindow for it. */
  private async close(a: string | undefined): Promise<void> {
    const k = this.keypad('x', a);
    if (!k) return;
    const done = (e: HallEvent) => (e.type === 'WindowClosed' && e.window === k.w ? `${k.w} 号窗口已关闭 · window ${k.w} closed` : undefined);
    const act = () => void this.o.link.send({ type: 'CloseWindow', window: k.w, source: 'caller-keypad' }).catch(() => undefined);
    await this.run({ label: `x ${k.w}`, window: k.w, types: ['CloseWindow'], inputs: [], act, done: (events) => firstOf(events, done), nothing: closedText(k.w) });
  }

  private ratingMode(keypad: KeypadEmulator): Promise<boolean> {
    if (keypad.ratingMode) return Promise.resolve(true);
    let off: () => void = () => {};
    const on = new Promise<boolean>((resolve) => {
      off = keypad.on((e) => {
        if (e.type === 'rating-mode' && e.on) resolve(true);
      });
    });
    return this.within(on, ANSWER_MS).then((v) => {
      off();
      return v === true;
    });
  }

  private async rate(a: string | undefined, b: string | undefined): Promise<void> {
    const k = this.keypad('g', a);
    if (!k) return;
    const raw = Number(b);
    if (!Number.isInteger(raw) || raw < 1 || raw > 5) return this.print('g <window> <1-5>: 评价 1 = 非常满意 … 5 = 非常不满意 · grade 1 = very satisfied … 5 = very dissatisfied');
    const grade = grades[raw - 1]!;
    const label = `g ${k.w} ${raw} (${gradeNames[grade].zh})`;
    const asked = await this.run({
      label,
      window: k.w,
      types: ['RequestRating'],
      inputs: ['rating-request'],
      act: () => k.keypad.press('rating-request'),
      done: (events) => firstOf(events, (e) => (e.type === 'RatingRequested' && e.window === k.w ? `已请 ${this.number(e.ticketId)} 评价 · rating asked for ${this.number(e.ticketId)}` : undefined)),
    });
    if (!asked) return;
    // The keypad enters rating mode once the agent tells it; the citizen presses then.
    if (!(await this.ratingMode(k.keypad))) return this.print(`… ${label}: 评价器未进入评价状态 · the keypad did not enter rating mode`);
    await this.run({
      label,
      window: k.w,
      types: ['Rate'],
      inputs: ['rating'],
      act: () => k.keypad.giveGrade(raw),
      done: (events) => firstOf(events, (e) => (e.type === 'RatingRecorded' && e.rating.window === k.w ? `已记录 ${e.rating.number} 的评价 · recorded for ${e.rating.number}` : undefined)),
    });
  }
}

function firstOf(events: HallEvent[], say: (e: HallEvent) => string | undefined): string | undefined {
  for (const e of events) {
    const line = say(e);
    if (line) return line;
  }
  return undefined;
}

function noShowText(number: string, requeued: boolean): string {
  return requeued ? `${number} 未到，顺延重新排队 · ${number} did not come: queued again further back` : `${number} 未到，已过号 · ${number} did not come: no-show`;
}

/** A closed window in the console's words (src/core/rejections.ts): the same for a refusal and for `x` on a closed window. */
function closedText(window: number): string {
  const m = windowClosedMessage(window);
  return `${m.zh} · ${m.en}`;
}
