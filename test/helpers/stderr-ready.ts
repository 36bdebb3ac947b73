import type { ChildProcess } from 'node:child_process';

export interface StderrWatch {
  /** Resolves at the first match of the pattern in the child's stderr. */
  ready: Promise<void>;
  /** Everything the child wrote on stderr so far, before the match and after it. */
  text(): string;
}

/**
 * Watches a spawned child's stderr (utf8) for the line that says it is up. `ready` rejects when the child
 * cannot be spawned or exits first, or after `ms` (then `onTimeout` runs first, to stop it), naming `what`
 * and the tail of its log: a setup that hangs fails saying which server and why, not at a hook's timeout.
 */
export function watchStderr(child: ChildProcess, pattern: RegExp, o: { what: string; ms: number; onTimeout?: () => void; onText?: (d: string) => void }): StderrWatch {
  let text = '';
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.removeAllListeners('exit');
      o.onTimeout?.();
      reject(new Error(`${o.what} not ready within ${o.ms} ms: ${text.slice(-3000)}`));
    }, o.ms);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      text += d;
      o.onText?.(d);
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${o.what} exited with ${String(code)}: ${text}`));
    });
  });
  return { ready, text: () => text };
}
