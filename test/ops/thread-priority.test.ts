import { Worker } from 'node:worker_threads';
import { getPriority } from 'node:os';
import { describe, expect, it } from 'vitest';
import { threadNices } from '../helpers/thread-nice.js';

/**
 * lowerThreadPriority (src/ops/thread-priority.ts) lowers the calling thread's CPU priority and no
 * other's: run in a worker thread, the worker's own thread is at nice 19 while the process (its main
 * thread, the event loop) stays where it was.
 */
describe.runIf(process.platform === 'linux')('a thread lowering its own priority', () => {
  it("sets nice 19 on the calling thread alone, not the process's main thread", async () => {
    const before = threadNices();
    const mainNice = getPriority();
    const module = new URL('../../src/ops/thread-priority.ts', import.meta.url).href;
    const api = new URL('../../node_modules/tsx/dist/esm/api/index.mjs', import.meta.url).href;
    // The worker reports the value it set and its own thread id, then waits to be told to end (so its thread is there to read).
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const { readlinkSync } = require('node:fs');
       import(${JSON.stringify(api)}).then((tsx) => tsx.register()).then(() => import(${JSON.stringify(module)})).then((m) => {
         const set = m.lowerThreadPriority();
         parentPort.postMessage({ set, tid: Number(readlinkSync('/proc/thread-self').split('/').pop()) });
         parentPort.once('message', () => parentPort.close());
       });`,
      { eval: true },
    );
    const { set, tid } = await new Promise<{ set: number | undefined; tid: number }>((res, rej) => {
      worker.once('message', res);
      worker.once('error', rej);
    });
    const after = threadNices();
    worker.postMessage('end');
    await new Promise((res) => worker.once('exit', res));
    expect(set).toBe(19);
    expect(before.has(tid)).toBe(false);
    expect(after.get(tid)).toBe(19);
    // Every other thread kept its value: the event loop's above all.
    expect(after.get(process.pid)).toBe(mainNice);
    for (const [other, nice] of after) if (other !== tid && before.has(other)) expect(nice).toBe(before.get(other));
  });
});
