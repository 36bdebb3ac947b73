/**
 * Every MQTT topic of hallq, under a versioned root. MQTT 3.1.1 features only (retained messages,
 * last wills, QoS 0/1), so Mosquitto, Aedes and EMQX all carry it. See docs/mqtt.md.
 */
export const API_VERSION = 'v1';

/**
 * The hall agent (and hall broker user) a city bridge speaks as (docs/city.md): the city's catch-up
 * requests arrive on req/city, its appointments and notices on city/in/#, which only it may publish.
 */
export const CITY_AGENT = 'city';

export function topics(hall: string) {
  const root = `hallq/${API_VERSION}/${hall}`;
  return {
    root,
    /** Retained, published when it changes (connect, seq, stop); the server's last will sets online:false. */
    serverStatus: `${root}/server/status`,
    /**
     * The running server's heartbeat: its status, not retained, QoS 0, every HEARTBEAT_MS while connected.
     * Only the server's user may read it (the start probe of a second server, src/server/instance-probe.ts);
     * agents are not granted it and the city bridge does not carry it, so they get no periodic traffic.
     */
    serverHeartbeat: `${root}/server/heartbeat`,
    /** Retained per agent; its last will sets online:false. */
    agentStatus: (agent: string) => `${root}/agent/${agent}/status`,
    agentStatusAll: `${root}/agent/+/status`,
    /** Retained device health of one agent. */
    agentDevices: (agent: string) => `${root}/agent/${agent}/devices`,
    /**
     * Requests from an agent to the server; the answer goes to res/<client>. <client> is the agent id,
     * which the broker's ACL lets only the user of that name publish to: the server's proof of identity.
     */
    request: (client: string) => `${root}/req/${client}`,
    requestAll: `${root}/req/+`,
    response: (client: string) => `${root}/res/${client}`,
    /** Every event, in seq order, QoS 1. */
    events: `${root}/events`,
    /** Retained state per window and the queue summary; republished on every (re)connect. */
    windowState: (window: number) => `${root}/state/window/${window}`,
    windowStateAll: `${root}/state/window/+`,
    queueState: `${root}/state/queue`,
    /**
     * Island mode with the broker up and the server away (README "Island mode", src/agent/island/hall-island.ts):
     * an agent's commands forwarded to the hall's acting agent (only that agent publishes on its own id);
     * the acting agent's answers to one agent (island/ans/<acting>/<agent>); the acting agent's decisions
     * and events for every agent (island/ev/<acting>). The topic's ids are the proof of identity (ACL).
     */
    islandForward: (agent: string) => `${root}/island/fwd/${agent}`,
    islandForwardAll: `${root}/island/fwd/+`,
    islandAnswer: (acting: string, agent: string) => `${root}/island/ans/${acting}/${agent}`,
    islandAnswerAll: (agent: string) => `${root}/island/ans/+/${agent}`,
    islandEvents: (acting: string) => `${root}/island/ev/${acting}`,
    islandEventsAll: `${root}/island/ev/+`,
  } as const;
}

export type Topics = ReturnType<typeof topics>;

/** The client id at the end of a req/… or res/… topic. */
export function clientOf(topic: string): string | undefined {
  const parts = topic.split('/');
  return parts.length >= 5 ? parts[parts.length - 1] : undefined;
}
