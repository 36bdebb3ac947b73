// Admin: emergency notices (DB22/T 2871.4 §11.6) and the follow-up records of bad ratings
// (Songjiang §6.6.1.3). A separate module the admin page includes; it adds its own sections.
import { live, el } from '/web/live.js';

const grades = { 'very-satisfied': '非常满意', satisfied: '满意', basic: '基本满意', dissatisfied: '不满意', 'very-dissatisfied': '非常不满意' };

async function call(method, path, body) {
  const res = await fetch(path, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  const r = await res.json().catch(() => ({}));
  return res.ok ? '✓' : (r.error?.messageZh ?? r.error?.message ?? String(res.status));
}

export async function mountAdminNotices(main) {
  const status = el('span', { id: 'notices-status', class: 'muted', 'aria-live': 'polite' });
  const presets = await (await fetch('/api/emergency/presets')).json();
  const preset = el('select', { id: 'emergency-preset', 'aria-label': '预设通知 preset' }, el('option', { value: '' }, '自定义 Own text'), ...presets.map((p) => el('option', { value: p.id }, p.zh)));
  const text = el('input', { id: 'emergency-text', 'aria-label': '通知内容 text', maxlength: 200, placeholder: '通知内容 (自定义) text' });
  const kind = el('select', { id: 'emergency-kind', 'aria-label': '类型 kind' }, el('option', { value: '' }, '按预设 as preset'), el('option', { value: 'emergency' }, '紧急通知 emergency'), el('option', { value: 'evacuation' }, '紧急疏散 evacuation'));
  const current = el('p', { id: 'emergency-current' }, '—');
  const raise = el('button', { id: 'emergency-raise', class: 'danger', onclick: async () => {
    const body = { ...(preset.value ? { preset: preset.value } : {}), ...(text.value.trim() ? { text: text.value.trim() } : {}), ...(kind.value ? { kind: kind.value } : {}) };
    status.textContent = await call('POST', '/api/emergency', body);
  } }, '发布 Raise');
  const clear = el('button', { id: 'emergency-clear', onclick: async () => (status.textContent = await call('POST', '/api/emergency/clear', {})) }, '解除 Clear');
  const records = el('tbody', { id: 'follow-ups' });
  main.append(
    el('section', { class: 'panel', id: 'emergency-panel' }, el('h2', {}, '紧急通知 · Emergency notice'), current, el('p', {}, preset, ' ', kind), el('p', {}, text), el('p', {}, raise, ' ', clear, ' ', status)),
    el('section', { class: 'panel', id: 'follow-up-panel' }, el('h2', {}, '差评处理 · Follow-up records'),
      el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, '号码'), el('th', {}, '窗口'), el('th', {}, '评价'), el('th', {}, '回复 Reply'), el('th', {}, '整改 / 不属实'))), records)),
  );
  const form = (r) => {
    const f = r.followUp;
    const note = el('input', { 'aria-label': `处理内容 ${r.number}`, placeholder: '处理内容 note' });
    if (f.status === 'open') {
      return [el('td', {}, note, el('button', { onclick: async () => (status.textContent = await call('POST', `/api/ratings/${r.id}/follow-up`, { kind: 'reply', note: note.value })) }, '回复 Reply')), el('td', {}, '—')];
    }
    const reply = el('td', {}, f.reply?.note ?? f.note ?? '');
    if (f.rectification) return [reply, el('td', {}, `整改：${f.rectification.note}`)];
    if (f.untrue) return [reply, el('td', {}, `不属实：${f.untrue.reason}（${f.untrue.note}）`)];
    const reason = el('input', { 'aria-label': `不属实理由 ${r.number}`, placeholder: '不属实理由 reason' });
    return [reply, el('td', {}, note, el('button', { onclick: async () => (status.textContent = await call('POST', `/api/ratings/${r.id}/follow-up`, { kind: 'rectification', note: note.value })) }, '整改 Rectified'),
      reason, el('button', { onclick: async () => (status.textContent = await call('POST', `/api/ratings/${r.id}/follow-up`, { kind: 'untrue', note: note.value || '核实不属实', reason: reason.value })) }, '不属实 Not true'))];
  };
  live('/api/stream/staff', (s) => {
    const e = s.emergency;
    current.textContent = e ? `${e.kind === 'evacuation' ? '紧急疏散' : '紧急通知'}：${e.text}` : '无 none';
    current.className = e ? 'banner bad' : 'muted';
    // Typing in an open form is not lost to a redraw: the table is redrawn only when the records change.
    const bad = s.ratings.filter((r) => r.followUp);
    const key = JSON.stringify(bad.map((r) => [r.id, r.followUp]));
    if (records.dataset.key === key) return;
    records.dataset.key = key;
    records.replaceChildren(...bad.map((r) => el('tr', { 'data-follow-up': r.id }, el('td', {}, r.number), el('td', {}, r.window), el('td', {}, grades[r.grade] ?? r.grade), ...form(r))));
  }, () => undefined);
}
