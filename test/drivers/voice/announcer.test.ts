import { once } from 'node:events';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isHallqError } from '../../../drivers/common/error.js';
import { recordingLogger, silentLogger } from '../../../drivers/common/logger.js';
import { VoiceAnnouncer, type AnnouncementEvent, type FailedEvent, type FinishedEvent } from '../../../drivers/voice/announcer.js';
import { AplaySink } from '../../../drivers/voice/aplay-sink.js';
import type { PlayInfo, Sink } from '../../../drivers/voice/sink.js';
import { frameCount, parseWav } from '../../../drivers/voice/wav-codec.js';
import { WavFileSink } from '../../../drivers/voice/wav-file-sink.js';
import { CALL_TOKENS, syntheticLibrary, removeTempDirs, tempDir } from './clip-fixture.js';

afterAll(removeTempDirs);

/** A sink whose playback ends only when the test says so, so "still playing" is a state the test controls. */
class GatedSink implements Sink {
  readonly plays: { info: PlayInfo; wav: Uint8Array; release: () => void }[] = [];
  play(wav: Uint8Array, info: PlayInfo): Promise<void> {
    return new Promise((release) => this.plays.push({ info, wav, release: () => release() }));
  }
}

function record(a: VoiceAnnouncer) {
  const log: { event: string; seq: number; label: string; at: number }[] = [];
  const on = (event: string) => (e: AnnouncementEvent) => log.push({ event, seq: e.seq, label: e.label, at: e.at });
  a.on('started', on('started'));
  a.on('finished', on('finished'));
  a.on('failed', on('failed'));
  return log;
}

const lib = syntheticLibrary(CALL_TOKENS);

describe('VoiceAnnouncer', () => {
  it('never starts a call while another is playing', async () => {
    const sink = new GatedSink();
    const a = new VoiceAnnouncer({ library: lib, sink, logger: silentLogger });
    const log = record(a);
    const first = once(a, 'started');
    expect(a.announce({ ticket: 'A012', window: 3 })).toEqual({ queued: true, seq: 1 });
    expect(a.announce({ ticket: 'A013', window: 2 })).toEqual({ queued: true, seq: 2 });
    await first;
    expect(sink.plays).toHaveLength(1);
    expect(a.queueLength).toBe(1);
    const second = once(a, 'started');
    sink.plays[0]?.release();
    await second;
    expect(sink.plays.map((p) => p.info.label)).toEqual(['A012@3', 'A013@2']);
    expect(a.queueLength).toBe(0);
    sink.plays[1]?.release();
    await a.idle();
    expect(log.map((l) => `${l.event} ${l.seq}`)).toEqual(['started 1', 'finished 1', 'started 2', 'finished 2']);
  });

  it('writes two back-to-back calls as two WAVs in order, with time spans that do not overlap', async () => {
    const dir = await tempDir('sink');
    const sink = new WavFileSink(dir);
    const a = new VoiceAnnouncer({ library: lib, sink, logger: silentLogger, repeat: 1, gapMs: 0 });
    const finished: FinishedEvent[] = [];
    const started: AnnouncementEvent[] = [];
    a.on('started', (e) => started.push(e));
    a.on('finished', (e) => finished.push(e));
    a.announce({ ticket: 'A012', window: 3 });
    a.announce({ ticket: 'A013', window: 2 });
    await a.idle();
    expect(sink.written.map((p) => p.slice(dir.length + 1))).toEqual(['0001-A012@3.wav', '0002-A013@2.wav']);
    const [s1, s2] = started;
    const [f1, f2] = finished;
    if (s1 === undefined || s2 === undefined || f1 === undefined || f2 === undefined) throw new Error('missing events');
    expect(s1.at).toBeLessThanOrEqual(f1.at);
    expect(f1.at).toBeLessThanOrEqual(s2.at);
    expect(s2.at).toBeLessThanOrEqual(f2.at);
    // Each file holds exactly the audio its 'finished' event reports.
    for (const [i, path] of sink.written.entries()) {
      const r = parseWav(await readFile(path));
      expect(r.ok && frameCount(r.wav)).toBe(finished[i]?.frames);
    }
  });

  it('repeat=2 doubles the samples and adds the pause', async () => {
    const frames = async (repeat: number) => {
      const sink = new GatedSink();
      const a = new VoiceAnnouncer({ library: lib, sink, logger: silentLogger, repeat, pauseMs: 500, gapMs: 10 });
      const started = once(a, 'started');
      a.announce({ ticket: 'A012', window: 3 });
      await started;
      sink.plays[0]?.release();
      await a.idle();
      const r = parseWav(sink.plays[0]?.wav ?? new Uint8Array());
      return r.ok ? frameCount(r.wav) : -1;
    };
    const one = await frames(1);
    expect(one).toBeGreaterThan(0);
    expect(await frames(2)).toBe(2 * one + 8000);
  });

  it('merges a recall of a ticket still waiting, takes its newer window, but queues a recall of the one playing', async () => {
    const sink = new GatedSink();
    const a = new VoiceAnnouncer({ library: lib, sink, logger: silentLogger });
    const first = once(a, 'started');
    a.announce({ ticket: 'A012', window: 3 });
    await first;
    expect(a.announce({ ticket: 'A001', window: 1 })).toEqual({ queued: true, seq: 2 });
    expect(a.announce({ ticket: 'a001', window: 2 })).toEqual({ queued: false, seq: 2, reason: 'duplicate' });
    expect(a.announce({ ticket: 'A012', window: 3 })).toEqual({ queued: true, seq: 3 });
    expect(a.queueLength).toBe(2);
    for (let i = 0; i < 3; i++) {
      const next = i < 2 ? once(a, 'started') : a.idle();
      sink.plays[i]?.release();
      await next;
    }
    expect(sink.plays.map((p) => p.info.label)).toEqual(['A012@3', 'A001@2', 'A012@3']);
  });

  it('reports a bad call as a failed event and goes on with the queue', async () => {
    const dir = await tempDir('fail');
    const logger = recordingLogger();
    const a = new VoiceAnnouncer({ library: lib, sink: new WavFileSink(dir), logger });
    const failed: FailedEvent[] = [];
    a.on('failed', (e) => failed.push(e));
    a.on('started', () => {
      throw new Error('a listener bug');
    });
    a.announce({ ticket: 'A-1', window: 3 });
    a.announce({ ticket: 'Q1', window: 3 }); // no clip for Q
    a.announce({ ticket: 'A1', window: 3 });
    a.notice('请保管好随身物品'); // no fallback configured
    await a.idle();
    expect(failed.map((f) => [f.seq, f.error.code])).toEqual([
      [1, 'PAYLOAD_INVALID'],
      [2, 'AUDIO_FAILED'],
      [4, 'AUDIO_FAILED'],
    ]);
    expect(logger.records.some((r) => r.msg === 'voice event listener threw')).toBe(true);
  });

  it('renders a notice through the fallback TTS', async () => {
    const sink = new GatedSink();
    const a = new VoiceAnnouncer({
      library: lib,
      sink,
      logger: silentLogger,
      pauseMs: 100,
      fallback: () => Promise.resolve(lib.get('请') ?? { format: lib.format, data: new Uint8Array() }),
    });
    const started = once(a, 'started');
    a.notice('请保管好随身物品', 2);
    await started;
    const r = parseWav(sink.plays[0]?.wav ?? new Uint8Array());
    expect(r.ok && frameCount(r.wav)).toBe(2 * 100 + 1600);
    sink.plays[0]?.release();
    await a.close();
    expect(a.announce({ ticket: 'A1', window: 1 })).toEqual({ queued: false, reason: 'closed' });
  });
});

