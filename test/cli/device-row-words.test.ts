/**
 * issue 13: a device row of `hallq devices` (and the agent's health) says a system failure in words,
 * never Node's raw errno text ("ENOENT: no such file or directory, open …", "connect ECONNREFUSED …",
 * "spawn aplay ENOENT"); a voice without clips says what is missing, the config key and what to do.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TcpTransport } from '../../drivers/common/tcp-transport.js';
import { ChardevTransport } from '../../drivers/printer/chardev-transport.js';
import { runTool } from '../../drivers/voice/run-tool.js';
import { makeClipsCommand } from '../../src/agent/devices/voice-words.js';
import { WavFileSink } from '../../drivers/voice/wav-file-sink.js';
import { runHallq, scratch } from '../helpers/cli.js';

const RAW = /ENOENT|EACCES|EISDIR|ECONNREFUSED|no such file or directory|spawn /;
const dir = scratch('device-words');
const emptyClips = mkdtempSync(join(tmpdir(), 'hallq-no-clips-'));
afterAll(() => rmSync(emptyClips, { recursive: true, force: true }));

describe('device rows in words', () => {
  it('devices: a clip folder without clips.json names it, its config key and the command that makes the default clips, in English and Chinese', async () => {
    const config = dir.write('hall.yaml', readFileSync('config/hall.example.yaml', 'utf8').replace('clips: /var/lib/hallq/clips', `clips: ${emptyClips}`));
    const r = await runHallq(['devices', '--config', config, '--json']);
    const voice = (JSON.parse(r.stdout) as { devices: { name: string; state: string; detail?: string }[] }).devices.find((d) => d.name === 'voice');
    expect(voice?.state).toBe('offline');
    expect(voice?.detail).not.toMatch(RAW);
    expect(voice?.detail).toContain(`no voice clips: ${join(emptyClips, 'clips.json')} is not there (agents[].devices.voice.clips: ${emptyClips})`);
    // From a clone, the clone's own script (/opt/hallq/… only where hallq is installed).
    expect(voice?.detail).toContain(`node ${join(process.cwd(), 'dist/drivers/voice/generate-clips.js')} ${emptyClips}`);
    expect(voice?.detail).toContain('没有语音片段');
  }, 60_000);

  it('devices: in a clone not built yet, the clips command builds first (the dist script is not there to run)', () => {
    const clone = mkdtempSync(join(tmpdir(), 'hallq-unbuilt-'));
    try {
      expect(makeClipsCommand('clips', clone)).toBe(`cd ${clone} && npm run build && node dist/drivers/voice/generate-clips.js ${join(process.cwd(), 'clips')}`);
      mkdirSync(join(clone, 'dist/drivers/voice'), { recursive: true });
      writeFileSync(join(clone, 'dist/drivers/voice/generate-clips.js'), '');
      expect(makeClipsCommand('/var/lib/hallq/clips', clone)).toBe(`node ${join(clone, 'dist/drivers/voice/generate-clips.js')} /var/lib/hallq/clips`);
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });

  it('a TCP printer that refuses the connection', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const e = await new TcpTransport('127.0.0.1', port).open().then(() => undefined, (x: unknown) => x as Error & { details?: Record<string, unknown> });
    expect(e?.message).toBe(`cannot connect to tcp://127.0.0.1:${port}: nothing answers there (connection refused)`);
    expect(e?.details?.['messageZh']).toContain('连接被拒绝');
  });

  it('a usblp path that cannot be opened', async () => {
    const e = await new ChardevTransport({ path: dir.dir }).open().then(() => undefined, (x: unknown) => x as Error);
    expect(e?.message).toMatch(/^cannot open .*: it is a folder, not a file$/);
    expect(e?.message).not.toMatch(RAW);
  });

  it('an audio tool that is not installed, and a WAV folder that cannot be made', async () => {
    const e = await runTool('hallq-no-such-tool', [], '').then(() => undefined, (x: unknown) => x as Error);
    expect(e?.message).toBe('cannot run hallq-no-such-tool: it is not installed (not found on the PATH)');
    const file = dir.write('a-file', '');
    const w = await new WavFileSink(join(file, 'wav')).play(new Uint8Array(44), { seq: 1, label: 'x' } as never).then(() => undefined, (x: unknown) => x as Error);
    expect(w?.message).toContain('cannot write');
    expect(w?.message).not.toMatch(RAW);
  });
});
