import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { parseCityConfig } from '../../src/city/config.js';
import { cityHttp } from '../../src/city/http.js';
import { launchChromium } from '../helpers/browser.js';

/**
 * The city dashboard in Chromium: the "not live" banner while the city service is away from the
 * cluster (and every hall's state unknown then), and "never connected" for a hall the city has never
 * heard from (no row, or a row with no day, seq or service), never for one it has. The HTTP side is
 * the real one; PostgreSQL is a pool that answers the dashboard's two queries.
 */
const config = parseCityConfig({
  city: { id: 'c', name: { zh: '南京', en: 'Nanjing' } },
  broker: { urls: ['mqtt://n1:1883'] },
  postgres: { url: 'postgres://x' },
  halls: [
    { id: 'h-live', name: { zh: '东大厅', en: 'East hall' }, lat: 32, lon: 118 },
    { id: 'h-new', name: { zh: '新大厅', en: 'New hall' }, lat: 32.1, lon: 118.1 },
    { id: 'h-none', name: { zh: '南大厅', en: 'South hall' }, lat: 31.9, lon: 118.2 },
  ],
});
const pool = {
  query: async (sql: string) => {
    if (sql.includes('SELECT h.hall_id, h.online'))
      return {
        rows: [
          { hall_id: 'h-live', online: true, day: '2026-12-01', last_seq: '42', hall_seq: '42', open_windows: '2', ratings: '4', good: '3' },
          // Added by the city (ensureHalls) but never heard from: no day, no seq.
          { hall_id: 'h-new', online: false, day: null, last_seq: '0', hall_seq: '0', open_windows: '0', ratings: '0', good: '0' },
        ],
      };
    if (sql.includes('FROM hall_services s JOIN halls h')) return { rows: [{ hall_id: 'h-live', service_id: 'A', name_zh: '社保', name_en: 'Social', waiting: '5', wait_now: null, wait_today: null }] };
    return { rows: [] };
  },
} as unknown as pg.Pool;

describe('city dashboard page (Chromium)', () => {
  /** The inbox's link to the cluster, as the HTTP side reads it on each request. */
  const inbox = { connected: false, send: async () => 'in-x', message: async () => undefined };
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;
  beforeAll(async () => {
    app = await cityHttp({ config, pool, clock: Date.now, token: 't', logger: silentLogger, inbox });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://hall.test:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const hall = (page: Page, id: string) => page.locator(`section.hall[data-hall="${id}"]`);
  async function open(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-loaded="true"]');
    return page;
  }

  it('away from the cluster: the not-live banner (an alert), every hall unknown; never connected only on the halls never heard from', async () => {
    inbox.connected = false;
    const page = await open();
    const banner = page.locator('#not-live');
    expect(await banner.isVisible()).toBe(true);
    expect(await banner.getAttribute('role')).toBe('alert');
    expect(await banner.textContent()).toBe('市级服务未连接消息集群，数据并非实时 · The city service is not connected to the cluster: figures are not live');
    for (const id of ['h-live', 'h-new', 'h-none']) expect(await hall(page, id).locator('h2 .offline').textContent(), id).toBe('状态未知 unknown');
    expect(await hall(page, 'h-new').locator('.never').textContent()).toBe('尚未连接 never connected');
    expect(await hall(page, 'h-none').locator('.never').textContent()).toBe('尚未连接 never connected');
    expect(await hall(page, 'h-live').locator('.never').count()).toBe(0);
    // The live hall's figures are shown (as last heard), not hidden behind the banner.
    expect(await hall(page, 'h-live').locator('tr[data-service="A"] .waiting').textContent()).toBe('5');
    await page.close();
  }, 60_000);

  it('connected: no banner; the live hall online, the others offline, never connected still said', async () => {
    inbox.connected = true;
    const page = await open();
    expect(await page.locator('#not-live').count()).toBe(0);
    expect(await hall(page, 'h-live').locator('h2 .offline').count()).toBe(0);
    expect(await hall(page, 'h-new').locator('h2 .offline').textContent()).toBe('离线 offline');
    expect(await hall(page, 'h-none').locator('h2 .offline').textContent()).toBe('离线 offline');
    expect(await hall(page, 'h-new').locator('.never').textContent()).toBe('尚未连接 never connected');
    expect(await hall(page, 'h-live').locator('.never').count()).toBe(0);
    await page.close();
  }, 60_000);

  it('the banner goes when the link returns, at the page\'s next refresh (no reload)', async () => {
    inbox.connected = false;
    const page = await open();
    await page.locator('#not-live').waitFor();
    inbox.connected = true;
    // The page polls every 5 s: wait for the banner to go (the event), bounded by the wait's own timeout.
    await page.locator('#not-live').waitFor({ state: 'detached', timeout: 20_000 });
    expect(await hall(page, 'h-live').locator('h2 .offline').count()).toBe(0);
    await page.close();
  }, 60_000);
});
