import type { HallqConfig } from '../config/schema.js';

/** One port the demo listens on: the one wanted, and the config key it came from (undefined: given by the caller). */
export interface DemoPort {
  port: number;
  key?: string | undefined;
}

export interface DemoPorts {
  http: DemoPort;
  kiosk: DemoPort;
  mqtt: DemoPort;
}

/**
 * The ports the config asks for (config/demo.yaml leaves them at their defaults: 8080, 8081, 1883): the
 * server's server.http.port, the kiosk's port of this box's agent (agent.id) or else of the first agent with a
 * kiosk, the port of server.mqtt.url for the embedded broker. The demo listens on 127.0.0.1 whatever the hosts say.
 */
export function configuredPorts(c: HallqConfig): DemoPorts {
  const own = c.agents.findIndex((a) => a.id === c.agent?.id && a.kiosk !== undefined);
  const k = own >= 0 ? own : c.agents.findIndex((a) => a.kiosk !== undefined);
  const kiosk = c.agents[k]?.kiosk;
  const url = new URL(c.server.mqtt.url);
  return {
    http: { port: c.server.http.port, key: 'server.http.port' },
    kiosk: kiosk ? { port: kiosk.port, key: `agents[${k}].kiosk.port` } : { port: 8081, key: 'no kiosk in the config: the default' },
    mqtt: { port: url.port === '' ? (url.protocol === 'mqtts:' ? 8883 : 1883) : Number(url.port), key: "server.mqtt.url's port" },
  };
}

/** The banner's ports line: each port used, the key it comes from, and a wanted port that was taken. */
export function portsLine(wanted: DemoPorts, used: { http: number; kiosk: number; mqtt: number }, configFile: string): string {
  const one = (name: string, w: DemoPort, port: number) => {
    const key = w.key ?? 'asked for';
    if (w.port === 0) return `${name} ${port} (${key} is 0: a free one)`;
    if (w.port !== port) return `${name} ${port} (${key} ${w.port} was taken: a free one instead)`;
    return `${name} ${port} (${key})`;
  };
  return `${one('http', wanted.http, used.http)} · ${one('kiosk', wanted.kiosk, used.kiosk)} · ${one('MQTT', wanted.mqtt, used.mqtt)}, on 127.0.0.1
                (other ports: set those keys in a copy of ${configFile} and run hallq demo --config COPY; 0 takes a free one)`;
}
