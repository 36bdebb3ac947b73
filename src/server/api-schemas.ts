import { zhText } from '../../drivers/common/invalid-text.js';
import { z } from 'zod';
import { wireCommandSchema } from '../bus/command-schema.js';
import { staffIdSchema } from '../config/staff-id.js';

/**
 * The zod schemas of the hall server's HTTP API: they validate every request and generate
 * docs/openapi.json (`npm run openapi`), so the description cannot drift from the code.
 */
export const ticketIdParam = z.strictObject({ ticketId: z.string().regex(/^\d{8}-[A-Z]{1,2}\d{3,4}$/, zhText('a ticket id like 20261123-A001', '号码编号，如 20261123-A001')) });
export const statusTokenParam = z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, zhText('a status page token (43 base64url characters)', '排队状态页令牌（43 个 base64url 字符）')) });
export const signInBody = z
  .strictObject({
    staffId: staffIdSchema,
    /** The PIN or password. */
    secret: z.string().min(1).max(128),
    /** The window to sign in to: required for staff, optional for managers. */
    window: z.number().int().min(1).max(999).optional(),
  })
  .meta({ id: 'SignIn' });
export const emptyBody = z.strictObject({}).meta({ id: 'Empty' });
/** A command as the pages and the CLI send it; `source` is ignored (the server sets it from the session) and Rate is refused. */
export const commandBody = wireCommandSchema.meta({ id: 'Command' });
export const nextQuery = z.strictObject({ next: z.string().max(200).optional(), window: z.string().max(10).optional() });
