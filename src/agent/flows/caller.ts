import type { Logger } from '../../../drivers/common/logger.js';
import type { Keypad, KeypadEvent } from '../../../drivers/keypad/driver.js';
import { grades, own, type CommandBody } from '../../core/index.js';
import type { AgentLink } from '../link.js';

/**
 * Keys on a window's caller keypad become commands for that window; a grade on its rating keypad
 * becomes a rating from the rating device (staff-side sources can never rate).
 */
export function attachCaller(link: AgentLink, window: number, keypad: Keypad, staffByNumber: (n: string) => string | undefined, logger: Logger): () => void {
  const send = (cmd: CommandBody) =>
    link.send(cmd).then(
      (o) => {
        if (!o.ok) {
          logger.info({ window, command: cmd.type, code: o.code }, 'keypad command refused');
          void keypad.beep().catch(() => undefined);
        }
        return o;
      },
      (e: unknown) => logger.warn({ window, command: cmd.type, err: String(e) }, 'keypad command failed'),
    );
  // Transfer (⚠ our extension): the transfer key, then the target window's number and enter.
  let transferUntil = 0;
  return keypad.on((e: KeypadEvent) => {
    switch (e.type) {
      case 'key':
        switch (e.key) {
          case 'call':
            return void send({ type: 'CallNext', window, source: 'caller-keypad' });
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
            return void send({ type: 'RequestRating', window, source: 'caller-keypad' }).then(() => keypad.startRating().catch(() => undefined));
          case 'transfer':
            transferUntil = Date.now() + 15_000;
            return;
          case 'one-metre-line':
          case 'cancel':
            logger.info({ window, key: e.key }, 'keypad key has no action here');
            return;
        }
        return;
      case 'login': {
        if (Date.now() < transferUntil) {
          transferUntil = 0;
          const w = own(link.replica.state.windows, String(window));
          const current = w?.current === undefined ? undefined : own(link.replica.state.tickets, w.current);
          const toWindow = Number(e.staffNumber);
          if (!current) return void keypad.beep().catch(() => undefined);
          return void send({ type: 'Transfer', window, toService: current.serviceId, toWindow, source: 'caller-keypad' });
        }
        const staffId = staffByNumber(e.staffNumber);
        if (!staffId) {
          logger.info({ window }, 'login with an unknown staff number');
          void keypad.beep().catch(() => undefined);
          return;
        }
        return void send({ type: 'OpenWindow', window, staffId, source: 'caller-keypad' });
      }
      case 'rating': {
        const grade = grades[e.grade - 1];
        if (grade) void send({ type: 'Rate', window, grade, source: 'rating-device' });
        return;
      }
      case 'unrecognised':
      case 'offline':
      case 'online':
        return;
    }
  });
}
