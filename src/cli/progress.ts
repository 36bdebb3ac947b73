import { SingleBar } from 'cli-progress';

/** A progress bar for long CLI work: `update(done, total)` as it goes, `stop()` at the end (also on failure). */
export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

const quiet: Progress = { update: () => {}, stop: () => {} };

/**
 * A cli-progress bar on stderr, only when stderr is a terminal: a pipe, a file, the journal and the tests
 * get nothing (stdout stays the command's result, stderr its errors). `label` says what is counted,
 * e.g. `simulate` and `days`. Drawn at most every 100 ms, and cleared when it stops.
 */
export function progressBar(label: string, unit: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return quiet;
  let bar: SingleBar | undefined;
  return {
    update(done, total) {
      if (!bar) {
        bar = new SingleBar({
          stream,
          format: `${label} [{bar}] {percentage}% · {value}/{total} ${unit} · ETA {eta_formatted}`,
          barsize: 30,
          hideCursor: true,
          clearOnComplete: true,
          fps: 10,
        });
        bar.start(total, done);
        return;
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
