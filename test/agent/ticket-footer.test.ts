import { describe, expect, it } from 'vitest';
import { printedTicket } from '../../src/agent/ticket-document.js';
import { noShowText as noShowFooter } from '../../src/core/index.js';

describe('the ticket footer prints the no-show policy the hall runs (policy.noShow, src/core/decide-call.ts)', () => {
  it('says how a no-show is re-queued, or that it is not', () => {
    expect(noShowFooter({ requeueAfter: 3, maxRequeues: 1 })).toBe('过号顺延 3 位重新排队（限一次）');
    expect(noShowFooter({ requeueAfter: 5, maxRequeues: 2 })).toBe('过号顺延 5 位重新排队（限 2 次）');
    expect(noShowFooter({ requeueAfter: 0, maxRequeues: 1 })).toBe('过号可顺延至下一位重新排队（限一次）');
    expect(noShowFooter({ requeueAfter: null, maxRequeues: 1 })).toBe('过号请重新取号');
    expect(noShowFooter({ requeueAfter: 3, maxRequeues: 0 })).toBe('过号请重新取号');
    // Without a policy: the default one (re-queue behind 3, once).
    expect(noShowFooter()).toBe('过号顺延 3 位重新排队（限一次）');
  });

  it('is on the printed document', () => {
    const doc = printedTicket({ hallName: { zh: '大厅', en: 'Hall' }, number: 'A001', serviceName: { zh: '社保', en: 'Social' }, position: 1, windows: [1], issuedAt: 0, utcOffsetMinutes: 480, noShow: { requeueAfter: null, maxRequeues: 0 } });
    const lines = doc.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
    expect(lines).toContain('过号请重新取号');
    expect(lines).toContain('请妥善保管此票');
  });

  it('never prints "0 分钟": a ticket a free window calls now says so', () => {
    const facts = { hallName: { zh: '大厅', en: 'Hall' }, number: 'A001', serviceName: { zh: '社保', en: 'Social' }, position: 1, windows: [1], issuedAt: 0, utcOffsetMinutes: 480 };
    const text = (n: number) => printedTicket({ ...facts, estimatedWaitMinutes: n }).blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
    expect(text(0)).toContain('即将叫号');
    expect(text(0).join(' ')).not.toContain('0 分钟');
    expect(text(7)).toContain('预计等候约 7 分钟');
  });

  it('says no window is open yet (暂无开放窗口，开放后计算, as the status page and the SMS do) when no open window can serve the service, never 0 nor a bare dash', () => {
    const facts = { hallName: { zh: '大厅', en: 'Hall' }, number: 'A001', serviceName: { zh: '社保', en: 'Social' }, position: 1, windows: [], issuedAt: 0, utcOffsetMinutes: 480 };
    const lines = printedTicket(facts).blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
    expect(lines).toContain('暂无开放窗口，开放后计算');
    expect(lines.join(' ')).not.toMatch(/0 ?分钟|即将叫号|—/);
  });
});
