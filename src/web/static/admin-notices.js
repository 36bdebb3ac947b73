// Admin: emergency notices (DB22/T 2871.4 §11.6). A separate module the admin page includes; it adds
// its own section. (Bad ratings' follow-up is the admin page's 差评回访, one place for it.)
import { live, el } from '/web/live.js';

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
  main.append(
    el('section', { class: 'panel', id: 'emergency-panel' }, el('h2', {}, '紧急通知 · Emergency notice'), current, el('p', {}, preset, ' ', kind), el('p', {}, text), el('p', {}, raise, ' ', clear, ' ', status)),
  );
  live('/api/stream/staff', (s) => {
    const e = s.emergency;
    current.textContent = e ? `${e.kind === 'evacuation' ? '紧急疏散' : '紧急通知'}：${e.text}` : '无 none';
    current.className = e ? 'banner bad' : 'muted';
  }, () => undefined);
}
