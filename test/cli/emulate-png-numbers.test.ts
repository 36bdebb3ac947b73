import { describe, expect, it } from 'vitest';
import { lastPreviewNumber } from '../../src/cli/emulate.js';

/** The tryout: a restarted `hallq emulate printer --png DIR` began at ticket-0001.png again and overwrote the last run's previews. */
describe('emulate printer --png numbers on after the previews already in DIR', () => {
  it('takes the highest ticket-NNNN.png, ignores other files, and starts at 0 in an empty folder', () => {
    expect(lastPreviewNumber([])).toBe(0);
    expect(lastPreviewNumber(['ticket-0001.png', 'ticket-0012.png', 'ticket-0003.png', 'notes.txt', 'ticket-0099.png.tmp', 'ticket-12345.png'])).toBe(12345);
    expect(lastPreviewNumber(['ticket-0001.png', 'ticket-0002.png'])).toBe(2);
    expect(lastPreviewNumber(['ticket-abc.png', 'ticket-001.png'])).toBe(0);
  });
});
