import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRig, PIN, type HttpRig } from '../http/rig.js';

/** One sample's value from Prometheus text: name{labels} value (labels in prom-client's order). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics (prom-client)', () => {
  let rig: HttpRig;
  let tech: string;
  beforeAll(async () => {
    rig = await httpRig();
    tech = await rig.signIn('t01', PIN['t01']!);
  });
  afterAll(async () => rig.close());
  const scrape = async () => {
    const r = await rig.app.inject({ url: '/metrics', headers: { cookie: tech } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/plain');
    return r.body;
  };

  it('has a series for every service and every SMS outbox state before anything happened, in a hall without SMS (0, not absent)', async () => {
    const text = await scrape();
    for (const state of ['pending', 'sending', 'sent', 'dropped', 'failed']) expect(sample(text, `hallq_sms_outbox_messages{state="${state}"}`), state).toBe(0);
    for (const service of ['social', 'medical']) {
      expect(sample(text, `hallq_tickets_issued_total{service="${service}"}`), service).toBe(0);
      expect(sample(text, `hallq_tickets_waiting{service="${service}"}`), service).toBe(0);
      expect(sample(text, `hallq_wait_seconds_count{service="${service}"}`), service).toBe(0);
      expect(sample(text, `hallq_wait_seconds_bucket{le="+Inf",service="${service}"}`), service).toBe(0);
    }
  });

  it('counts with _total, histograms waits per service, fills hallq_device_up from the agents’ reports, and has process and build metrics', async () => {
    const before = await scrape();
    for (let i = 0; i < 3; i++) expect(rig.mqtt.run({ id: `i${i}`, type: 'IssueTicket', serviceId: 'social', delivery: 'none', source: 'kiosk' }).ok).toBe(true);
    expect(rig.mqtt.run({ id: 'o3', type: 'OpenWindow', window: 3, staffId: 's03', source: 'soft-caller' }).ok).toBe(true);
    rig.advance(400_000); // the first citizen waits 400 s
    expect(rig.mqtt.run({ id: 'c3', type: 'CallNext', window: 3, source: 'soft-caller' }).ok).toBe(true);
    // An agent's retained device health, as its link publishes it; a stranger's and garbage are ignored.
    rig.mqtt.onDevices('hallq/v1/demo-hall/agent/kiosk-1/devices', Buffer.from(JSON.stringify([{ name: 'printer', kind: 'printer', state: 'ok' }, { name: 'idcard', kind: 'idcard-serial', state: 'offline', detail: 'NOT_FOUND' }])));
    rig.mqtt.onDevices('hallq/v1/demo-hall/agent/kiosk-2/devices', Buffer.from('{"not":"a list"}'));

    const text = await scrape();
    expect(sample(text, 'hallq_tickets_issued_total{service="social"}')).toBe(3);
    expect(sample(text, 'hallq_tickets_waiting{service="social"}')).toBe(2);
    expect(sample(text, 'hallq_calls_total')).toBe(1);
    // The wait histogram: one wait of ~400 s, in the 600 s bucket and not in the 300 s one.
    expect(sample(text, 'hallq_wait_seconds_bucket{le="300",service="social"}')).toBe(0);
    expect(sample(text, 'hallq_wait_seconds_bucket{le="600",service="social"}')).toBe(1);
    expect(sample(text, 'hallq_wait_seconds_count{service="social"}')).toBe(1);
    expect(sample(text, 'hallq_wait_seconds_sum{service="social"}')).toBeGreaterThanOrEqual(400);
    expect(text).not.toContain('hallq_wait_seconds_mean');
    expect(sample(text, 'hallq_device_up{agent="kiosk-1",device="printer",kind="printer"}')).toBe(1);
    expect(sample(text, 'hallq_device_up{agent="kiosk-1",device="idcard",kind="idcard-serial"}')).toBe(0);
    expect(text).not.toContain('agent="kiosk-2"');
    expect(sample(text, 'hallq_mqtt_connected')).toBe(0);
    // The five commands run one by one: five durable appends, each taking some time (the fsync).
    expect((sample(text, 'hallq_appends_total') ?? NaN) - (sample(before, 'hallq_appends_total') ?? NaN)).toBe(5);
    expect(sample(text, 'hallq_append_seconds_total') ?? 0).toBeGreaterThan(sample(before, 'hallq_append_seconds_total') ?? Infinity);
    expect(text).toMatch(/^hallq_build_info\{version="\d+\.\d+\.\d+[^"]*",node="[\d.]+"\} 1$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    // Prometheus naming: every counter's name ends in _total.
    const counters = [...text.matchAll(/^# TYPE (\S+) counter$/gm)].map((m) => m[1]);
    expect(counters.length).toBeGreaterThan(5);
    for (const c of counters) expect(c).toMatch(/_total$/);

    // An agent that clears its retained health leaves the metric.
    rig.mqtt.onDevices('hallq/v1/demo-hall/agent/kiosk-1/devices', Buffer.alloc(0));
    expect(await scrape()).not.toContain('agent="kiosk-1"');
  });
});
