/**
 * VoiceAnnouncer: one queue, so announcements never overlap or cut each other off. Each announcement is rendered
 * when its turn comes, then handed to the Sink, and the next one starts only after the Sink has finished.
 *
 * Duplicate rule: a call for a ticket that is already WAITING in the queue (not yet started) is not queued again;
 * the waiting entry keeps its place and takes the newer window (the ticket may have been transferred). A call for
 * the ticket that is playing right now IS queued: staff pressed recall on purpose, and the citizen may have missed it.
 * Tickets compare case-insensitively. Notices are never merged.
 *
 * Failures (unreadable ticket, missing clip, aplay missing) are reported as a 'failed' event and logged; the
 * queue carries on. There is deliberately no 'error' event: an unheard EventEmitter 'error' would crash the agent.
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { HallqError } from '../common/error.js';
import type { Logger } from '../common/logger.js';
import type { ClipLibrary } from './clip-library.js';
import { msToFrames } from './pcm-join.js';
import type { VoiceCall } from './phrase.js';
import { renderCall, renderTokens, type FallbackTts } from './render.js';
import type { Sink } from './sink.js';
import { encodeWav, frameCount } from './wav-codec.js';

export type Announcement = { kind: 'call'; call: VoiceCall } | { kind: 'notice'; text: string; repeat: number };

export interface AnnouncerOptions {
  library: ClipLibrary;
  sink: Sink;
  logger: Logger;
  /** Times each call is spoken (default 2, the usual in halls). */
  repeat?: number;
  /** Silence between repetitions (default 1000 ms). */
  pauseMs?: number;
  /** Silence between tokens (default 40 ms: espeak clips are trimmed; recorded clips may want 0). */
  gapMs?: number;
  /** Call template (default DEFAULT_CALL_TEMPLATE). */
  template?: string;
  /** TTS for tokens without a clip and for notices; without it those fail with AUDIO_FAILED. */
  fallback?: FallbackTts;
  /** Monotonic milliseconds for event times; injectable for tests. */
  now?: () => number;
}

export interface AnnouncementEvent {
  seq: number;
  label: string;
  announcement: Announcement;
  /** When it happened, from options.now (performance.now by default). */
  at: number;
}

export interface FinishedEvent extends AnnouncementEvent {
  /** Frames of audio played. */
  frames: number;
}

export interface FailedEvent extends AnnouncementEvent {
  error: HallqError;
}

export interface AnnouncerEvents {
  started: [AnnouncementEvent];
  finished: [FinishedEvent];
  failed: [FailedEvent];
}

export type AnnounceResult = { queued: true; seq: number } | { queued: false; seq: number; reason: 'duplicate' } | { queued: false; reason: 'closed' };

interface Entry {
  seq: number;
  announcement: Announcement;
}

const labelOf = (a: Announcement): string => (a.kind === 'call' ? `${a.call.ticket.toUpperCase()}@${a.call.window}` : 'notice');

export class VoiceAnnouncer extends EventEmitter<AnnouncerEvents> {
  private readonly waiting: Entry[] = [];
  private nextSeq = 1;
  private running = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly opts: AnnouncerOptions) {
    super();
    this.now = opts.now ?? (() => performance.now());
    this.log = opts.logger.child({ component: 'voice' });
  }

  /** Announcements waiting to start (the one playing is not counted). */
  get queueLength(): number {
    return this.waiting.length;
  }

  /** True while an announcement is being rendered or played. */
  get busy(): boolean {
    return this.running;
  }

  announce(call: VoiceCall): AnnounceResult {
    if (this.closed) return { queued: false, reason: 'closed' };
    const ticket = call.ticket.toUpperCase();
    const dup = this.waiting.find((e) => e.announcement.kind === 'call' && e.announcement.call.ticket.toUpperCase() === ticket);
    if (dup !== undefined) {
      dup.announcement = { kind: 'call', call: { ...call } };
      this.log.debug({ seq: dup.seq, label: labelOf(dup.announcement) }, 'recall merged into the waiting call');
      return { queued: false, seq: dup.seq, reason: 'duplicate' };
    }
    return this.enqueue({ kind: 'call', call: { ...call } });
  }

  /** Free text through the fallback TTS (e.g. 请保管好随身物品), queued like a call. */
  notice(text: string, repeat = 1): AnnounceResult {
    if (this.closed) return { queued: false, reason: 'closed' };
    return this.enqueue({ kind: 'notice', text, repeat });
  }

  /** Resolves when nothing is waiting or playing. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Refuses new announcements, drops the waiting ones, and resolves when the one playing has finished. */
  close(): Promise<void> {
    this.closed = true;
    const dropped = this.waiting.splice(0);
    if (dropped.length > 0) this.log.info({ dropped: dropped.length }, 'announcer closed; waiting announcements dropped');
    return this.idle();
  }

  private enqueue(announcement: Announcement): AnnounceResult {
    const seq = this.nextSeq++;
    this.waiting.push({ seq, announcement });
    if (!this.running) {
      this.running = true;
      void this.drain();
    }
    return { queued: true, seq };
  }

  // Never rejects: playOne turns every failure into a 'failed' event.
  private async drain(): Promise<void> {
    for (let e = this.waiting.shift(); e !== undefined; e = this.waiting.shift()) await this.playOne(e);
    this.running = false;
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private async playOne(e: Entry): Promise<void> {
    const { library } = this.opts;
    const label = labelOf(e.announcement);
    const base = { seq: e.seq, label, announcement: e.announcement };
    let stage = 'render';
    try {
      const a = e.announcement;
      const wav =
        a.kind === 'call'
          ? await renderCall(library, a.call, {
              repeat: this.opts.repeat ?? 2,
              pauseFrames: msToFrames(library.format, this.opts.pauseMs ?? 1000),
              gapFrames: msToFrames(library.format, this.opts.gapMs ?? 40),
              ...(this.opts.template === undefined ? {} : { template: this.opts.template }),
              ...(this.opts.fallback === undefined ? {} : { fallback: this.opts.fallback }),
            })
          : await renderTokens(library, [a.text], {
              repeat: a.repeat,
              pauseFrames: msToFrames(library.format, this.opts.pauseMs ?? 1000),
              ...(this.opts.fallback === undefined ? {} : { fallback: this.opts.fallback }),
            });
      const frames = frameCount(wav);
      const durationMs = (frames * 1000) / library.format.sampleRate;
      stage = 'play';
      this.emitSafely('started', { ...base, at: this.now() });
      await this.opts.sink.play(encodeWav(wav), { seq: e.seq, label, durationMs });
      this.emitSafely('finished', { ...base, at: this.now(), frames });
    } catch (err) {
      const error = err instanceof HallqError ? err : new HallqError('AUDIO_FAILED', String(err), undefined, { cause: err });
      this.log.error({ seq: e.seq, label, stage, code: error.code, msg: error.message }, 'announcement failed');
      this.emitSafely('failed', { ...base, at: this.now(), error });
    }
  }

  // A throwing listener must not stop the queue. (The cast: TS cannot narrow the generic emit signature for a type parameter K.)
  private emitSafely<K extends keyof AnnouncerEvents>(event: K, ...args: AnnouncerEvents[K]): void {
    try {
      (this.emit as (event: K, ...a: AnnouncerEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.log.error({ event, err }, 'voice event listener threw');
    }
  }
}
