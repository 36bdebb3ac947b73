import { describe, expect, it } from 'vitest';
import { windowView, windowsTouched } from '../../src/core/index.js';
import { Hall } from './fixtures.js';

describe('which windows an event touches', () => {
  it('names only the windows whose view can have changed', () => {
    const h = new Hall();
    h.open(1);
    const touched = (from: number) => h.log.slice(from).flatMap((e) => windowsTouched(h.state, e));
    let mark = h.log.length;
    h.issue('C', { person: { idHash: 'p', idMasked: 'm', idValid: true } });
    expect(new Set(touched(mark))).toEqual(new Set([4])); // only window 4 serves C
    mark = h.log.length;
    h.issue('A');
    expect(new Set(touched(mark))).toEqual(new Set([1, 2, 3])); // A at 1 and 2, and at 3 as its second tier
    mark = h.log.length;
    h.callNext(1);
    expect(new Set(touched(mark))).toEqual(new Set([1, 2, 3]));
    expect(windowView(h.state, 2).waiting).toBe(0);
    expect(windowsTouched(h.state, h.events('DayStarted')[0]!)).toEqual([1, 2, 3, 4]);
    expect(windowsTouched(h.state, h.events('NotificationDue')[0]!)).toEqual([]);
  });
});
