import { statSync } from 'node:fs';
import { errnoOf, systemWords } from '../../drivers/common/system-words.js';
import type { HallqConfig } from './schema.js';

/** Something in a valid config that will not work on this machine as it is now: the daemon still starts. */
export interface ConfigWarning {
  /** The key path, e.g. `server.sms.modem.path`. */
  path: string;
  en: string;
  zh: string;
}

/**
 * Warnings `hallq config check` prints and the server logs at its start. A config without the
 * modem's settings (`sms.provider: modem` and no `sms.modem`) is invalid (the schema refuses it); a
 * modem whose device is not there (yet) is a warning: the outbox keeps the messages and retries, and
 * the modem may be plugged in later (its udev name /dev/hallq/modem appears then).
 */
export function configWarnings(c: HallqConfig): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  const sms = c.server.sms;
  if (sms.provider === 'modem' && sms.modem !== undefined) {
    const path = sms.modem.path;
    let why: { en: string; zh: string } | undefined;
    try {
      if (!statSync(path).isCharacterDevice()) why = { en: 'it is not a device (a serial port such as /dev/ttyUSB2)', zh: '不是设备（应为串口，例如 /dev/ttyUSB2）' };
    } catch (e) {
      why = systemWords(errnoOf(e));
    }
    if (why !== undefined) {
      out.push({
        path: 'server.sms.modem.path',
        en: `server.sms.modem.path: the SMS modem ${path}: ${why.en}; no SMS is sent until it is there (the outbox keeps them and retries)`,
        zh: `server.sms.modem.path：短信猫 ${path} ${why.zh}；在它接好之前不会发出短信（发件箱会保留并重试）`,
      });
    }
  }
  return out;
}
