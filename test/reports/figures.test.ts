import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HallEvent } from '../../src/core/index.js';
import { ReportProjection } from '../../src/reports/projection.js';
import { buildReport, type Report, type ReportRow } from '../../src/reports/query.js';
import { simulatedEvents, writeLog } from './month.js';

/**
 * Report figures against an oracle: a simulated month of the demo hall (src/sim driving the real core, plus
 * ratings, follow-ups, pauses, attendance and takeovers woven in), folded here a second time in plain
 * memory, written independently of the projection's SQL. Every figure of every service, window, staff
 * member and day row must agree.
 */

const OFF = 480 * 60_000;
const dayOf = (at: number) => new Date(at + OFF).toISOString().slice(0, 10);
const hourOf = (at: number) => new Date(at + OFF).getUTCHours();

interface O {
  issued: number; served: number; noShow: number; cancelled: number; voided: number; expired: number; refused: number;
  waits: number[]; services: number[]; openMs: number; pausedMs: number; busyMs: number; signedMs: number; takeovers: number;
  grades: number[]; bad: number; followed: number; replied: number; rectified: number; untrue: number; followMs: number[];
}
const blank = (): O => ({ issued: 0, served: 0, noShow: 0, cancelled: 0, voided: 0, expired: 0, refused: 0, waits: [], services: [], openMs: 0, pausedMs: 0, busyMs: 0, signedMs: 0, takeovers: 0, grades: [0, 0, 0, 0, 0], bad: 0, followed: 0, replied: 0, rectified: 0, untrue: 0, followMs: [] });

