/**
 * The unified-platform link on the hall server (docs/platform.md): the export outbox filled from the
 * event log and sent by ExportDelivery, appointment import by push (HTTP route, routes.ts) and pull
 * (a timer here), and reminders through the SMS outbox. Built from the `platform:` config key.
 */
import { readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { HallqError } from '../../../drivers/common/error.js';
import { fileProblem } from '../../../drivers/common/system-words.js';
import { invalidText } from '../../../drivers/common/invalid-text.js';
import type { Logger } from '../../../drivers/common/logger.js';
import type { PlatformConfig } from '../../config/schema.js';
import type { Command, Outcome } from '../../core/index.js';
import { loadOrCreateSecretFile } from '../auth/secret-file.js';
import type { HallEngine } from '../engine.js';
import type { SmsService } from '../sms/sms-service.js';
import { appointmentBatch, type ImportResult } from './appointment-input.js';
import { AppointmentImport } from './appointment-import.js';
import { ExportDelivery } from './export-delivery.js';
import { ExportOutbox, type BacklogStats } from './export-outbox.js';
import { platformMetricsText } from './metrics.js';
import { openPlatformDb, platformDbPath } from './platform-db.js';
import { signedHeaders } from './signature.js';

export interface PlatformServiceOptions {
  config: PlatformConfig;
  hall: string;
  /** The hall database: the platform tables live in `<database>.platform`, the default secret in `<database>.platform-secret`. */
  database: string;
  engine: HallEngine;
  /** Runs a command as the server does (MqttServer.run: durable, then published). */
  run: (cmd: Command) => Outcome;
  /** For appointment reminders; undefined when SMS is off. */
  sms: SmsService | undefined;
  clock: () => number;
  logger: Logger;
}

/** What admin shows (no personal data, no secret). */
export interface PlatformStatus {
  export?: BacklogStats & { url: string };
  appointments?: { imported: number; push: boolean; pullUrl?: string; lastPullAt?: number; lastPullOkAt?: number; lastPullError?: string; pullFailures: number; reminders: boolean };
}

const PAGE = 1000;
const DAY_MS = 86_400_000;

export class PlatformService {
  readonly secret: string;
  readonly outbox: ExportOutbox | undefined;
  readonly delivery: ExportDelivery | undefined;
  readonly appointments: AppointmentImport | undefined;
  private readonly log: Logger;
  private readonly timers: NodeJS.Timeout[] = [];
  private offAppended: (() => void) | undefined;
  private pulling: Promise<ImportResult[]> | undefined;
  private pullState: { lastAt?: number; lastOkAt?: number; lastError?: string; failures: number } = { failures: 0 };
  private pullAbort: AbortController | undefined;

  constructor(
    readonly o: PlatformServiceOptions,
    private readonly db: Database.Database,
  ) {
    this.log = o.logger.child({ component: 'platform' });
    const c = o.config;
    this.secret = loadOrCreateSecretFile(c.secretFile ?? `${o.database}.platform-secret`, 'platform shared secret', this.log);
    if (c.export) {
      this.outbox = new ExportOutbox(db, { hall: o.hall, types: new Set(c.export.events), personalData: c.export.personalData, clock: o.clock });
      this.delivery = new ExportDelivery({ outbox: this.outbox, url: c.export.url, hall: o.hall, secret: this.secret, backoffSeconds: c.export.backoffSeconds, maxBackoffSeconds: c.export.maxBackoffSeconds, timeoutSeconds: c.export.timeoutSeconds, clock: o.clock, logger: this.log });
    }
    if (c.appointments) {
      let key: Buffer;
      try {
        key = readFileSync(c.appointments.idHashKeyFile);
      } catch (e) {
        const p = fileProblem('read', c.appointments.idHashKeyFile, e, 'platform.appointments.idHashKeyFile');
        throw new HallqError('CONFIG_NOT_FOUND', p.en, { path: 'platform.appointments.idHashKeyFile', messageZh: p.zh }, { cause: e });
      }
      const minutes = c.appointments.reminderMinutes;
      const sms = o.sms;
      this.appointments = new AppointmentImport({
        db,
        state: () => o.engine.state,
        run: o.run,
        idHashKey: key,
        reminderMinutes: minutes,
        reminders: sms ? { contacts: sms.contacts, outbox: sms.outbox, kick: () => sms.delivery.kick() } : undefined,
        clock: o.clock,
        logger: this.log,
      });
    }
  }

  static open(o: PlatformServiceOptions): PlatformService {
    const db = openPlatformDb(platformDbPath(o.database), o.logger);
    try {
      return new PlatformService(o, db);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** Catches the outbox up with the log, then follows every append; starts sending, pulling and purging. */
  start(): void {
    if (this.outbox && this.delivery) {
      const outbox = this.outbox;
      // The first start exports from now on: the history before the link was configured stays home.
      if (outbox.cursor() === undefined) outbox.initCursor(this.o.engine.state.seq);
      const made = this.catchUp();
      if (made > 0) this.log.info({ rows: made }, 'platform events caught up from the event log');
      this.offAppended = this.o.engine.onAppended(() => {
        // Read on from the cursor rather than take the batch: a failed enqueue is retried by the next append.
        if (this.catchUp() > 0) this.delivery?.kick();
      });
      this.delivery.start();
      const purge = () => {
        const n = outbox.purgeDeliveredBefore(this.o.clock() - (this.o.config.export?.retentionDays ?? 30) * DAY_MS);
        if (n > 0) this.log.info({ rows: n }, 'delivered platform events purged');
      };
      purge();
      this.every(DAY_MS, purge);
    }
    const pullSeconds = this.o.config.appointments?.pullSeconds;
    if (this.appointments && this.o.config.appointments?.pullUrl && pullSeconds) {
      void this.pull().catch(() => undefined);
      this.every(pullSeconds * 1000, () => void this.pull().catch(() => undefined));
    }
  }

  /** Moves exported events from the log into the outbox, from the cursor on; returns rows made. */
  catchUp(): number {
    const outbox = this.outbox;
    if (!outbox) return 0;
    let made = 0;
    try {
      for (;;) {
        const events = this.o.engine.eventsAfter(outbox.cursor() ?? this.o.engine.state.seq, PAGE);
        if (events.length === 0) break;
        made += outbox.enqueue(events, this.o.engine.state);
        if (events.length < PAGE) break;
      }
    } catch (e) {
      this.log.error({ err: e instanceof Error ? e.message : String(e) }, 'platform outbox enqueue failed; retried at the next event');
    }
    return made;
  }

  /**
   * Fetches the appointment list (a signed GET of pullUrl, bounded by timeoutSeconds) and applies it.
   * One pull at a time; a failure is logged, counted and retried at the next interval.
   */
  pull(): Promise<ImportResult[]> {
    this.pulling ??= this.pullOnce().finally(() => {
      this.pulling = undefined;
    });
    return this.pulling;
  }

  private async pullOnce(): Promise<ImportResult[]> {
    const cfg = this.o.config.appointments;
    if (!cfg?.pullUrl || !this.appointments) return [];
    this.pullState.lastAt = this.o.clock();
    this.pullAbort = new AbortController();
    try {
      const res = await fetch(cfg.pullUrl, { headers: { accept: 'application/json', 'x-hallq-hall': this.o.hall, ...signedHeaders(this.secret, this.o.clock(), '') }, signal: AbortSignal.any([this.pullAbort.signal, AbortSignal.timeout(cfg.timeoutSeconds * 1000)]) });
      if (!res.ok) throw new HallqError('PAYLOAD_INVALID', `appointment pull answered HTTP ${res.status}`, { status: res.status });
      const body: unknown = await res.json();
      const parsed = appointmentBatch.safeParse(body);
      if (!parsed.success) {
        const t = invalidText(parsed.error.issues, { input: body, max: 3 });
        throw new HallqError('PAYLOAD_INVALID', `appointment pull: ${t.message}`, { messageZh: `预约拉取：${t.messageZh}` });
      }
      const results = this.appointments.applyAll(parsed.data.appointments);
      this.pullState.lastOkAt = this.o.clock();
      delete this.pullState.lastError;
      return results;
    } catch (e) {
      this.pullState.failures += 1;
      this.pullState.lastError = e instanceof HallqError ? e.message : e instanceof Error ? e.name : 'error';
      this.log.warn({ error: this.pullState.lastError }, 'appointment pull failed');
      throw e;
    } finally {
      this.pullAbort = undefined;
    }
  }

  status(): PlatformStatus {
    const c = this.o.config;
    const a = c.appointments;
    return {
      ...(this.outbox && c.export ? { export: { ...this.outbox.stats(), url: c.export.url } } : {}),
      ...(this.appointments && a
        ? {
            appointments: {
              imported: this.appointments.imported(),
              push: a.push,
              ...(a.pullUrl ? { pullUrl: a.pullUrl } : {}),
              ...(this.pullState.lastAt === undefined ? {} : { lastPullAt: this.pullState.lastAt }),
              ...(this.pullState.lastOkAt === undefined ? {} : { lastPullOkAt: this.pullState.lastOkAt }),
              ...(this.pullState.lastError === undefined ? {} : { lastPullError: this.pullState.lastError }),
              pullFailures: this.pullState.failures,
              reminders: a.reminderMinutes !== undefined && this.o.sms !== undefined,
            },
          }
        : {}),
    };
  }

  metricsText(): string {
    return platformMetricsText({ ...(this.outbox ? { export: this.outbox.stats() } : {}), ...(this.o.config.appointments?.pullUrl ? { pull: { ...(this.pullState.lastOkAt === undefined ? {} : { lastOkAt: this.pullState.lastOkAt }), failures: this.pullState.failures } } : {}) });
  }

  async stop(): Promise<void> {
    this.offAppended?.();
    for (const t of this.timers) clearInterval(t);
    this.pullAbort?.abort();
    await this.pulling?.catch(() => undefined);
    await this.delivery?.stop();
    this.db.close();
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }
}

/** Opens and starts the link when `platform:` is configured; stop it before the SMS service and the engine. */
export function startPlatform(o: Omit<PlatformServiceOptions, 'config'> & { config: PlatformConfig | undefined }): PlatformService | undefined {
  if (!o.config) return undefined;
  const service = PlatformService.open({ ...o, config: o.config });
  service.start();
  return service;
}
