import type { MqttClient } from 'mqtt';
import { parseJson, requestSchema, type Response } from '../../src/bus/messages.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/bus/paging.js';
import { CITY_AGENT } from '../../src/city/bridge.js';
import type { HallEvent } from '../../src/core/index.js';
import { eventsPage } from '../../src/server/catch-up.js';

/** The topic filter a control connection subscribes to: every hall's catch-up requests (QoS 0). */
export const CATCH_UP_REQUESTS = `city/+/req/${CITY_AGENT}`;

export interface SimulatedHallsMetrics {
  /** Catch-up requests that reached the hall they were for. */
  asked: number;
  /** Of those, answered with a page of events (`status: ok`). */
  answered: number;
  /** Events sent in the answers. */
  events: number;
  /** Requests that were not an `events` request the hall server would answer (none expected from the city). */
  ignored: number;
}

/**
 * The city bench's halls, one run's worth, each behaving as a real hall behind its bridge
 * (src/city/bridge.ts, docs/city.md): it publishes the same simulated day, its events in seq order
 * and always through the same events connection (hall index % connections: one hall, one bridge
 * connection), QoS 1 on `city/<hall>/events`; and it answers the city's catch-up requests
 * (`city/<hall>/req/city`, QoS 0) on a control connection of its own (hall index % connections),
 * QoS 0 on `city/<hall>/res/city`, with the answer the hall server makes (src/server/mqtt-server.ts:
 * eventsPage of src/server/catch-up.ts over the events it has made so far, its seq now as `lastSeq`,
 * under the default message cap). Each control connection subscribes to every hall's requests
 * (CATCH_UP_REQUESTS) and answers those of its own halls only, so each request is answered once.
 */
export class SimulatedHalls {
  readonly metrics: SimulatedHallsMetrics = { asked: 0, answered: 0, events: 0, ignored: 0 };
  /** Per hall (by index): how many of the day's events it has published, i.e. its seq is day[n - 1].seq. */
  private readonly made: number[];
  private readonly index = new Map<string, number>();
  private readonly listeners: { client: MqttClient; listener: (topic: string, payload: Buffer) => void }[] = [];

  constructor(
    readonly halls: readonly string[],
    private readonly day: readonly HallEvent[],
    private readonly events: readonly MqttClient[],
    private readonly controls: readonly MqttClient[],
  ) {
    this.made = halls.map(() => 0);
    halls.forEach((h, i) => this.index.set(h, i));
    controls.forEach((client, c) => {
      const listener = (topic: string, payload: Buffer) => this.onRequest(c, topic, payload);
      client.on('message', listener);
      this.listeners.push({ client, listener });
    });
  }

  /** Hall `h` makes its next event and publishes it on its own events connection; undefined when its day is over. */
  publishNext(h: number): { hall: string; event: HallEvent } | undefined {
    const n = this.made[h] as number;
    const event = this.day[n];
    const hall = this.halls[h];
    if (event === undefined || hall === undefined) return undefined;
    this.made[h] = n + 1;
    (this.events[h % this.events.length] as MqttClient).publish(`city/${hall}/events`, JSON.stringify(event), { qos: 1 });
    return { hall, event };
  }

  /** Stops answering (the run is over; the control connections stay for the next). */
  detach(): void {
    for (const { client, listener } of this.listeners) client.off('message', listener);
    this.listeners.length = 0;
  }

  private onRequest(control: number, topic: string, payload: Buffer): void {
    const parts = topic.split('/');
    if (parts.length !== 4 || parts[0] !== 'city' || parts[2] !== 'req' || parts[3] !== CITY_AGENT) return;
    const h = this.index.get(parts[1] as string);
    // Another run's hall, or a hall this control connection does not carry.
    if (h === undefined || h % this.controls.length !== control) return;
    this.metrics.asked += 1;
    const json = parseJson(payload);
    const req = json.ok ? requestSchema.safeParse(json.value) : undefined;
    if (!req?.success || req.data.type !== 'events') {
      this.metrics.ignored += 1;
      return;
    }
    const r = req.data;
    const made = this.made[h] as number;
    const seq = this.day[made - 1]?.seq ?? 0;
    const read = (after: number, limit: number) => this.day.slice(0, made).filter((e) => e.seq > after).slice(0, limit);
    const page = eventsPage(read, r.after, r.limit ?? 1000, seq, DEFAULT_MAX_MESSAGE_BYTES);
    const answer: Response = { id: r.id, status: 'ok', data: page };
    this.metrics.answered += 1;
    this.metrics.events += page.events.length;
    (this.controls[control] as MqttClient).publish(`city/${parts[1] as string}/res/${CITY_AGENT}`, JSON.stringify(answer), { qos: 0 });
  }
}
