// The kiosk's on-screen keypad (a touch-only kiosk has no keyboard): one component for the phone step
// (digits) and the appointment check-in (digits and the letters of an appointment code), drawn with
// Preact so a live update never replaces the key under a finger.
import { html } from '/web/ui.js';

/** The keys that edit rather than type: their label, their name for screen readers and tests. */
const EDIT = { '⌫': 'delete', '✕': 'clear' };

/** Digits as on a phone: 1–9, then delete, 0, clear (3 columns). */
export const PHONE_KEYS = { cols: 3, keys: [...'123456789', '⌫', '0', '✕'] };

/**
 * Digits and letters for an appointment code (4–32 letters and digits, the platform's format; compared
 * without case), in the rows of the keyboard citizens type pinyin on: 10 columns, delete and clear last.
 */
export const CODE_KEYS = { cols: 10, keys: [...'1234567890', ...'QWERTYUIOP', ...'ASDFGHJKL', '⌫', ...'ZXCVBNM', '✕'], wide: { '✕': 3 } };

/**
 * `layout` one of the above; `value` the text so far, `max` its longest; `onChange(next)` with the text
 * after the key. Each key a button with aria-label its character (or delete / clear).
 */
export function Keypad({ layout, value, max, onChange }) {
  const press = (k) => onChange(k === '⌫' ? value.slice(0, -1) : k === '✕' ? '' : value.length < max ? value + k : value);
  return html`<div class="keypad" style=${`--cols: ${layout.cols}`}>${layout.keys.map(
    (k) => html`<button key=${k} type="button" class=${EDIT[k] ? 'edit' : ''} style=${layout.wide?.[k] ? `grid-column: span ${layout.wide[k]}` : ''} aria-label=${EDIT[k] ?? k} onClick=${() => press(k)}>${k}</button>`,
  )}</div>`;
}
