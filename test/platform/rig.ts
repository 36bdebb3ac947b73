import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../../drivers/common/logger.js';
import type { CommandBody, Outcome } from '../../src/core/index.js';
import { platformSchema } from '../../src/config/schema.js';
import { HallEngine } from '../../src/server/engine.js';
import type { ExportResult } from '../../src/server/platform/export-delivery.js';
import { PlatformService } from '../../src/server/platform/platform-service.js';
import type { SmsService } from '../../src/server/sms/sms-service.js';
import { MONDAY_10 } from '../sms/fixtures.js';
import { tempDirs } from '../store/temp-dir.js';
import { wireConfig } from '../wire/rig.js';

export const dirs = tempDirs();
export const SECRET = 'platform-test-secret-0123456789abcdef';

/** A real engine on a fresh database and the platform service on it, with a clock the test moves. */
export function platformRig(opts: { platform: Record<string, unknown>; dir?: string; sms?: (engine: HallEngine, clock: () => number, path: string) => SmsService | undefined }) {
  const dir = opts.dir ?? dirs.make();
  const path = join(dir, 'hall.db');
  const secretFile = join(dir, 'platform.secret');
  writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  const t = { now: MONDAY_10 };
  const clock = () => t.now;
  const engine = HallEngine.open(path, wireConfig, silentLogger, clock());
  const sms = opts.sms?.(engine, clock, path);
  const run = (cmd: CommandBody & { id?: string }): Outcome => engine.handle({ id: randomUUID(), ...cmd } as never, clock()).outcome;
  const config = platformSchema.parse({ secretFile, ...opts.platform });
  let service: PlatformService;
  try {
    service = PlatformService.open({ config, hall: 'wire-hall', database: path, engine, run, sms, clock, logger: silentLogger });
  } catch (e) {
    engine.close();
    throw e;
  }
  return {
    dir,
    path,
    t,
    clock,
    engine,
    sms,
    service,
    run,
    async close() {
      await service.stop();
      await sms?.stop();
      engine.close();
    },
  };
}

/**
 * Lets the export outbox drain: moves the clock to the head's retry time when it is not yet due (the
 * injected clock stands in for waiting out the backoff), kicks, and waits for that attempt's result.
 */
export async function drain(rig: ReturnType<typeof platformRig>, limit = 2000): Promise<ExportResult[]> {
  const results: ExportResult[] = [];
  const { outbox, delivery } = rig.service;
  if (!outbox || !delivery) throw new Error('no export');
  for (let i = 0; i < limit; i++) {
    const head = outbox.head();
    if (!head) return results;
    if (head.nextAttemptAt > rig.t.now) rig.t.now = head.nextAttemptAt;
    results.push(await attempt(rig));
  }
  throw new Error('outbox did not drain');
}

/** Kicks the delivery and resolves with the next attempt's result (the one in flight, if any). */
export function attempt(rig: ReturnType<typeof platformRig>): Promise<ExportResult> {
  const delivery = rig.service.delivery;
  if (!delivery) throw new Error('no export');
  return new Promise<ExportResult>((resolve) => {
    const off = delivery.onResult((r) => {
      off();
      resolve(r);
    });
    delivery.kick();
  });
}
