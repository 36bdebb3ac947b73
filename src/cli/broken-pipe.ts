/**
 * A reader that went away: `hallq status | head -1`, `hallq emulate idcard --pty | head -3`. Writing to
 * a pipe whose reader has closed fails with EPIPE; unhandled, Node prints a stack trace and exits 1. As
 * a Unix tool does, the command ends quietly instead: a one-shot command exits with the status it has
 * (0 while it was still writing), a long-running one (demo, emulate) stops as on q, a daemon keeps
 * serving the hall and loses only those lines (systemd ignores SIGPIPE for services for the same reason:
 * a journald restart must not stop them). Any other write error keeps Node's behaviour.
 */
import { exitCodes } from './exit-codes.js';

type OnBrokenPipe = 'exit' | 'ignore';

let mode: OnBrokenPipe = 'exit';
let stopper: (() => void) | undefined;
let broken = false;

/** Listens on stdout and stderr once, at the CLI's start. `daemon`: keep running on EPIPE. */
export function endQuietlyOnBrokenPipe(daemon: boolean): void {
  mode = daemon ? 'ignore' : 'exit';
  for (const stream of [process.stdout, process.stderr]) stream.on('error', onWriteError);
}

/**
 * A long-running command's clean stop, called instead of exiting when its output's reader goes away
 * (it then ends as it would on q or SIGTERM). Returns the function that removes it again.
 */
export function stopOnBrokenPipe(stop: () => void): () => void {
  stopper = stop;
  if (broken) stop();
  return () => {
    if (stopper === stop) stopper = undefined;
  };
}

function onWriteError(e: NodeJS.ErrnoException): void {
  // After the first EPIPE the stream is destroyed: a later write's error is the same broken pipe.
  if (e.code !== 'EPIPE' && !(broken && e.code === 'ERR_STREAM_DESTROYED')) throw e;
  if (mode === 'ignore') return;
  const first = !broken;
  broken = true;
  if (stopper) {
    if (first) stopper();
    return;
  }
  process.exit(process.exitCode ?? exitCodes.ok);
}
