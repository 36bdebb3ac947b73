import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../drivers/common/logger.js';
import { buildKioskApp, CardSlot } from '../agent/kiosk-http.js';
import type { KioskFlow } from '../agent/flows/kiosk.js';
import type { AgentLink } from '../agent/link.js';
import { loadConfigOrThrow } from '../config/load.js';
import { hallConfigOf } from '../config/hall-config.js';
import { emptyState } from '../core/index.js';
import { HallEngine } from './engine.js';
import { buildHttp } from './http.js';
import { MqttServer } from './mqtt-server.js';
import { requestAuthorizer } from '../bus/authorize.js';

/**
 * The OpenAPI documents of the hall server and the kiosk listener, from the apps themselves (their
 * zod schemas): what `npm run openapi` writes to docs/openapi.json and docs/openapi-kiosk.json.
 */
export async function openApiDocuments(): Promise<{ server: unknown; kiosk: unknown }> {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-openapi-'));
  const clock = () => 0;
  const engine = HallEngine.open(join(dir, 'hall.db'), hallConfigOf(loadConfigOrThrow(fileURLToPath(new URL('../../config/demo.yaml', import.meta.url)))), silentLogger, 0);
  try {
    const mqtt = new MqttServer(engine, { url: 'mqtt://127.0.0.1:1', hall: 'openapi', clock, authorize: requestAuthorizer([]) }, silentLogger);
    const { app } = await buildHttp(engine, mqtt, { host: '127.0.0.1', port: 0, clock, openapi: true }, silentLogger);
    await app.ready();
    const server = app.swagger();
    await app.close();
    const link = { replica: { state: emptyState() } } as unknown as AgentLink;
    const kioskApp = await buildKioskApp(link, { canPrint: () => false } as unknown as KioskFlow, new CardSlot(), { host: '127.0.0.1', port: 0, statusBaseUrl: 'http://hall.example', openapi: true }, silentLogger);
    await kioskApp.ready();
    const kiosk = kioskApp.swagger();
    await kioskApp.close();
    return { server, kiosk };
  } finally {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function openApiText(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
