import { z } from 'zod';
import { zhText } from '../../drivers/common/invalid-text.js';

/**
 * A staff id (工号), as the config's `staff:` lists it and the sign-in takes it: 1 to 40 ASCII letters,
 * digits, `_` or `-`. Its own file so the server's request schemas share it without loading the
 * whole config schema. The words say the format (a tryout typed a name in Chinese and was told only
 * "expected text in the right format"); a refusal never quotes what was typed.
 */
export const STAFF_ID_FORMAT = { en: 'a staff id of 1 to 40 letters A–Z, digits, _ or -, e.g. s01 (no Chinese characters or spaces)', zh: '1 至 40 位英文字母、数字、_ 或 - 组成的工号，如 s01（不含汉字和空格）' } as const;

export const staffIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, zhText(STAFF_ID_FORMAT.en, STAFF_ID_FORMAT.zh));