/** The oracle: what a clerk with the event list and a pencil would count. */
function oracle(events: readonly HallEvent[]) {
  const rows = new Map<string, O>();
  const at = (k: string) => rows.get(k) ?? (rows.set(k, blank()), rows.get(k) as O);
  const tickets = new Map<string, { day: string; hour: number; service: string; issuedAt: number; firstCall?: number; window?: number; staff?: string; end: string; serviceMs: number }>();
  const windowStaff = new Map<number, string>();
  const opened = new Map<number, { at: number; staff: string }>();
  const paused = new Map<number, { at: number; staff?: string }>();
  const busy = new Map<string, { at: number; window: number; staff?: string }>();
  const signed = new Map<string, number>();
  const ratings = new Map<string, { keys: string[]; at: number; bad: boolean; followed?: number; replied: boolean; rectified: boolean; untrue: boolean }>();
  const spanTo = (keys: string[], ms: number, f: 'openMs' | 'pausedMs' | 'busyMs' | 'signedMs') => {
    for (const k of keys) at(k)[f] += ms;
  };
  const endBusy = (id: string, t: number) => {
    const b = busy.get(id);
    if (!b) return;
    busy.delete(id);
    spanTo(['hall', `day:${dayOf(b.at)}`, `window:${b.window}`, ...(b.staff ? [`staff:${b.staff}`] : [])], t - b.at, 'busyMs');
  };
  for (const e of events) {
    switch (e.type) {
      case 'TicketIssued':
        tickets.set(e.ticket.id, { day: e.ticket.day, hour: hourOf(e.ticket.issuedAt), service: e.ticket.serviceId, issuedAt: e.ticket.issuedAt, end: 'open', serviceMs: 0 });
        break;
      case 'TicketCalled': {
        const t = tickets.get(e.ticketId);
        if (!t) break;
        t.firstCall ??= e.at;
        t.window = e.window;
        t.staff = e.staffId ?? windowStaff.get(e.window);
        endBusy(e.ticketId, e.at);
        busy.set(e.ticketId, { at: e.at, window: e.window, ...(t.staff ? { staff: t.staff } : {}) });
        break;
      }
      case 'ServiceCompleted': {
        const t = tickets.get(e.ticketId);
        if (t) {
          t.end = 'served';
          t.serviceMs += e.durationMs;
        }
        endBusy(e.ticketId, e.at);
        break;
      }
      case 'TicketNoShow':
        if (!e.requeued) {
          const t = tickets.get(e.ticketId);
          if (t) t.end = 'no-show';
        }
        endBusy(e.ticketId, e.at);
        break;
      case 'TicketCancelled':
      case 'TicketVoided': {
        const t = tickets.get(e.ticketId);
        if (t) t.end = e.type === 'TicketCancelled' ? 'cancelled' : 'voided';
        endBusy(e.ticketId, e.at);
        break;
      }
      case 'DayStarted':
        for (const id of e.expired) {
          const t = tickets.get(id);
          if (t && t.end === 'open') t.end = 'expired';
        }
        break;
      case 'WindowOpened':
        windowStaff.set(e.window, e.staffId);
        opened.set(e.window, { at: e.at, staff: e.staffId });
        break;
      case 'WindowTakenOver': {
        const o = opened.get(e.window);
        if (o) {
          spanTo(['hall', `day:${dayOf(o.at)}`, `window:${e.window}`, `staff:${o.staff}`], e.at - o.at, 'openMs');
          opened.set(e.window, { at: e.at, staff: e.staffId });
        }
        windowStaff.set(e.window, e.staffId);
        for (const k of ['hall', `day:${dayOf(e.at)}`, `window:${e.window}`, `staff:${e.staffId}`]) at(k).takeovers++;
        break;
      }
      case 'WindowPaused':
        paused.set(e.window, { at: e.at, ...(windowStaff.has(e.window) ? { staff: windowStaff.get(e.window) as string } : {}) });
        break;
      case 'WindowResumed':
      case 'WindowClosed': {
        const p = paused.get(e.window);
        if (p) {
          spanTo(['hall', `day:${dayOf(p.at)}`, `window:${e.window}`, ...(p.staff ? [`staff:${p.staff}`] : [])], e.at - p.at, 'pausedMs');
          paused.delete(e.window);
        }
        if (e.type === 'WindowClosed') {
          const o = opened.get(e.window);
          if (o) spanTo(['hall', `day:${dayOf(o.at)}`, `window:${e.window}`, `staff:${o.staff}`], e.at - o.at, 'openMs');
          opened.delete(e.window);
        }
        break;
      }
      case 'StaffSignedIn':
        signed.set(e.staffId, e.at);
        break;
      case 'StaffSignedOut': {
        const s = signed.get(e.staffId);
        if (s !== undefined) spanTo(['hall', `day:${dayOf(s)}`, `staff:${e.staffId}`], e.at - s, 'signedMs');
        signed.delete(e.staffId);
        break;
      }
      case 'RatingRecorded': {
        const r = e.rating;
        const g = ['very-satisfied', 'satisfied', 'basic', 'dissatisfied', 'very-dissatisfied'].indexOf(r.grade);
        const keys = ['hall', `day:${dayOf(r.at)}`, `hour:${hourOf(r.at)}`, `service:${r.serviceId}`, `window:${r.window}`, ...(r.staffId ? [`staff:${r.staffId}`] : [])];
        for (const k of keys) (at(k).grades[g] as number)++;
        ratings.set(r.id, { keys, at: r.at, bad: g >= 3, replied: false, rectified: false, untrue: false });
        break;
      }
      case 'RatingFollowedUp': {
        const r = ratings.get(e.ratingId);
        if (!r) break;
        r.followed ??= e.at;
        const kind = (e as { kind?: string }).kind ?? 'reply';
        if (kind === 'reply') r.replied = true;
        if (kind === 'rectification') r.rectified = true;
        if (kind === 'untrue') r.untrue = true;
        break;
      }
      case 'CommandRejected':
        if (e.outcome && !e.outcome.ok && ['quota-reached', 'outside-hours', 'issuing-stopped', 'hall-closed', 'no-window', 'id-required', 'id-invalid', 'per-id-open', 'per-id-daily'].includes(e.outcome.code)) {
          for (const k of ['hall', `day:${dayOf(e.at)}`, `hour:${hourOf(e.at)}`]) at(k).refused++;
        }
        break;
      case 'AppointmentBooked':
      case 'AppointmentCancelled':
      case 'AppointmentCheckedIn':
      case 'CommandNoop':
      case 'HallConfigured':
      case 'NotificationDue':
      case 'RatingRequested':
      case 'ServiceStarted':
      case 'TicketPrinted':
      case 'TicketRecalled':
      case 'AppointmentChanged':
      case 'EmergencyRaised':
      case 'EmergencyCleared':
      case 'IslandConflict':
      case 'NumbersLeased':
      case 'NumbersReturned':
      case 'TicketTransferred':
        break;
    }
  }
  for (const t of tickets.values()) {
    const keys = ['hall', `day:${t.day}`, `hour:${t.hour}`, `service:${t.service}`, ...(t.window !== undefined ? [`window:${t.window}`] : []), ...(t.staff ? [`staff:${t.staff}`] : [])];
    for (const k of keys) {
      const o = at(k);
      o.issued++;
      if (t.end === 'served') {
        o.served++;
        o.services.push(t.serviceMs);
      } else if (t.end === 'no-show') o.noShow++;
      else if (t.end === 'cancelled') o.cancelled++;
      else if (t.end === 'voided') o.voided++;
      else if (t.end === 'expired') o.expired++;
      if (t.firstCall !== undefined) o.waits.push(t.firstCall - t.issuedAt);
    }
  }
  for (const r of ratings.values()) {
    if (!r.bad) continue;
    for (const k of r.keys) {
      const o = at(k);
      o.bad++;
      if (r.followed !== undefined) {
        o.followed++;
        o.followMs.push(r.followed - r.at);
      }
      if (r.replied) o.replied++;
      if (r.rectified) o.rectified++;
      if (r.untrue) o.untrue++;
    }
  }
  return rows;
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(q * s.length) - 1)] as number;
};
const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function check(row: ReportRow, o: O, what: string, windowTime: boolean, spans: boolean): void {
  const m = (ms: number) => ms / 60_000;
  const ctx = `${what}`;
  expect({ ctx, issued: row.issued, served: row.served, noShow: row.noShow, cancelled: row.cancelled, voided: row.voided, expired: row.expired }).toEqual({ ctx, issued: o.issued, served: o.served, noShow: o.noShow, cancelled: o.cancelled, voided: o.voided, expired: o.expired });
  if (o.waits.length) {
    expect(row.waitMeanMin, ctx).toBeCloseTo(m(avg(o.waits)), 9);
    expect(row.waitP50Min, ctx).toBe(m(pct(o.waits, 0.5)));
    expect(row.waitP90Min, ctx).toBe(m(pct(o.waits, 0.9)));
    expect(row.waitMaxMin, ctx).toBe(m(Math.max(...o.waits)));
  } else expect(row.waitMeanMin, ctx).toBeNull();
  if (o.services.length) {
    expect(row.serviceMeanMin, ctx).toBeCloseTo(m(avg(o.services)), 9);
    expect(row.serviceP90Min, ctx).toBe(m(pct(o.services, 0.9)));
  }
  expect({ ctx, grades: row.grades, bad: row.bad, followed: row.badFollowedUp }).toEqual({ ctx, grades: o.grades, bad: o.bad, followed: o.followed });
  const rated = o.grades.reduce((a, b) => a + b, 0);
  if (rated) expect(row.satisfaction, ctx).toBeCloseTo(((o.grades[0] ?? 0) + (o.grades[1] ?? 0) + (o.grades[2] ?? 0)) / rated, 12);
  if (o.bad) {
    expect(row.followUpRate, ctx).toBeCloseTo(o.followed / o.bad, 12);
    expect(row.replyRate, ctx).toBeCloseTo(o.replied / o.bad, 12);
    expect(row.rectificationRate, ctx).toBeCloseTo(o.rectified / o.bad, 12);
    expect(row.untrueRate, ctx).toBeCloseTo(o.untrue / o.bad, 12);
    if (o.followMs.length) expect(row.followUpMeanHours, ctx).toBeCloseTo(avg(o.followMs) / 3_600_000, 9);
  }
  if (spans) {
    expect(row.openMin, ctx).toBeCloseTo(m(o.openMs), 6);
    expect(row.pausedMin, ctx).toBeCloseTo(m(o.pausedMs), 6);
    expect(row.busyMin, ctx).toBeCloseTo(m(o.busyMs), 6);
    expect(row.signedInMin, ctx).toBeCloseTo(m(o.signedMs), 6);
    expect(row.takeovers, ctx).toBe(o.takeovers);
    if (windowTime && o.openMs - o.pausedMs > 0) expect(row.utilisation, ctx).toBeCloseTo(o.busyMs / (o.openMs - o.pausedMs), 9);
  }
  expect(row.refused, ctx).toBe(what.startsWith('service') || what.startsWith('window') || what.startsWith('staff') ? null : o.refused);
}

