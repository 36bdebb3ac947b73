import type { Logger } from '../../../drivers/common/logger.js';
import type { Keypad, KeypadEvent } from '../../../drivers/keypad/driver.js';
import { HallqError } from '../../../drivers/common/error.js';
import { grades, own, rejected, ticketAtWindow, type CommandBody, type RejectionCode } from '../../core/index.js';
import type { AgentLink } from '../link.js';
import type { KeypadInput, KeypadRefusals, Refusal } from './keypad-refusals.js';

/**
 * How long a keypad press waits for the hall's answer before it is withdrawn and the keypad beeps no
 * (ms): as long as a kiosk waits (agents[N].kiosk.answerTimeoutSeconds' default) and as island mode's
 * keypads wait; a press the hall answers minutes later would call a citizen nobody is waiting for.
 */
export const KEYPAD_ANSWER_MS = 8000;

/**
 * Keys on a window's caller keypad become commands for that window; a grade on its rating keypad
 * becomes a rating from the rating device (staff-side sources can never rate). Every input is
 * answered: by the hall (the command it became), or here with a refusal when it becomes none (a staff
 * number nobody has, a transfer with nobody being served, a key or frame with no function) — the
 * keypad beeps, the log says the code, `refusals` hears it; never dropped in silence.
 */
export function attachCaller(link: AgentLink, window: number, keypad: Keypad, staffByNumber: (n: string) => string | undefined, logger: Logger, refusals?: KeypadRefusals, opts: { /** ms, default KEYPAD_ANSWER_MS */ answerMs?: number } = {}): () => void {
  const send = (cmd: CommandBody) =>
    link.send(cmd, { withinMs: opts.answerMs ?? KEYPAD_ANSWER_MS }).then(
      (o) => {
        if (!o.ok) {
          logger.info({ window, command: cmd.type, code: o.code }, 'keypad command refused');
          void keypad.beep().catch(() => undefined);
        }
        return o;
      },
      (e: unknown) => {
        // Unanswered (the broker or the server away): withdrawn, and the keypad told no, as a refusal is.
        const code = e instanceof HallqError ? e.code : 'INTERNAL';
        logger.warn({ window, command: cmd.type, err: code }, code === 'REQUEST_TIMEOUT' ? 'keypad command withdrawn: no answer from the server in time' : 'keypad command failed');
        void keypad.beep().catch(() => undefined);
      },
    );
  /** An input this flow sends no command for: refused with its code, as the hall refuses a command. */
  const refuse = (input: KeypadInput, code: RejectionCode, detail?: string, beep = true) => {
    logger.info({ window, input, code }, 'keypad input refused by the agent');
    if (beep) void keypad.beep().catch(() => undefined);
    refusals?.emit({ window, input, outcome: rejected(code, detail) as Refusal });
  };
  // Transfer (⚠ our extension): the transfer key, then the target window's number and enter.
  let transferUntil = 0;
  return keypad.on((e: KeypadEvent) => {
    switch (e.type) {
      case 'key':
        switch (e.key) {
          case 'call':
            // "Next after the one I see": a press that outlived its moment finishes nobody (core: window-moved-on).
            return void send({ type: 'CallNext', window, after: ticketAtWindow(link.replica.state, window), source: 'caller-keypad' });
          case 'recall':
            return void send({ type: 'Recall', window, source: 'caller-keypad' });
          case 'no-show':
            return void send({ type: 'NoShow', window, source: 'caller-keypad' });
          case 'pause':
          case 'suspend':
            return void send({ type: 'PauseWindow', window, reason: '暂停服务', source: 'caller-keypad' });
          case 'call-back':
            return void send({ type: 'ResumeWindow', window, source: 'caller-keypad' });
          case 'rating-request':
            // The rating keypad lights only for a request the hall accepted: a refused one has nothing to
            // rate, and a start-rating frame sent late is byte for byte the echo of the next rating key,
            // which the keypad would take for that key's acknowledgement and drop (the next request lost).
            return void send({ type: 'RequestRating', window, source: 'caller-keypad' }).then((o) => (o?.ok ? keypad.startRating().catch(() => undefined) : undefined));
          case 'transfer':
            transferUntil = Date.now() + 15_000;
            return;
          case 'cancel':
            // Cancel ends a transfer waiting for its window number; otherwise it has nothing to cancel.
            if (Date.now() < transferUntil) {
              transferUntil = 0;
              logger.info({ window }, 'transfer cancelled on the keypad');
              return;
            }
            return refuse(e.key, 'key-no-action');
          case 'one-metre-line':
            return refuse(e.key, 'key-no-action');
        }
        return;
      case 'login': {
        if (Date.now() < transferUntil) {
          transferUntil = 0;
          const w = own(link.replica.state.windows, String(window));
          const current = w?.current === undefined ? undefined : own(link.replica.state.tickets, w.current);
          const toWindow = Number(e.staffNumber);
          if (!current) return refuse('login', 'no-current-ticket');
          return void send({ type: 'Transfer', window, toService: current.serviceId, toWindow, source: 'caller-keypad' });
        }
        const staffId = staffByNumber(e.staffNumber);
        // The number typed is a staff number (never personal data): said back as the detail.
        if (!staffId) return refuse('login', 'unknown-staff', e.staffNumber);
        return void send({ type: 'OpenWindow', window, staffId, source: 'caller-keypad' });
      }
      case 'rating': {
        const grade = grades[e.grade - 1];
        if (grade) void send({ type: 'Rate', window, grade, source: 'rating-device' });
        else refuse('rating', 'key-no-action');
        return;
      }
      case 'unrecognised':
        // Enter with nothing typed, a grade byte not in the grade table: nothing to do, and said so
        // (no beep: a line that keeps sending a frame this protocol does not know must not beep on and on).
        return refuse('unrecognised', 'key-no-action', undefined, false);
      case 'offline':
      case 'online':
      // Pressed while nobody listened: the driver dropped it, logged and beeped (press again).
      case 'stale':
        return;
    }
  });
}
