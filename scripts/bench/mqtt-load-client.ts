/**
 * The benches' MQTT load client, one for all of them (mqtt-rig.ts in the bench's own process,
 * server-cpu-side.ts in a process of its own): one connection as the agent `bench`, requests on its
 * request topic at QoS 1, each answer matched to its request by id.
 */
import mqtt from 'mqtt';
import { noDelayOn } from '../../src/bus/no-delay.js';
import { topics } from '../../src/bus/topics.js';

export interface LoadClient {
  /** Sends one request (its `id` names the answer) and resolves with its answer. */
  request(body: Record<string, unknown>): Promise<unknown>;
  /** A command in a request, both with fresh ids. */
  command(cmd: Record<string, unknown>): Promise<unknown>;
  end(): Promise<void>;
}

/** Request and command ids, counted per process (each command id also names the process). */
let ids = 0;

/** Connects to the broker at `url` as `clientId` and subscribes to the answers of hall `hall`'s agent `bench`. */
export async function connectLoadClient(url: string, hall: string, clientId: string): Promise<LoadClient> {
  const t = topics(hall);
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, clientId, clean: true });
  // As every hallq client (agents, server, city): with Nagle on, a request written right after the PUBACK of an answer
  // waits for the broker's delayed ACK (40 ms), which the p99 then measures instead of the server.
  noDelayOn(client);
  const waiting = new Map<string, (v: unknown) => void>();
  client.on('message', (_topic, payload) => {
    const res = JSON.parse(payload.toString()) as { id: string };
    waiting.get(res.id)?.(res);
    waiting.delete(res.id);
  });
  await client.subscribeAsync(t.response('bench'), { qos: 1 });
  const request = (body: Record<string, unknown>) =>
    new Promise<unknown>((resolve) => {
      waiting.set(String(body.id), resolve);
      client.publish(t.request('bench'), JSON.stringify(body), { qos: 1 });
    });
  return {
    request,
    command: (cmd) => {
      const n = ++ids;
      return request({ id: `r${n}`, type: 'command', command: { ...cmd, id: `c${n}-${process.pid}` } });
    },
    end: async () => {
      await client.endAsync();
    },
  };
}
