// What a citizen-facing page (kiosk, off-site rating) says when the hall refuses: never the request
// layer's words, which are for developers (`body.code: found empty text, expected …`, a key path and a
// schema's expectation), but the page's own sentence in Chinese and English.

/**
 * Codes of the request layer (src/http/request-errors.ts, the schema check, the error handler): the
 * page sent something it should not have, which a citizen cannot mend by reading about it.
 */
const REQUEST_LAYER = new Set(['payload-invalid', 'bad-request', 'unsupported-media-type', 'payload-too-large', 'request-timeout', 'headers-too-large', 'bad-url', 'uri-too-long', 'not-found', 'internal']);

/** The kiosk's own words for the refusals of its check-in and issue routes (src/agent/kiosk-http.ts). */
const OWN = {
  'no-card': { zh: '请将身份证放在读卡器上', en: 'Place your ID card on the reader' },
  'check-in-how': { zh: '请输入预约码或手机号，或将身份证放在读卡器上', en: 'Enter your appointment code or phone number, or place your ID card on the reader' },
  'unknown-appointment': { zh: '没有今日的预约，请核对预约码或手机号', en: 'No appointment found for today: check the code or phone number' },
  // The same answer to a check-in by the ID card: the citizen typed nothing to check.
  'unknown-appointment-card': { zh: '没有这张身份证今日的预约，请咨询导办人员', en: 'No appointment found today for this ID card: please ask the staff at the desk' },
  'phone-invalid': { zh: '请输入11位手机号码', en: 'Enter an 11-digit mobile number' },
  'phone-required': { zh: '短信取号需要手机号码', en: 'An SMS ticket needs a mobile number' },
  'id-invalid': { zh: '身份证号码无效，请重新刷卡', en: 'The ID number could not be read: place the card again' },
  'rating-expired': { zh: '评价链接已失效', en: 'This rating link is no longer valid' },
};

/** When nothing better can be said: ask the staff. */
export const ASK_STAFF = { zh: '暂时无法办理，请咨询导办人员', en: 'This cannot be done here now: please ask the staff at the desk' };

/**
 * `{ zh, en }` for an error body `{ error: { code, message, messageZh } }` (or none: the hall did not
 * answer). The hall's own refusals (the core's rejection codes: quota reached, printer out …) are worded
 * for citizens and are shown as they come; `fallback` replaces the request layer's words.
 */
export function citizenWords(body, fallback = ASK_STAFF) {
  const e = body?.error;
  if (!e || typeof e.code !== 'string') return fallback;
  if (Object.hasOwn(OWN, e.code)) return OWN[e.code];
  if (REQUEST_LAYER.has(e.code) || !e.messageZh || !e.message) return fallback;
  return { zh: e.messageZh, en: e.message };
}
