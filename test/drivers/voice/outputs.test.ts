import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../drivers/common/logger.js';
import { voiceOutputIds, voiceOutputs } from '../../../drivers/voice/outputs.js';
import { DeviceManager } from '../../../src/agent/devices/manager.js';
import { loadConfigOrThrow, validateConfig } from '../../../src/config/load.js';
import { devicesSchema } from '../../../src/config/schema.js';

/**
 * A device kind is one folder: the voice outputs come from drivers/voice/outputs.ts (+ output-schemas.ts),
 * which the config schema, the agent's DeviceManager and the demo (the wav output) read.
 */
describe('the voice output registry', () => {
  it('the config accepts every registered output and names the key of one it does not know', () => {
    const base = structuredClone(loadConfigOrThrow('config/demo.yaml')) as unknown as Record<string, unknown>;
    const withOutput = (output: string) => ({ ...base, agents: [{ id: 'a1', devices: { voice: { output } } }] });
    for (const id of voiceOutputIds) expect(validateConfig(withOutput(id)).ok, id).toBe(true);
    const bad = validateConfig(withOutput('pulseaudio'));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues[0]?.path).toBe('agents[0].devices.voice.output');
  });

  it('the wav output writes what it is given; the agent reports each output under its registered kind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-voice-out-'));
    const wav = new Uint8Array([0x52, 0x49, 0x46, 0x46, 1, 2, 3]);
    await voiceOutputs.wav.sink({ logger: silentLogger, wavDir: dir }).play(wav, { seq: 1, label: 'A001@3', durationMs: 10 });
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect([...readFileSync(join(dir, files[0] ?? ''))]).toEqual([...wav]);
    for (const output of voiceOutputIds) {
      // No clip library there: the voice is offline, under the kind its output registers.
      const devices = new DeviceManager(devicesSchema.parse({ voice: { output, clips: join(dir, 'no-clips'), wavDir: dir } }));
      await devices.start();
      expect(devices.list()).toEqual([expect.objectContaining({ name: 'voice', kind: voiceOutputs[output].kind, state: 'offline' })]);
      await devices.stop();
    }
  });

  it('no file outside drivers/voice names an output or its sink: a new output is added there alone', () => {
    for (const file of ['src/agent/devices/manager.ts', 'src/config/schema.ts']) {
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/AplaySink|WavFileSink|\['aplay', 'wav'\]|=== 'aplay'/);
    }
  });
});
