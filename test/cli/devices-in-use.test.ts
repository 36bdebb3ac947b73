/**
 * issue 13: `hallq devices` on a live box said "offline" for the port the running agent holds locked.
 * A real pty, held open and locked (serialport's flock, as the agent holds its ports) by another
 * process: the one-shot command says `in-use`, naming the likely holder, and does not fail for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoYaml, runHallq, scratch } from '../helpers/cli.js';
import { openPtyPair, type PtyPair } from '../helpers/pty.js';

const { write } = scratch('devices-in-use');

/** Another process holding `path` open and locked, as the agent does; resolves once it says so. */
function holdLocked(path: string): Promise<ChildProcess> {
  const code = `import { SerialPort } from 'serialport';
new SerialPort({ path: ${JSON.stringify(path)}, baudRate: 9600 }, (e) => { if (e) { console.error(e.message); process.exit(1); } console.log('locked'); });
process.stdin.on('end', () => process.exit(0)).resume();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('locked')) resolve(child);
    });
    child.once('exit', (c) => reject(new Error(`the holder exited (${String(c)}): ${err}`)));
  });
}

describe('hallq devices, a port another process holds', () => {
  let pty: PtyPair;
  let holder: ChildProcess;
  beforeAll(async () => {
    pty = await openPtyPair();
    holder = await holdLocked(pty.host);
  });
  afterAll(async () => {
    holder.removeAllListeners('exit');
    const ended = new Promise((resolve) => holder.once('exit', resolve));
    holder.stdin?.end();
    await ended;
    await pty.close();
  });

  it('is in-use (the running hallq agent?), not offline; exit 0', async () => {
    const config = write('hall.yaml', demoYaml().replace('path: /dev/hallq/rs485-0', `path: ${pty.host}`));
    const r = await runHallq(['devices', '--config', config, '--json']);
    const line = (JSON.parse(r.stdout) as { devices: { name: string; state: string; detail?: string }[] }).devices.find((d) => d.name === 'rs485-0');
    expect(line).toMatchObject({ state: 'in-use', detail: expect.stringContaining('in use by another process (the running hallq agent?)') as string });
    // The keypads on that line cannot be looked at: in-use too, not offline.
    const keypad = (JSON.parse(r.stdout) as { devices: { name: string; state: string; detail?: string }[] }).devices.find((d) => d.name === 'keypad-1');
    expect(keypad).toMatchObject({ state: 'in-use', detail: 'on rs485-0, which another process holds (the running hallq agent?)' });
    expect(r.code).toBe(0);
    const text = await runHallq(['devices', '--config', config]);
    expect(text.stdout).toMatch(/rs485-0\s+rs485\s+in-use\s+.*in use by another process \(the running hallq agent\?\)/);
  }, 60_000);
});
