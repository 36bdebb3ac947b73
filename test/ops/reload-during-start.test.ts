/**
 * A SIGHUP (`kill -HUP`, a reload) that comes while `hallq server` still starts: Node's default action
 * would end the process, and a handler installed only once the config was checked left a gap, then
 * dropped the reload without a word (a tryout: rc 129 at 0.1 s, a silent drop at 0.4 s). The launcher
 * (bin/hallq.js) listens from its first line for the daemons and the daemon reloads once it has started.
 * Real process from this tree (the build, or tsx in a clone without one), real Mosquitto.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READY, spawnHallq, type Daemon } from '../helpers/hallq-process.js';
import { freePort, startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { killHard, writeConfig } from '../wire/server-process.js';

/** True once the process catches SIGHUP (bit 0 of SigCgt in /proc/<pid>/status): a JavaScript listener is installed. */
function catchesHangup(pid: number): boolean {
  try {
    const line = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return line !== undefined && (BigInt(`0x${line}`) & 1n) === 1n;
  } catch {
    return false;
  }
}

/** Resolves as soon as `pid` catches SIGHUP, checking at every turn of the event loop (bounded by the test's timeout). */
async function untilCatchesHangup(pid: number): Promise<void> {
  while (!catchesHangup(pid)) await new Promise((r) => setImmediate(r));
}

describe('a reload asked while the server starts', () => {
  let broker: Broker;
  let daemon: Daemon | undefined;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    if (daemon) await killHard(daemon.child);
    await broker.stop();
  });

  it('neither ends the process nor is dropped: the server starts, then reads its config again', async () => {
    const config = writeConfig(mkdtempSync(join(tmpdir(), 'hallq-hup-start-')), broker.url, await freePort());
    daemon = spawnHallq(['server', '--config', config]);
    const pid = daemon.child.pid ?? 0;
    await untilCatchesHangup(pid);
    // The first moment a signal can be caught at all: the start is still ahead (the log is not open yet).
    const early = !daemon.output().includes('event log open');
    daemon.child.kill('SIGHUP');
    await Promise.race([daemon.says(READY.server), daemon.exited.then((e) => Promise.reject(new Error(`server ended at a SIGHUP during its start: ${JSON.stringify(e)}\n${daemon?.output() ?? ''}`)))]);
    await daemon.says('config reloaded');
    if (early) expect(daemon.output()).toContain('a reload was asked during the start');
    expect(daemon.child.exitCode).toBeNull();
  }, 60_000);
});
