import { isHallqError } from '../../drivers/common/error.js';
import { errnoOf, systemWords } from '../../drivers/common/system-words.js';
import { storeError } from '../store/errors.js';

/**
 * How the hallq command says what went wrong: one form for every error, `error: CODE: message
 * (messageZh)`: the code to look up or grep, the English, and the Chinese for the hall's staff.
 */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly messageZh: string,
  ) {
    super(message);
  }
}

/** The Chinese of each HallqError code, where the error carries none of its own (details.messageZh). */
const ZH: Readonly<Record<string, string>> = {
  CONFIG_INVALID: '配置文件有误',
  CONFIG_NOT_FOUND: '找不到或读不了配置文件',
  CONFIG_UNREADABLE: '当前用户无权读取配置文件',
  PAYLOAD_INVALID: '内容无效',
  PAYLOAD_TOO_LARGE: '内容过大',
  STORE_CORRUPT: '数据库文件损坏',
  STORE_IO: '读写数据库失败',
  STORE_LOCKED: '数据库正被另一个 hallq 服务器使用',
  FILE_IO: '读写文件或目录失败',
  LISTEN_FAILED: '无法监听端口',
  START_ABORTED: '启动过程中收到停止信号',
  TRANSPORT_CLOSED: '设备连接已断开',
  TRANSPORT_OPEN_FAILED: '打不开设备端口',
  DEVICE_TIMEOUT: '设备没有应答',
  DEVICE_NAK: '设备拒绝了命令',
  DEVICE_CHECKSUM: '设备应答校验错误',
  DEVICE_OFFLINE: '设备离线',
  PAPER_OUT: '打印机缺纸',
  CARD_ABSENT: '读卡器上没有身份证',
  CARD_REMOVED: '身份证被拿走了',
  CARD_READ_FAILED: '读卡失败',
  ENCODING_UNSUPPORTED: '有无法打印或显示的字',
  SMS_FAILED: '短信发送失败',
  AUDIO_FAILED: '播放声音失败',
  REQUEST_TIMEOUT: '请求超时',
  NOT_CONNECTED: '连接不上',
  FORBIDDEN: '无权这样做',
  SERVER_RUNNING: '另一台 hallq 服务正在服务本大厅',
  INTERNAL: '内部错误',
  USAGE: '命令写法不对',
  FAILED: '操作失败',
};

/** An error as its code, English and Chinese. */
export function errorParts(e: unknown): { code: string; message: string; messageZh: string } {
  if (e instanceof CliError) return { code: e.code, message: e.message, messageZh: e.messageZh };
  if (isHallqError(e)) {
    const own = e.details?.['messageZh'];
    return { code: e.code, message: e.message, messageZh: typeof own === 'string' && own !== '' ? own : (ZH[e.code] ?? ZH['FAILED'] ?? '') };
  }
  // SQLite's own error read outside the store's wrappers (a page damaged inside a file that opened): its code in words.
  if (typeof (e as { code?: unknown } | null)?.code === 'string' && (e as { code: string }).code.startsWith('SQLITE_')) return errorParts(storeError(e, { en: 'the hall database', zh: '大厅数据库' }));
  // Anything else: a system failure (a file not found, a socket refused) in words, never Node's errno text.
  const own = typeof (e as { code?: unknown } | null)?.code === 'string' ? errnoOf({ code: (e as { code: string }).code }) : undefined;
  if (own !== undefined) {
    const w = systemWords(own);
    const path = typeof (e as { path?: unknown }).path === 'string' ? (e as { path: string }).path : undefined;
    return { code: 'FAILED', message: path ? `${path}: ${w.en}` : w.en, messageZh: path ? `${path}：${w.zh}` : w.zh };
  }
  const failed = ZH['FAILED'] ?? '';
  const message = e instanceof Error ? e.message : String(e);
  const causeErrno = errnoOf(e instanceof Error ? e.cause : undefined);
  if (causeErrno !== undefined) {
    const w = systemWords(causeErrno);
    return { code: 'FAILED', message: `${message}: ${w.en}`, messageZh: `${failed}：${w.zh}` };
  }
  const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return { code: 'FAILED', message: `${message}${cause}`, messageZh: failed };
}

/** A wrong command line: printed as `error: USAGE: …` with the command's usage after it (exit 2). */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly messageZh: string,
    /** The usage text printed after the message; the command's (or the global) usage when absent. */
    readonly help?: string,
  ) {
    super(message);
  }
}

/** `error: CODE: message (messageZh)` */
export function errorLine(p: { code: string; message: string; messageZh?: string | undefined }): string {
  return `error: ${p.code}: ${p.message}${p.messageZh ? ` (${p.messageZh})` : ''}`;
}