describe('AplaySink', () => {
  const info: PlayInfo = { seq: 1, label: 'A012@3', durationMs: 10 };
  const wav = new Uint8Array([1, 2, 3, 4]);

  it('gives AUDIO_FAILED, not a crash, when aplay is missing', async () => {
    const sink = new AplaySink({ logger: silentLogger, command: '/nonexistent/aplay' });
    const err: unknown = await sink.play(wav, info).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isHallqError(err, 'AUDIO_FAILED')).toBe(true);
  });

  it('gives AUDIO_FAILED when aplay exits non-zero (no sound card)', async () => {
    await expect(new AplaySink({ logger: silentLogger, command: 'false' }).play(wav, info)).rejects.toMatchObject({ code: 'AUDIO_FAILED' });
  });

  it('hands aplay -q -D <device> - the whole WAV on stdin', async () => {
    const dir = await tempDir('aplay');
    const fake = join(dir, 'aplay');
    await writeFile(fake, `#!/bin/sh\necho "$@" > "${dir}/args"\ncat > "${dir}/stdin"\n`);
    await chmod(fake, 0o755);
    await new AplaySink({ logger: silentLogger, command: fake, device: 'plughw:1,0' }).play(wav, info);
    expect((await readFile(join(dir, 'args'), 'utf8')).trim()).toBe('-q -D plughw:1,0 -');
    expect(Array.from(await readFile(join(dir, 'stdin')))).toEqual([1, 2, 3, 4]);
  });

  it('kills a hung aplay after the audio duration plus slack', async () => {
    const dir = await tempDir('hung');
    const fake = join(dir, 'aplay');
    await writeFile(fake, '#!/bin/sh\nexec sleep 30\n');
    await chmod(fake, 0o755);
    const hung = new AplaySink({ logger: silentLogger, command: fake, slackMs: 200 });
    await expect(hung.play(wav, { ...info, durationMs: 0 })).rejects.toMatchObject({ code: 'AUDIO_FAILED', message: expect.stringContaining('did not finish') as string });
  });

  it('an announcer on a missing aplay reports failed and keeps running', async () => {
    const a = new VoiceAnnouncer({ library: lib, sink: new AplaySink({ logger: silentLogger, command: '/nonexistent/aplay' }), logger: silentLogger });
    const failed = once(a, 'failed') as Promise<[FailedEvent]>;
    a.announce({ ticket: 'A012', window: 3 });
    const [e] = await failed;
    expect(e.error.code).toBe('AUDIO_FAILED');
    await a.idle();
    expect(a.busy).toBe(false);
  });
});
