// Emergency notices (DB22/T 2871.4 §11.6) over any page: the hall display and the kiosk include
// this module; it follows a snapshot stream and covers the page with the notice while one is in
// force (the kiosk's buttons are under it, and the server refuses tickets anyway).
const css = `#hallq-emergency { position: fixed; inset: 0; z-index: 1000; display: flex; flex-direction: column; align-items: center;
  justify-content: center; gap: .5em; padding: 5vw; background: #b00000; color: #fff; text-align: center; font-size: 5vw; font-weight: 800; }
#hallq-emergency small { font-size: .45em; font-weight: 600; opacity: .9; }
#hallq-emergency.hidden { display: none; }`;

// `lang` (the kiosk's language switch): in English the title is English alone and a preset's notice
// reads in English (`textEn`); a manager's own text is shown as written. Without it: Chinese with English.
// `refresh()` words the notice shown again (after the language is switched).
export function watchEmergency(streamUrl, lang = () => 'zh') {
  const style = document.createElement('style');
  style.textContent = css;
  document.head.append(style);
  const box = document.createElement('div');
  box.id = 'hallq-emergency';
  box.className = 'hidden';
  box.setAttribute('role', 'alert');
  document.body.append(box);
  let shown = null;
  const show = (e) => {
    shown = e;
    box.classList.toggle('hidden', !e);
    if (!e) return box.replaceChildren();
    const en = lang() === 'en';
    const title = document.createElement('small');
    title.textContent = e.kind === 'evacuation' ? (en ? 'EVACUATION' : '紧急疏散 · EVACUATION') : en ? 'EMERGENCY' : '紧急通知 · EMERGENCY';
    const text = document.createElement('div');
    text.dataset.emergencyText = '';
    text.textContent = en && e.textEn ? e.textEn : e.text;
    box.replaceChildren(title, text);
  };
  const connect = () => {
    const source = new EventSource(streamUrl);
    source.addEventListener('snapshot', (m) => show(JSON.parse(m.data).emergency ?? null));
    // The last state stays on the page while the link is down (a notice must not vanish with it).
    source.onerror = () => {
      source.close();
      setTimeout(connect, 2000);
    };
  };
  connect();
  return { refresh: () => show(shown) };
}
