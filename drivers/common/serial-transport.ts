import type { SerialPort } from 'serialport';
import { HallqError } from './error.js';
import { errorWords, systemWords } from './system-words.js';
import { Listeners, type Transport } from './transport.js';

export interface SerialOptions {
  path: string;
  baudRate: number;
  dataBits?: 5 | 6 | 7 | 8;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
}

/** node-serialport behind the Transport interface. Works the same on a real tty and a socat pty. */
export class SerialTransport implements Transport {
  private port: SerialPort | undefined;
  private readonly data = new Listeners<[Buffer]>();
  private readonly closed = new Listeners<[Error | undefined]>();
  readonly description: string;

  constructor(private readonly options: SerialOptions) {
    this.description = `${options.path}@${options.baudRate}`;
  }

  get isOpen(): boolean {
    return this.port?.isOpen ?? false;
  }

  async open(): Promise<void> {
    const o = this.options;
    // Loaded on the first open, not with this module: a daemon that never opens a port (the server
    // without a GSM modem) does not pay for serialport and its native binding at every start.
    const { SerialPort: Port } = await import('serialport');
    return new Promise((resolve, reject) => {
      const port = new Port(
        { path: o.path, baudRate: o.baudRate, dataBits: o.dataBits ?? 8, parity: o.parity ?? 'none', stopBits: o.stopBits ?? 1, autoOpen: false },
      );
      port.on('data', (chunk: Buffer) => this.data.emit(chunk));
      port.on('close', (err?: Error & { disconnected?: boolean }) => this.closed.emit(err ?? undefined));
      port.on('error', () => {
        /* surfaced through open/write rejections and 'close' */
      });
      port.open((err) => {
        if (err) {
          const w = serialOpenWords(err.message);
          reject(new HallqError('TRANSPORT_OPEN_FAILED', `cannot open ${this.description}: ${w.en}`, { path: o.path, messageZh: `打不开串口 ${o.path}：${w.zh}` }, { cause: err }));
        } else {
          this.port = port;
          resolve();
        }
      });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.reject(new HallqError('TRANSPORT_CLOSED', `${this.description} is closed`));
    return new Promise((resolve, reject) => {
      port.write(Buffer.from(bytes), (err) => {
        if (err) return reject(new HallqError('TRANSPORT_CLOSED', `write to ${this.description} failed: ${errorWords(err).en}`, { messageZh: `写入 ${this.description} 失败：${errorWords(err).zh}` }, { cause: err }));
        port.drain((e) => (e ? reject(new HallqError('TRANSPORT_CLOSED', `write to ${this.description} failed: ${errorWords(e).en}`, { messageZh: `写入 ${this.description} 失败：${errorWords(e).zh}` }, { cause: e })) : resolve()));
      });
    });
  }

  close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (!port?.isOpen) return Promise.resolve();
    return new Promise((resolve) => port.close(() => resolve()));
  }

  onData(fn: (chunk: Buffer) => void): () => void {
    return this.data.add(fn);
  }
  onClose(fn: (error?: Error) => void): () => void {
    return this.closed.add(fn);
  }
}

/**
 * serialport's open error is text only ("Error: No such file or directory, cannot open /dev/x"), no
 * errno code: its reason in words, English and Chinese; an unknown one as it is said.
 */
/** A port another process holds (serialport's flock: "Cannot lock port"; or EBUSY): a state of its own, not "offline". */
export const IN_USE_WORDS = { en: 'it is in use by another process (the running hallq agent?)', zh: '正被另一个进程占用（是否 hallq agent 正在运行？）' } as const;

function serialOpenWords(message: string): { en: string; zh: string } {
  if (/Cannot lock port|Resource temporarily unavailable|Resource busy|Device or resource busy/i.test(message)) return IN_USE_WORDS;
  const known: readonly [RegExp, string][] = [
    [/No such file or directory/i, 'ENOENT'],
    [/Permission denied/i, 'EACCES'],
    [/Resource busy|Device or resource busy/i, 'EBUSY'],
    [/No such device or address/i, 'ENXIO'],
    [/Is a directory/i, 'EISDIR'],
    [/Not a directory/i, 'ENOTDIR'],
  ];
  const errno = known.find(([re]) => re.test(message))?.[1];
  if (errno !== undefined) return systemWords(errno);
  if (/Inappropriate ioctl|Not a typewriter/i.test(message)) return { en: 'it is not a serial port', zh: '不是串口' };
  return { en: message.replace(/^Error: /, ''), zh: '打开失败' };
}
