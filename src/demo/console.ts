import type { KeypadEmulator } from '../../drivers/keypad/emulator.js';
import type { ScreenEmulatorBase } from '../../drivers/led-screen/screen-emulator.js';
import type { EscPosEmulator } from '../../drivers/printer/emulator.js';
import type { AgentLink } from '../agent/link.js';
import type { DeviceHealth } from '../bus/messages.js';
import { decide, gradeNames, grades, own, windowView, type Command, type CommandBody, type HallEvent } from '../core/index.js';

export interface DemoConsoleOptions {
  link: AgentLink;
  keypads: Map<number, KeypadEmulator>;
  printer: EscPosEmulator;
  screens: Map<number, ScreenEmulatorBase>;
  print: (line: string) => void;
  /** `t <service>`: a printed ticket; `t <service> sms`: an SMS-only ticket (no paper). */
  take: (serviceId: string, smsOnly: boolean) => Promise<void>;
  card: () => void;
  quit: () => void;
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

/** How long a key waits for its outcome (an event, or the keypad's refusal beep) before saying there was none. */
const ANSWER_MS = 5000;

/**
 * The demo's keys. Each key presses the emulated keypad (the real agent's caller flow turns it into a
 * command) and echoes its outcome: the event it caused, or the refusal the keypad beeped with its
 * reason (the core's own decision on the state the key met: src/core/decide.ts, rejections.ts).
 * Every reply is Chinese first, then English: `中文 · English`, as the hall's own refusals read.
 */
export class DemoConsole {
  static readonly help =
    't <service>  take a ticket · t <service> sms  an SMS-only ticket (no paper) · c <window>  press call · r <window> recall\n' +
    '                p <window> pause · u <window> resume\n' +
    '                g <window> <1-5>  ask for a rating and give it: 1 = 非常满意 (very satisfied) … 5 = 非常不满意 (very dissatisfied)\n' +
    "                card  put a citizen's ID card on the reader · paper out|near|ok · s  show the screens · q  quit (or Ctrl-C)";
  private readonly offs = new Set<() => void>();
  private lastPrinter = '';

  constructor(private readonly o: DemoConsoleOptions) {}

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
    for (const off of [...this.offs]) off();
    this.offs.clear();
  }

