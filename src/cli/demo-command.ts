import { runDemo } from '../demo/demo.js';
import { stopOnBrokenPipe } from './broken-pipe.js';
import { exitCodes } from './exit-codes.js';

/** `hallq demo`: the whole hall on its config's ports (the banner says which) until q, Ctrl-C, SIGTERM or --seconds. */
export async function demoCommand(opts: { config: string; speed: number; seed: number | undefined; seconds: number | undefined; png?: string | undefined }): Promise<number> {
  const demo = await runDemo({
    config: opts.config,
    speed: opts.speed,
    seed: opts.seed ?? Date.now() % 100_000,
    print: (line) => process.stdout.write(`${line}\n`),
    ...(opts.seconds === undefined ? {} : { seconds: opts.seconds }),
    ...(opts.png === undefined ? {} : { pngDir: opts.png }),
  });
  const stop = () => void demo.stop();
  process.once('SIGINT', () => {
    // The terminal echoed ^C without a line end: the goodbye gets its own line.
    if (process.stdout.isTTY) process.stdout.write('\n');
    stop();
  });
  process.once('SIGTERM', stop);
  // Output piped into `head` and closed: stop quietly, as on q.
  const unlisten = stopOnBrokenPipe(stop);
  await demo.stopped;
  unlisten();
  return exitCodes.ok;
}
