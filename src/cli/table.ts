import Table from 'cli-table3';

/**
 * Tables for technicians' terminals through cli-table3 (it measures CJK characters as two columns, so
 * headers and cells line up): a header row, borderless, numbers right-aligned.
 */
export function table(head: string[], rows: (string | number)[][]): string {
  const t = new Table({
    head,
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 2 },
    chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '-', 'mid-mid': '', right: '', 'right-mid': '', middle: '' },
    colAligns: head.map((_, i) => (i > 0 && rows.length > 0 && rows.every((r) => typeof r[i] === 'number') ? 'right' : 'left')),
  });
  for (const r of rows) t.push(r.map(String));
  return t.toString().split('\n').map((l) => l.trimEnd()).join('\n');
}

/** Columns `text` takes in a terminal: a CJK or full-width character two, any other one. */
export function displayWidth(text: string): number {
  let n = 0;
  for (const ch of text) n += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 2 : 1;
  return n;
}