  line(input: string): void {
    const [first, a, b, ...rest] = input.trim().split(/\s+/);
    const cmd = first ?? '';
    // A word too many is a typo, not something to ignore (`t social sms extra`).
    if (rest.length > 0) return this.o.print(`⛔ ${input.trim()}: 多余的内容 "${rest.join(' ')}" · too many words. keys: ${DemoConsole.help}`);
    switch (cmd) {
      case '':
        return;
      case 't':
        if (!a) return this.o.print(`⛔ t: 请选择业务 · which service? ${this.services()}`);
        if (b !== undefined && b !== 'sms') return this.o.print(`⛔ t ${a} ${b}: 业务后只能加 sms（短信取号）· only sms may follow the service (an SMS-only ticket): t ${a} sms`);
        void this.o.take(a, b === 'sms');
        return;
      case 'c':
        return this.key(cmd, a, 'call', { type: 'CallNext' }, (e, w) => (e.type === 'TicketCalled' && e.window === w ? `c ${w}: 已叫号 ${this.number(e.ticketId)} · called ${this.number(e.ticketId)}` : undefined));
      case 'r':
        return this.key(cmd, a, 'recall', { type: 'Recall' }, (e, w) => (e.type === 'TicketRecalled' && e.window === w ? `r ${w}: 重呼 ${this.number(e.ticketId)}（第 ${e.count} 次）· recalled ${this.number(e.ticketId)} (${e.count}×)` : undefined));
      case 'p':
        return this.key(cmd, a, 'pause', { type: 'PauseWindow', reason: '暂停服务' }, (e, w) => (e.type === 'WindowPaused' && e.window === w ? `p ${w}: ${w} 号窗口已暂停（${e.reason}）· window ${w} paused` : undefined));
      case 'u':
        return this.key(cmd, a, 'call-back', { type: 'ResumeWindow' }, (e, w) => (e.type === 'WindowResumed' && e.window === w ? `u ${w}: ${w} 号窗口恢复服务 · window ${w} resumed` : undefined));
      case 'g':
        return this.rate(a, b);
      case 'card':
        return this.o.card();
      case 'paper': {
        const paper = a === 'out' ? 'out' : a === 'near' ? 'near-end' : a === 'ok' ? 'ok' : undefined;
        if (!paper || b !== undefined) return this.o.print('⛔ paper: 请用 paper out（缺纸）、paper near（将尽）或 paper ok · paper out, near or ok');
        this.o.printer.set({ paper });
        return this.o.print(`🧻 打印机纸张：${PAPER_ZH[paper]} · printer paper: ${paper} (the agent sees it at its next status poll)`);
      }
      case 's':
        for (const [id, e] of this.o.screens) this.o.print(`  屏 screen ${String(id).padStart(2)}: ${e.view.text || '（空白）(blank)'}`);
        return;
      case 'q':
        return this.o.quit();
      default:
        this.o.print(`未知按键 "${cmd}" · unknown key "${cmd}". keys: ${DemoConsole.help}`);
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
    this.o.print(`⛔ ${cmd} ${a ?? ''}: ${a === undefined ? '请输入窗口号 · which window?' : `没有 ${a} 号窗口 · no window ${a}`} — 窗口 windows ${range}`);
    return undefined;
  }

  /** Why the hall would refuse `body` at window `w` now: the core's own decision on the current state. */
  private refusal(body: Record<string, unknown> & { type: string }, w: number): string {
    const state = this.o.link.replica.state;
    const d = decide(state, { id: 'demo-console', source: 'caller-keypad', window: w, ...body } as unknown as Command, Date.now());
    if (!d.outcome.ok) return `${d.outcome.message.zh} · ${d.outcome.message.en}`;
    const v = windowView(state, w);
    return `被拒绝 · refused (window ${w} ${v.status})`;
  }

  /** Waits for the event `done` recognises, or the keypad's refusal beep, or says nothing came. */
  private answer(w: number, keypad: KeypadEmulator, label: string, done: (e: HallEvent, w: number) => string | undefined, refused: () => string): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (line: string, ok: boolean) => {
        off();
        this.o.print(line);
        resolve(ok);
      };
      const offEvent = this.o.link.onEvent((e) => {
        const line = done(e, w);
        if (line) finish(`✅ ${line}`, true);
      });
      const offBeep = keypad.on((e) => {
        // The reason as the hall sees it when it refused (a rating recorded meanwhile, say), not before.
        if (e.type === 'beep') finish(`⛔ ${label}: ${refused()}`, false);
      });
      const timer = setTimeout(() => finish(`… ${label}: ${ANSWER_MS / 1000} 秒内无应答（键盘离线？）· no answer within ${ANSWER_MS / 1000} s (keypad offline?)`, false), ANSWER_MS);
      const off = () => {
        offEvent();
        offBeep();
        clearTimeout(timer);
        this.offs.delete(off);
      };
      this.offs.add(off);
    });
  }

  private key(cmd: string, a: string | undefined, key: 'call' | 'recall' | 'pause' | 'call-back', body: Record<string, unknown> & { type: CommandBody['type'] }, done: (e: HallEvent, w: number) => string | undefined): void {
    const k = this.keypad(cmd, a);
    if (!k) return;
    // The hall's own decision on the state the key meets: a refusal's reason, or an answer that changes nothing.
    const d = decide(this.o.link.replica.state, { id: 'demo-console', source: 'caller-keypad', window: k.w, ...body } as unknown as Command, Date.now());
    if (d.outcome.ok && d.events.length === 0) {
      const info = d.outcome.info;
      this.o.print(`ℹ️  ${cmd} ${k.w}: ${info ? (infoText[info]?.(k.w) ?? info) : '无需操作 · nothing to do'}`);
      k.keypad.press(key);
      return;
    }
    void this.answer(k.w, k.keypad, `${cmd} ${k.w}`, done, () => this.refusal(body, k.w));
    k.keypad.press(key);
  }

  private ratingMode(keypad: KeypadEmulator): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (on: boolean) => {
        off();
        clearTimeout(timer);
        this.offs.delete(stop);
        resolve(on);
      };
      const off = keypad.on((e) => {
        if (e.type === 'rating-mode' && e.on) done(true);
      });
      const timer = setTimeout(() => done(false), ANSWER_MS);
      const stop = () => done(false);
      this.offs.add(stop);
    });
  }

  private rate(a: string | undefined, b: string | undefined): void {
    const k = this.keypad('g', a);
    if (!k) return;
    const raw = Number(b);
    if (!Number.isInteger(raw) || raw < 1 || raw > 5) return this.o.print('g <window> <1-5>: 评价 1 = 非常满意 … 5 = 非常不满意 · grade 1 = very satisfied … 5 = very dissatisfied');
    const grade = grades[raw - 1]!;
    const label = `g ${k.w} ${raw} (${gradeNames[grade].zh})`;
    const asked = () => this.refusal({ type: 'RequestRating' }, k.w);
    void (async () => {
      const pending = this.answer(k.w, k.keypad, label, (e, w) => (e.type === 'RatingRequested' && e.window === w ? `${label}: 已请 ${this.number(e.ticketId)} 评价 · rating asked for ${this.number(e.ticketId)}` : undefined), asked);
      k.keypad.press('rating-request');
      if (!(await pending)) return;
      // The keypad enters rating mode once the agent tells it; the citizen presses then.
      if (!k.keypad.ratingMode && !(await this.ratingMode(k.keypad))) return this.o.print(`… ${label}: 评价器未进入评价状态 · the keypad did not enter rating mode`);
      const refused = () => this.refusal({ type: 'Rate', grade, source: 'rating-device' }, k.w);
      const recorded = this.answer(k.w, k.keypad, label, (e, w) => (e.type === 'RatingRecorded' && e.rating.window === w ? `${label}: 已记录 ${e.rating.number} 的评价 · recorded for ${e.rating.number}` : undefined), refused);
      k.keypad.giveGrade(raw);
      await recorded;
    })();
  }
}
