import {
  defaultPolicy,
  emptyState,
  epochOf,
  execute,
  type Command,
  type Executed,
  type HallConfig,
  type HallEvent,
  type HallState,
  type Policy,
  type TimeRange,
  type WindowDef,
} from '../../src/core/index.js';

const allDay: TimeRange[] = [{ from: '08:30', to: '17:00' }];

/** A small hall: A and B at windows 1–2, B first then A at window 3, C alone at window 4. */
export function hallConfig(opts: { policy?: Partial<Policy>; windows?: WindowDef[] } = {}): HallConfig {
  return {
    id: 'test-hall',
    name: { zh: '测试政务服务中心', en: 'Test Service Hall' },
    utcOffsetMinutes: 480,
    hours: {
      weekly: { sun: [], mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: [] },
      issuingCutoffMinutes: 30,
      holidays: ['2026-12-25'],
      workdays: ['2026-11-29'],
    },
    services: [
      { id: 'A', name: { zh: '社保', en: 'Social insurance' }, prefix: 'A', dailyQuota: 999, idRequired: false, avgServiceMinutes: 6 },
      { id: 'B', name: { zh: '户籍', en: 'Household registration' }, prefix: 'B', dailyQuota: 999, idRequired: false, avgServiceMinutes: 8 },
      { id: 'C', name: { zh: '不动产', en: 'Real estate' }, prefix: 'C', dailyQuota: 5, idRequired: true, avgServiceMinutes: 15, hours: [{ from: '09:00', to: '12:00' }] },
    ],
    windows: opts.windows ?? [
      { id: 1, kind: 'general', tiers: [['A', 'B']] },
      { id: 2, kind: 'general', tiers: [['A', 'B']] },
      { id: 3, kind: 'domain', tiers: [['B'], ['A']] },
      { id: 4, kind: 'special', tiers: [['C']] },
    ],
    staff: ['s1', 's2', 's3', 's4', 's5', 's6'].map((id) => ({ id, name: `Staff ${id}` })),
    policy: { ...defaultPolicy, ...opts.policy },
  };
}

/** Monday 2026-11-23, local time. */
export const monday = (hm: string, day = '2026-11-23') => {
  const [h, m] = hm.split(':').map(Number);
  return epochOf(day, (h ?? 0) * 60 + (m ?? 0), 480);
};

/** A hall under test: a state, its log, and a command helper with generated ids. */
export class Hall {
  state: HallState = emptyState();
  log: HallEvent[] = [];
  now: number;
  private n = 0;
  constructor(config: HallConfig = hallConfig(), start = monday('09:00'), private readonly idPrefix = 'c') {
    this.now = start;
    this.run({ type: 'Configure', config });
  }
  run(cmd: DistributiveOmit<Command, 'id'> & { id?: string }, at = this.now): Executed {
    const full = { id: cmd.id ?? `${this.idPrefix}${++this.n}`, ...cmd } as Command;
    const r = execute(this.state, full, at);
    this.log.push(...r.events);
    return r;
  }
  /** Run and expect success; returns the ticket id if any. */
  ok(cmd: DistributiveOmit<Command, 'id'>, at = this.now): string | undefined {
    const r = this.run(cmd, at);
    if (!r.outcome.ok) throw new Error(`${cmd.type} rejected: ${r.outcome.code} ${r.outcome.detail ?? ''}`);
    return r.outcome.ticketId;
  }
  issue(serviceId: string, extra: Partial<Extract<Command, { type: 'IssueTicket' }>> = {}): string {
    const id = this.ok({ type: 'IssueTicket', serviceId, delivery: 'none', ...extra });
    if (!id) throw new Error('no ticket');
    return id;
  }
  open(window: number, staffId = `s${window}`): void {
    this.ok({ type: 'OpenWindow', window, staffId });
  }
  callNext(window: number): string | undefined {
    return this.ok({ type: 'CallNext', window });
  }
  advance(minutes: number): void {
    this.now += minutes * 60_000;
  }
  events<T extends HallEvent['type']>(type: T): Extract<HallEvent, { type: T }>[] {
    return this.log.filter((e): e is Extract<HallEvent, { type: T }> => e.type === type);
  }
  number(ticketId: string): string {
    return this.state.tickets[ticketId]?.number ?? '?';
  }
}

export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
