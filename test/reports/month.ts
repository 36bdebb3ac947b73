import { loadConfigOrThrow } from '../../src/config/load.js';
import { hallConfigOf } from '../../src/config/hall-config.js';
import { grades, type HallEvent, type EventBody } from '../../src/core/index.js';
import { simSpecOf } from '../../src/cli/simulate.js';
import { Random } from '../../src/sim/random.js';
import { simulate } from '../../src/sim/simulate.js';
import { EventLog } from '../../src/store/index.js';

/**
 * A simulated stretch of the demo hall (config/demo.yaml) as an event stream: the simulator's own events
 * (issue, call, complete, no-show, windows opening and closing, refusals) with what the simulator does not
 * make woven in at plausible times: attendance (sign-in/out around each shift), lunch pauses, an AB
 * takeover a day, ratings after services (some bad, most followed up: reply, then rectification or a
 * not-true determination), and a few tickets cancelled or voided. Seqs renumbered in time order.
 */
export function simulatedEvents(opts: { days: number; seed: number; startDay?: string; arrivalScale?: number }): HallEvent[] {
  const c = loadConfigOrThrow('config/demo.yaml');
  const spec = simSpecOf(c, { days: opts.days, seed: opts.seed });
  if (typeof spec === 'string') throw new Error(spec);
  if (opts.startDay) spec.startDay = opts.startDay;
  const scale = opts.arrivalScale ?? 1;
  if (scale !== 1) {
    for (const [k, v] of Object.entries(spec.arrivalsPerHour)) spec.arrivalsPerHour[k] = Array.isArray(v) ? v.map((x) => x * scale) : v * scale;
    for (const s of spec.config.services) s.dailyQuota = Math.max(s.dailyQuota, 999);
  }
  const sim: HallEvent[] = [];
  spec.onCommand = (_cmd, events) => {
    for (const e of events) sim.push(e);
  };
  simulate(spec);
  const config = hallConfigOf(c);
  const off = config.utcOffsetMinutes * 60_000;
  const rng = new Random(opts.seed ^ 0x5eed);
  const extra: { at: number; order: number; body: EventBody }[] = [];
  let n = 0;
  const add = (at: number, body: EventBody) => extra.push({ at, order: n++, body });
  const issuedById = new Map<string, { number: string; serviceId: string }>();
  for (const e of sim) if (e.type === 'TicketIssued') issuedById.set(e.ticket.id, { number: e.ticket.number, serviceId: e.ticket.serviceId });
  const callStaff = new Map<string, { window: number; staffId?: string }>();
  const windowStaff = new Map<number, string>();
  const openAt = new Map<number, number>();
  const localHour = (at: number) => Math.floor(((at + off) % 86_400_000) / 3_600_000);
  const midday = (at: number) => at - ((at + off) % 86_400_000) + 12 * 3_600_000;
  let ratingNo = 0;
  let extraTicket = 0;
  for (const e of sim) {
    // Only the events something is woven in after.
    // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check
    switch (e.type) {
      case 'WindowOpened':
        windowStaff.set(e.window, e.staffId);
        openAt.set(e.window, e.at);
        add(e.at - 1000, { type: 'StaffSignedIn', staffId: e.staffId, window: e.window });
        break;
      case 'WindowClosed': {
        const staff = windowStaff.get(e.window);
        const opened = openAt.get(e.window);
        if (opened !== undefined) {
          const noon = midday(opened);
          // A lunch pause when the shift spans 12:00–12:30; window 2 also pauses for 'meeting' at 10:00 for 7 min.
          if (opened < noon && e.at > noon + 31 * 60_000) {
            add(noon, { type: 'WindowPaused', window: e.window, reason: 'lunch' });
            add(noon + 30 * 60_000, { type: 'WindowResumed', window: e.window });
          }
          if (e.window === 2 && opened < noon - 2 * 3_600_000 && e.at > noon) {
            add(noon - 2 * 3_600_000 + 17, { type: 'WindowPaused', window: 2, reason: 'meeting' });
            add(noon - 2 * 3_600_000 + 7 * 60_000 + 17, { type: 'WindowResumed', window: 2 });
          }
          // An AB takeover of window 1 at 15:00 by s15.
          if (e.window === 1 && opened < noon + 3 * 3_600_000 && e.at > noon + 3 * 3_600_000 + 60_000) {
            add(noon + 3 * 3_600_000 + 3, { type: 'WindowTakenOver', window: 1, staffId: 's15', ...(staff ? { previousStaffId: staff } : {}) });
          }
        }
        if (staff) add(e.at + 1000, { type: 'StaffSignedOut', staffId: staff, window: e.window });
        openAt.delete(e.window);
        break;
      }
      case 'TicketCalled':
        callStaff.set(e.ticketId, { window: e.window, ...(e.staffId ? { staffId: e.staffId } : {}) });
        break;
      case 'TicketIssued': {
        // Now and then a citizen's extra ticket, cancelled or voided a few minutes later.
        if (rng.next() < 0.02) {
          const id = `X${++extraTicket}`;
          const ticket = { ...e.ticket, id, number: `X${extraTicket}`, queueKey: 1e9 + extraTicket, issuedAt: e.at + 7, queuedAt: e.at + 7 };
          add(e.at + 7, { type: 'TicketIssued', ticket });
          const voided = rng.next() < 0.3;
          add(e.at + 7 + 60_000 * (1 + Math.floor(rng.next() * 10)), voided ? { type: 'TicketVoided', ticketId: id, reason: 'print-failed' } : { type: 'TicketCancelled', ticketId: id, reason: rng.next() < 0.5 ? 'citizen' : 'staff' });
        }
        break;
      }
      case 'ServiceCompleted': {
        if (rng.next() < 0.6) {
          const call = callStaff.get(e.ticketId);
          const issued = issuedById.get(e.ticketId);
          if (call && issued) {
            const r = rng.next();
            const grade = grades[r < 0.55 ? 0 : r < 0.8 ? 1 : r < 0.9 ? 2 : r < 0.95 ? 3 : 4] ?? 'satisfied';
            const id = `R${++ratingNo}`;
            const at = e.at + 5000 + Math.floor(rng.next() * 20_000);
            const staffId = call.staffId ?? windowStaff.get(call.window);
            add(at, { type: 'RatingRecorded', rating: { id, ticketId: e.ticketId, number: issued.number, serviceId: issued.serviceId, window: call.window, ...(staffId ? { staffId } : {}), grade, at } });
            if (grade === 'dissatisfied' || grade === 'very-dissatisfied') {
              if (rng.next() < 0.85) {
                const replyAt = at + Math.floor(rng.next() * 48 * 3_600_000);
                // The pre-issue-11 event shape: no kind (a reply).
                add(replyAt, { type: 'RatingFollowedUp', ratingId: id, note: '已联系' });
                const k = rng.next();
                if (k < 0.4) add(replyAt + 3_600_000, { type: 'RatingFollowedUp', ratingId: id, note: '已整改', kind: 'rectification' } as EventBody);
                else if (k < 0.6) add(replyAt + 3_600_000, { type: 'RatingFollowedUp', ratingId: id, note: '不属实', kind: 'untrue', reason: '监控核实' } as EventBody);
              }
            }
          }
        }
        break;
      }
      default:
    }
  }
  // A few refusals the simulator would not make.
  for (const e of sim) if (e.type === 'TicketIssued' && localHour(e.at) === 16 && rng.next() < 0.05) add(e.at + 11, { type: 'CommandRejected' });
  const rejectedAt = new Set(extra.filter((x) => x.body.type === 'CommandRejected').map((x) => x.order));
  const merged = [...sim.map((e, i) => ({ at: e.at, order: i, src: 0, e: e as EventBody & { outcome?: unknown } })), ...extra.map((x) => ({ at: x.at, order: x.order, src: 1, e: x.body as EventBody & { outcome?: unknown } }))];
  merged.sort((a, b) => a.at - b.at || a.src - b.src || a.order - b.order);
  return merged.map((m, i) => {
    const { seq: _s, at: _a, commandId: _c, outcome, ...body } = m.e as unknown as HallEvent;
    const refusal = m.src === 1 && rejectedAt.has(m.order) ? { outcome: { ok: false, code: 'quota-reached', message: { zh: '该业务今日号源已满', en: 'full' } } } : {};
    return { ...body, seq: i + 1, at: m.at, commandId: `c${i + 1}`, ...(outcome !== undefined ? { outcome } : {}), ...refusal } as HallEvent;
  });
}

/** Writes events into a fresh event log file. */
export function writeLog(path: string, events: readonly HallEvent[]): void {
  const log = EventLog.open<HallEvent>(path);
  try {
    for (let i = 0; i < events.length; i += 2000) log.append(events.slice(i, i + 2000));
  } finally {
    log.close();
  }
}
