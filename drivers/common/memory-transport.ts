import { HallqError } from './error.js';
import { Listeners, type Transport } from './transport.js';

/** One end of an in-memory link; bytes written on one end arrive on the other asynchronously. */
class MemoryEnd implements Transport {
  peer: MemoryEnd | undefined;
  isOpen = false;
  readonly data = new Listeners<[Buffer]>();
  readonly closed = new Listeners<[Error | undefined]>();
  constructor(readonly description: string) {}
  open(): Promise<void> {
    this.isOpen = true;
    return Promise.resolve();
  }
  write(bytes: Uint8Array): Promise<void> {
    if (!this.isOpen) return Promise.reject(new HallqError('TRANSPORT_CLOSED', `${this.description} is closed`));
    const copy = Buffer.from(bytes);
    const peer = this.peer;
    // Deliver on a later tick, as a real OS would, so callers cannot rely on synchronous echo.
    setImmediate(() => {
      if (peer?.isOpen) peer.data.emit(copy);
    });
    return Promise.resolve();
  }
  close(): Promise<void> {
    if (this.isOpen) {
      this.isOpen = false;
      this.closed.emit(undefined);
    }
    return Promise.resolve();
  }
  onData(fn: (chunk: Buffer) => void): () => void {
    return this.data.add(fn);
  }
  onClose(fn: (error?: Error) => void): () => void {
    return this.closed.add(fn);
  }
}

/** Two connected in-memory transports: [host side, device side]. For unit tests only. */
export function memoryPair(name = 'memory'): [Transport, Transport] {
  const a = new MemoryEnd(`${name}:host`);
  const b = new MemoryEnd(`${name}:device`);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
