import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { errnoOf, systemWords } from '../../drivers/common/system-words.js';
import { kioskWarnings } from './kiosk-warnings.js';
import { smsTemplateWarnings } from './sms-template-warnings.js';
import { smsOffWarnings } from './sms-warnings.js';

/** The folder systemd makes for the server and the agent (StateDirectory=hallq). */
const STATE_DIRECTORY = '/var/lib/hallq';

/** Something in a valid config that will not work on this machine as it is now: the daemon still starts. */
export interface ConfigWarning {
  /** The key path, e.g. `server.sms.modem.path`. */
  path: string;
  en: string;
  zh: string;
}

/**
 * Warnings `hallq config check` prints and the server logs at its start, from any parsed document: a
 * valid config, or the file as written when the schema refuses another key (each warning reads only the
 * keys it needs, so one run says the problems and every warning beside them). A config without the
 * modem's settings (`sms.provider: modem` and no `sms.modem`) is invalid (the schema refuses it); a
 * modem whose device is not there (yet) is a warning: the outbox keeps the messages and retries, and
 * the modem may be plugged in later (its udev name /dev/hallq/modem appears then). `trustProxy: true`
 * is a warning too: valid, but it opens the sign-in throttle to anyone who sets X-Forwarded-For.
 */
export function configWarnings(c: unknown): ConfigWarning[] {
  const out = fileWarnings(c);
  // trustProxy true believes X-Forwarded-For from anyone: each guess on the LAN could name a fresh
  // address, so the per-address sign-in throttle counts nothing. Valid (a proxy whose address changes),
  // so a warning, here and in the server's log at its start.
  if (at(c, ['server', 'http', 'trustProxy']) === true) {
    out.push({
      path: 'server.http.trustProxy',
      en: "server.http.trustProxy: true lets any client choose its address (X-Forwarded-For), so the per-address sign-in throttle can be bypassed; name the proxy's address instead, e.g. trustProxy: 127.0.0.1",
      zh: 'server.http.trustProxy：true 让任何客户端都能自称任意地址（X-Forwarded-For），按地址限制登录尝试的保护就会失效；请改为写代理的地址，例如 trustProxy: 127.0.0.1',
    });
  }
  out.push(...smsOffWarnings(c), ...smsTemplateWarnings(c), ...kioskWarnings(c));
  return out;
}

/** The value at a key path of a parsed document, whatever its shape (`undefined` when a step is missing). */
export function at(doc: unknown, keys: readonly string[]): unknown {
  let v = doc;
  for (const k of keys) v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/**
 * The warnings about things on this machine (the SMS modem's device, the database's folder), from
 * any parsed document: a valid config, or the raw YAML of one the schema refuses (a key present as a
 * string is checked even when another key is wrong, so one run of `hallq config check` says both).
 */
export function fileWarnings(doc: unknown): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  const modemPath = at(doc, ['server', 'sms', 'modem', 'path']);
  if (at(doc, ['server', 'sms', 'provider']) === 'modem' && typeof modemPath === 'string' && modemPath !== '') {
    const path = modemPath;
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
  // The server creates its database file, never the folder: one that is not there stops its start.
  // A warning, not an error: the check may run on another machine or before the first start. The
  // default folder /var/lib/hallq is not warned about: systemd's StateDirectory=hallq makes it at the
  // start (systemd/hallq-server.service).
  const db = at(doc, ['server', 'database']);
  if (typeof db === 'string' && db !== ':memory:' && db !== '') {
    const folder = dirname(db);
    if (folder !== STATE_DIRECTORY && !existsSync(folder)) {
      out.push({
        path: 'server.database',
        en: `server.database: the folder ${folder} of ${db} is not there; the server does not create it and will not start until it is`,
        zh: `server.database：数据库 ${db} 所在的目录 ${folder} 不存在；服务器不会自动创建，目录建好之前无法启动`,
      });
    }
  }
  return out;
}
