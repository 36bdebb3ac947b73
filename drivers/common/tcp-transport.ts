import net from 'node:net';
import { HallqError } from './error.js';
import { errnoOf, systemWords } from './system-words.js';
import { Listeners, type Transport } from './transport.js';

/** Raw TCP (ESC/POS port 9100, LED controllers on 5005). */
export class TcpTransport implements Transport {
  private socket: net.Socket | undefined;
  private readonly data = new Listeners<[Buffer]>();
  private readonly closed = new Listeners<[Error | undefined]>();
  readonly description: string;

  constructor(private readonly host: string, private readonly port: number, private readonly connectTimeoutMs = 3000) {
    this.description = `tcp://${host}:${port}`;
  }

  get isOpen(): boolean {
    return this.socket !== undefined && !this.socket.destroyed;
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => socket.destroy(new Error('connect timeout')), this.connectTimeoutMs);
      let lastError: Error | undefined;
      socket.once('connect', () => {
        clearTimeout(timer);
        this.socket = socket;
        resolve();
      });
      socket.on('data', (chunk) => this.data.emit(chunk));
      socket.on('error', (err) => {
        lastError = err;
      });
      socket.on('close', () => {
        clearTimeout(timer);
        if (this.socket === socket) {
          this.socket = undefined;
          this.closed.emit(lastError);
        } else {
          // "connect ECONNREFUSED 10.0.0.5:9100" in words; a timeout is ours ("connect timeout").
          const w = lastError === undefined ? { en: 'the connection closed', zh: '连接已关闭' } : lastError.message === 'connect timeout' ? systemWords('ETIMEDOUT') : systemWords(errnoOf(lastError));
          reject(new HallqError('TRANSPORT_OPEN_FAILED', `cannot connect to ${this.description}: ${w.en}`, { messageZh: `无法连接 ${this.description}：${w.zh}` }, lastError ? { cause: lastError } : undefined));
        }
      });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return Promise.reject(new HallqError('TRANSPORT_CLOSED', `${this.description} is closed`));
    return new Promise((resolve, reject) => {
      socket.write(bytes, (err) => (err ? reject(new HallqError('TRANSPORT_CLOSED', err.message, {}, { cause: err })) : resolve()));
    });
  }

  close(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => socket.destroy(), 500).unref();
      this.closed.emit(undefined);
    });
  }

  onData(fn: (chunk: Buffer) => void): () => void {
    return this.data.add(fn);
  }
  onClose(fn: (error?: Error) => void): () => void {
    return this.closed.add(fn);
  }
}
