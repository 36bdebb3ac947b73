import { spawn, type ChildProcess } from 'node:child_process';
import { SerialTransport } from './serial-transport.js';

export interface PtyPair {
  /** Path the driver opens (the host side). */
  host: string;
  /** Path the emulator opens (the device side). */
  device: string;
  close(): Promise<void>;
}

/**
 * A real pseudo-terminal pair joined by socat, as DESIGN §6 asks:
 * `socat -d -d pty,raw,echo=0 pty,raw,echo=0`. Resolves when socat has printed both paths
 * and says it is transferring data (the event, not a sleep).
 */
/**
 * socat under a small shell that stops it when its stdin, a pipe from this process, reaches its end:
 * on close(), and when this process dies however it dies (the kernel closes the pipe on SIGKILL too,
 * where no exit handler runs). The shell waits for socat, so it exits with socat's status, and only once
 * socat is gone. (A background list's stdin is /dev/null in sh: the pipe goes to `cat` through fd 3.)
 */
const SOCAT_TIED = 'exec 3<&0; socat -d -d pty,raw,echo=0 pty,raw,echo=0 </dev/null 3<&- & pid=$!; { cat <&3 >/dev/null; kill $pid 2>/dev/null; } & exec 3<&-; wait $pid';

export function openPtyPair(options: { ownProcessGroup?: boolean } = {}): Promise<PtyPair> {
  return new Promise((resolve, reject) => {
    // ownProcessGroup: Ctrl-C in a terminal signals the whole foreground group; socat in a group of its
    // own outlives it, so the program can close its devices first and stop socat itself (close()).
    const child: ChildProcess = spawn('sh', ['-c', SOCAT_TIED], { stdio: ['pipe', 'ignore', 'pipe'], detached: options.ownProcessGroup === true });
    // An early exit leaves the pipe's watcher waiting: the pipe's end releases it.
    child.once('exit', () => child.stdin?.destroy());
    child.stdin?.on('error', () => undefined); // a pipe whose reader is gone: nothing to say
    const paths: string[] = [];
    let buffer = '';
    let settled = false;
    child.on('error', (err) => {
      if (!settled) {
        settled = true;
        reject(new Error(`socat could not start (is it installed? scripts/install-system-deps.sh installs it): ${err.message}`));
      }
    });
    child.on('exit', (code) => {
      if (!settled) {
        settled = true;
        // 127: the shell found no socat.
        reject(new Error(code === 127 ? `socat could not start (is it installed? scripts/install-system-deps.sh installs it): ${buffer.trim()}` : `socat exited early with ${String(code)}: ${buffer}`));
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      buffer += text;
      for (const m of text.matchAll(/PTY is (\S+)/g)) if (m[1]) paths.push(m[1]);
      if (!settled && paths.length === 2 && /starting data transfer loop/.test(buffer)) {
        settled = true;
        const [host, device] = paths as [string, string];
        resolve({
          host,
          device,
          // The pipe's end stops socat; the shell exits once socat has.
          close: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.stdin?.end();
            }),
        });
      }
    });
  });
}

export interface SerialPtyPair {
  pty: PtyPair;
  /** The driver's end, open. */
  host: SerialTransport;
  /** The emulator's end, open. */
  device: SerialTransport;
  /** Closes both ends and socat. */
  close(): Promise<void>;
}

/** A pty pair with a serial transport opened on each end: how drivers meet their emulators. */
export async function openSerialPtyPair(baudRate: number): Promise<SerialPtyPair> {
  const pty = await openPtyPair();
  const host = new SerialTransport({ path: pty.host, baudRate });
  const device = new SerialTransport({ path: pty.device, baudRate });
  await Promise.all([host.open(), device.open()]);
  return {
    pty,
    host,
    device,
    close: async () => {
      await Promise.all([host.close(), device.close()]);
      await pty.close();
    },
  };
}
