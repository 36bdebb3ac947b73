/**
 * Who may return island actions `for` another agent (README "Island mode", trust at the return). The
 * only witnesses are the agents' retained statuses: agent/<id>/status is published by agent <id> alone
 * (the broker's ACL; its last will too), so what a status says is that agent's own word. The server
 * records, per agent, what its statuses said during its latest island episode (a new episode starts when
 * an agent that the server last saw online says island again):
 * - `acting`: every agent it named as acting for the hall (role follower) — its consent that this agent
 *   decided for its devices, with its leased numbers;
 * - `led`: whether it said it acted for the hall itself (role leader).
 *
 * The rule: agent S may replay an action `for` agent X when
 * 1. X named S as acting for it during its latest island (X followed S), or
 * 2. X is offline by its last will (it cannot return its own outbox now) and S said it acted for the
 *    hall during its latest island (it stood in for X after X died: the acting agent's handover), in a
 *    status the server was not there to hear live: it found it retained at its (re)connect (MQTT 3.1.1
 *    §3.3.1.3: the RETAIN flag is 1 only on a delivery made for a new subscription). A hall island is
 *    the server unreachable; a leader claim heard live came while the server was listening, so it is no
 *    evidence of one (the security tryout: a kiosk's password, with another agent dead, published
 *    "island, leader" and had that agent's windows called, paused and rated with no island at all).
 * Anything else is refused (conflict kind `not-acting`): the action is not run, so no lease number or
 * window of X is used by S; X's own outbox (which mirrors every decision made for it) returns it.
 */
export interface StatusWord {
  phase: 'online' | 'island' | 'returning' | 'offline';
  role?: string;
  acting?: string;
}

interface Episode {
  acting: Set<string>;
  led: boolean;
}

export class ActingWitness {
  private readonly episodes = new Map<string, Episode>();
  private readonly last = new Map<string, StatusWord['phase']>();

  /** One retained status of agent `id` (its own word, by the ACL); `foundRetained`: delivered at the server's (re)subscription, not live. */
  record(id: string, s: StatusWord, foundRetained = false): void {
    const before = this.last.get(id);
    this.last.set(id, s.phase);
    if (s.phase !== 'island' && s.phase !== 'returning') return;
    let ep = this.episodes.get(id);
    // A new island after being seen online; an agent restarting within the island (offline → island) keeps its word.
    if (!ep || before === 'online') {
      ep = { acting: new Set(), led: false };
      this.episodes.set(id, ep);
    }
    if (s.role === 'follower' && s.acting !== undefined && s.acting !== id) ep.acting.add(s.acting);
    if (s.role === 'leader' && foundRetained) ep.led = true;
  }

  /** Whether `sender` may return an action for the devices of `forAgent` (the rule above); a reason when not. */
  check(sender: string, forAgent: string): { ok: true; by: 'consent' | 'stand-in' } | { ok: false; reason: string } {
    if (sender === forAgent) return { ok: true, by: 'consent' };
    if (this.episodes.get(forAgent)?.acting.has(sender) === true) return { ok: true, by: 'consent' };
    const senderLed = this.episodes.get(sender)?.led === true;
    if (this.last.get(forAgent) === 'offline' && senderLed) return { ok: true, by: 'stand-in' };
    if (this.last.get(forAgent) === 'offline') return { ok: false, reason: `${sender} did not say it acted for the hall, and ${forAgent} is offline` };
    return { ok: false, reason: `${forAgent} did not name ${sender} as acting for it` };
  }
}
