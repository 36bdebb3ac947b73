/**
 * What a daemon's start has opened so far (the database lock, the store, listeners, the broker link,
 * timers), so that a start that fails, or a stop (SIGTERM) that comes during it, closes all of it
 * and the process can end: nothing half-started stays up holding the broker's client id or the log.
 */
import { HallqError } from '../../drivers/common/error.js';
import { settledWithin } from './bounded.js';

interface Opened {
  name: string;
  close: () => unknown;
}

export class StartupScope {
  private readonly opened: Opened[] = [];
  private abortedAt = false;
  private closing: Promise<void> = Promise.resolve();

  constructor(
    /** The longest one close may take (ms): a peer that does not answer must not hold the exit. */
    private readonly boundEachMs = 3000,
  ) {}

  get aborted(): boolean {
    return this.abortedAt;
  }

  /**
   * Records something the start just opened and how to close it. After an abort it is closed at once
   * and START_ABORTED is thrown, so a start that was waiting when the stop came goes no further.
   */
  add(name: string, close: () => unknown): void {
    this.opened.push({ name, close });
    if (this.abortedAt) {
      void this.closeAll();
      throw aborted();
    }
  }

  /** Throws START_ABORTED when a stop came during the start (call it after each wait). */
  check(): void {
    if (this.abortedAt) throw aborted();
  }

  /** Closes everything opened so far, newest first, each close bounded; resolves when all are done. */
  closeAll(): Promise<void> {
    this.closing = this.closing.then(async () => {
      for (let o = this.opened.pop(); o !== undefined; o = this.opened.pop()) {
        const { close } = o;
        await settledWithin(Promise.resolve().then(close), this.boundEachMs);
      }
    });
    return this.closing;
  }

  /** A stop during the start: closes what was opened; whatever the start opens after this is closed at once. */
  abort(): Promise<void> {
    this.abortedAt = true;
    return this.closeAll();
  }
}

const aborted = () => new HallqError('START_ABORTED', 'stopped during the start', { messageZh: '启动过程中收到停止信号，已停止' });