describe('reports against the oracle over a simulated month', () => {
  let dir = '';
  let events: HallEvent[] = [];
  let report: Report;
  let proj: ReportProjection;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hallq-reports-'));
    events = simulatedEvents({ days: 20, seed: 11 });
    writeLog(join(dir, 'hall.db'), events);
    proj = ReportProjection.open(join(dir, 'hall.db'));
    proj.catchUp();
    const days = events.filter((e) => e.type === 'DayStarted').map((e) => (e as { day: string }).day);
    report = buildReport(proj.db, proj.labels, proj.lastSeq(), days[0] as string, days.at(-1) as string, (events.at(-1)?.at ?? 0) + 1);
  }, 600_000);
  afterAll(() => {
    proj?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('folds the whole log and checks every row against the oracle', () => {
    const o = oracle(events);
    expect(proj.lastSeq()).toBe(events.length);
    expect(report.total.issued).toBeGreaterThan(10_000);
    expect(report.total.bad).toBeGreaterThan(50);
    expect(report.total.takeovers).toBeGreaterThan(5);
    check(report.total, o.get('hall') as O, 'hall', true, true);
    for (const by of ['service', 'window', 'staff', 'day', 'hour'] as const) {
      const keys = [...o.keys()].filter((k) => k.startsWith(`${by}:`));
      expect(report.groups[by].map((r) => `${by}:${r.key}`).sort(), by).toEqual(by === 'hour' ? expect.arrayContaining(keys) : keys.sort());
      for (const row of report.groups[by]) check(row, o.get(`${by}:${row.key}`) ?? blank(), `${by}:${row.key}`, by !== 'service', by !== 'hour' && by !== 'service');
    }
    expect(report.groups.staff.find((r) => r.key === 's01')?.label).toBe('王芳');
    // Every refusal code has the words staff read beside it, never the code alone.
    expect(Object.keys(report.refusedByReason).length).toBeGreaterThan(0);
    for (const code of Object.keys(report.refusedByReason)) expect(report.refusedReasonNames[code], code).toMatch(/[\u4e00-\u9fff].* [A-Z]/);
  });

  it('gives the same figures after a rebuild, and for a single day the same as that day row', () => {
    const before = JSON.stringify(report.groups.window);
    proj.rebuild();
    const again = buildReport(proj.db, proj.labels, proj.lastSeq(), report.from, report.to, report.generatedAt);
    expect(JSON.stringify(again.groups.window)).toBe(before);
    const day = report.groups.day[3] as ReportRow;
    const one = buildReport(proj.db, proj.labels, proj.lastSeq(), day.key, day.key, report.generatedAt);
    expect({ ...one.total, key: day.key, label: day.key }).toEqual(day);
  });
});
