import { describe, expect, it } from 'vitest';
import type { WindowView } from '../../src/core/index.js';
import { WindowViewPacer } from '../../src/server/window-view-pacer.js';

const view = (window: number, waiting: number, over: Partial<WindowView> = {}): WindowView => ({ window, status: 'open', staffId: 's1', waiting, ...over });

/** A pacer whose sends are recorded; `present` is what the hall's state says now (read at a paced send). */
function rig(intervalMs = 40) {
  const present = new Map<number, WindowView>();
  const sent: WindowView[] = [];
  let onSend: (() => void) | undefined;
  const pacer = new WindowViewPacer((w, v) => {
    sent.push(v ?? present.get(w) ?? view(w, -1));
    onSend?.();
  }, intervalMs);
  const nextSend = () => new Promise<void>((resolve) => (onSend = resolve));
  const change = (v: WindowView) => {
    present.set(v.window, v);
    pacer.changed(v);
  };
  return { pacer, sent, change, nextSend };
}

describe('window views paced (issue 12: fewer messages per command)', () => {
  it('sends a change of the window itself at once, every time', () => {
    const r = rig();
    r.change(view(1, 3));
    r.change(view(1, 3, { current: { ticketId: 't1', number: 'A001', serviceId: 'A', status: 'called' } }));
    r.change(view(1, 3, { status: 'paused', pauseReason: 'break' }));
    expect(r.sent.map((v) => v.status)).toEqual(['open', 'open', 'paused']);
    expect(r.sent[1]?.current?.number).toBe('A001');
    r.pacer.flush();
  });

  it('merges waiting-only changes within the interval into one send of the present count', async () => {
    const r = rig();
    r.change(view(1, 3)); // first sight: sent
    r.change(view(1, 4)); // the throttle's leading edge: sent now
    expect(r.sent.map((v) => v.waiting)).toEqual([3, 4]);
    r.change(view(1, 5));
    r.change(view(1, 6));
    r.change(view(2, 9)); // another window's first view: at once
    expect(r.sent.map((v) => v.waiting)).toEqual([3, 4, 9]);
    r.change(view(2, 8));
    const paced = r.nextSend();
    await paced;
    await new Promise<void>((resolve) => setImmediate(resolve));
    // One send per due window, each the count the state holds at the send, never 5.
    expect(r.sent.slice(3).map((v) => [v.window, v.waiting]).sort()).toEqual([[1, 6], [2, 8]]);
  });

  it('drops a due waiting count when the window itself changes (its view carries the count)', async () => {
    const r = rig(30);
    r.change(view(1, 3));
    r.change(view(1, 4));
    r.change(view(1, 5)); // due
    r.change(view(1, 4, { status: 'closed' })); // sent at once, count included
    expect(r.sent.map((v) => [v.status, v.waiting])).toEqual([['open', 3], ['open', 4], ['closed', 4]]);
    // Nothing else is due: a later paced change is the next send.
    r.change(view(1, 2, { status: 'closed' }));
    const next = r.nextSend();
    await next;
    expect(r.sent.map((v) => v.waiting)).toEqual([3, 4, 4, 2]);
  });

  it('sends what is due at flush (the server stopping), not later', () => {
    const r = rig(60_000);
    r.change(view(1, 3));
    r.change(view(1, 4));
    r.change(view(1, 5));
    expect(r.sent).toHaveLength(2);
    r.pacer.flush();
    expect(r.sent.map((v) => v.waiting)).toEqual([3, 4, 5]);
  });

  it('after every view was sent whole (a reconnect), an unchanged window with a new count is paced', () => {
    const r = rig(60_000);
    r.change(view(1, 3));
    r.change(view(1, 4)); // leading edge
    r.change(view(1, 5)); // due
    r.pacer.sentAll([view(1, 5)]);
    r.pacer.flush(); // nothing due after the whole send
    expect(r.sent.map((v) => v.waiting)).toEqual([3, 4]);
    r.pacer.flush();
  });
});
