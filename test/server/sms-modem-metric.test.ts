/**
 * Tryout (high): a modem that never answered its initialisation showed nowhere an operator looks: /readyz
 * said ready and /metrics only the pending rows growing. `hallq_sms_modem_ready{port}` says it: 0 before the
 * modem's first message and while it does not answer, 1 once it is initialised. The real AtModem (opened by
 * the SMS service from its config) and the modem emulator on a real pty.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { smsSchema } from '../../src/config/schema.js';
import type { CommandBody } from '../../src/core/index.js';
import { startSms, type SmsService } from '../../src/server/sms/sms-service.js';
import type { DeliveryResult } from '../../src/server/sms/delivery.js';
import { httpRig, PIN, type HttpRig } from '../http/rig.js';
import { modemInbox } from '../sms/fixtures.js';

const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function hall(silentModem: boolean) {
  // The hall sends SMS (the demo config the rig reads has no provider).
  const rig: HttpRig = await httpRig({ config: (c) => ({ ...c, smsEnabled: true }) });
  stops.push(() => rig.close());
  const inbox = await modemInbox();
  stops.push(() => inbox.close());
  inbox.emulator.setSilent(silentModem);
  const config = smsSchema.parse({ provider: 'modem', modem: { path: inbox.pty.host, baudRate: 115200 } });
  const sms = startSms({ config, database: rig.db, engine: rig.engine, mqtt: rig.mqtt, clock: rig.clock, logger: silentLogger });
  if (!sms) throw new Error('sms off');
  stops.push(() => sms.stop());
  const tech = await rig.signIn('t01', PIN['t01']!);
  const scrape = async () => (await rig.app.inject({ url: '/metrics', headers: { cookie: tech } })).body;
  const series = `hallq_sms_modem_ready{port="${inbox.pty.host}"}`;
  return { rig, inbox, sms, scrape, series };
}

/** An SMS-only ticket with its phone: one issued message owed. Resolves with the row's first result. */
function smsTicket(rig: HttpRig, sms: SmsService): Promise<DeliveryResult> {
  const result = new Promise<DeliveryResult>((resolve) => {
    const off = sms.delivery.onResult((r) => {
      off();
      resolve(r);
    });
  });
  const outcome = rig.mqtt.run({ id: 'sms-1', type: 'IssueTicket', serviceId: 'social', delivery: 'sms', phoneMasked: '139****5678', source: 'kiosk' } as CommandBody as never);
  if (!outcome.ok) throw new Error(JSON.stringify(outcome));
  const ticketId = Object.keys(rig.engine.state.tickets).at(-1)!;
  expect(sms.contact(ticketId, '13912345678')).toBe(true);
  return result;
}

describe('hallq_sms_modem_ready', () => {
  it('is 0 before the first message opens the modem, 1 once it is initialised and has sent', async () => {
    const h = await hall(false);
    expect(sample(await h.scrape(), h.series)).toBe(0);
    expect(await smsTicket(h.rig, h.sms)).toMatchObject({ outcome: 'sent' });
    expect(sample(await h.scrape(), h.series)).toBe(1);
  });

  it('is 0 beside the pending row while the modem does not answer its initialisation', async () => {
    const h = await hall(true);
    expect(await smsTicket(h.rig, h.sms)).toMatchObject({ outcome: 'retry', code: 'DEVICE_TIMEOUT' });
    const text = await h.scrape();
    expect(sample(text, h.series)).toBe(0);
    expect(sample(text, 'hallq_sms_outbox_messages{state="pending"}')).toBe(1);
  }, 30_000);

  it('is absent in a hall without a modem', async () => {
    const rig = await httpRig();
    stops.push(() => rig.close());
    const tech = await rig.signIn('t01', PIN['t01']!);
    expect((await rig.app.inject({ url: '/metrics', headers: { cookie: tech } })).body).not.toMatch(/^hallq_sms_modem_ready\{/m); // its HELP and TYPE, no sample
  });
});
