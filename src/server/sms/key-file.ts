/**
 * The key that seals phone numbers. Configured (`server.sms.keyFile`: 32 bytes as 64 hex digits or
 * base64), or generated once and kept next to the database with mode 0600, so a copied database
 * alone does not reveal numbers unless the key file travels with it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { HallqError } from '../../../drivers/common/error.js';
import { fileProblem } from '../../../drivers/common/system-words.js';
import type { Logger } from '../../../drivers/common/logger.js';
import { KEY_BYTES } from '../../store/seal.js';

/** `<database>.sms-key`, e.g. /var/lib/hallq/hall.db.sms-key. */
export function defaultKeyPath(database: string): string {
  return `${database}.sms-key`;
}

export function parseKey(text: string, where: string): Buffer {
  const t = text.trim();
  let key: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(t)) key = Buffer.from(t, 'hex');
  else if (/^[A-Za-z0-9+/]{43}=?$/.test(t)) key = Buffer.from(t, 'base64');
  if (key?.length !== KEY_BYTES) throw new HallqError('CONFIG_INVALID', `${where}: expected ${KEY_BYTES} bytes as 64 hex digits or base64`, { path: where });
  return key;
}

/** `history`: the database has run a hall day already (a key made now cannot open the numbers it holds). */
export function loadOrCreateKey(opts: { keyFile?: string | undefined; database: string; logger: Logger; history?: boolean }): Buffer {
  if (opts.keyFile !== undefined) return readKey(opts.keyFile, opts.logger);
  const path = defaultKeyPath(opts.database);
  try {
    // 'wx': never overwrite; a key already there (an earlier start, or a second process) is the one to use.
    writeFileSync(path, `${randomBytes(KEY_BYTES).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    if (opts.history === true) opts.logger.warn({ keyFile: path }, 'generated the SMS contact key for a database that has history: the phone numbers it holds no longer open (their messages are dropped); if the database was restored from a backup, stop the server and put its key file back (README "Storage")');
    else opts.logger.info({ keyFile: path }, 'generated the SMS contact key (keep it with the database backups)');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      const p = fileProblem('create', path, e);
      throw new HallqError('STORE_IO', `the SMS key file: ${p.en}`, { path, messageZh: `短信密钥文件 ${p.zh}` }, { cause: e });
    }
  }
  return readKey(path, opts.logger);
}

function readKey(path: string, logger: Logger): Buffer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
    if ((statSync(path).mode & 0o077) !== 0) logger.warn({ keyFile: path }, 'SMS key file is readable by others; chmod 600 it');
  } catch (e) {
    const p = fileProblem('read', path, e);
    throw new HallqError('CONFIG_NOT_FOUND', `the SMS key file (server.sms.keyFile): ${p.en}`, { path, messageZh: `短信密钥文件（server.sms.keyFile）${p.zh}` }, { cause: e });
  }
  return parseKey(text, path);
}
