/**
 * The clip library's manifest (clips.json): which file holds which token. File names are free, so a hall can
 * record its own clips under any names and point the manifest at them.
 */
import { z } from 'zod';

export const MANIFEST_FILE = 'clips.json';

const pcmFormatSchema = z.object({
  sampleRate: z.number().int().positive(),
  channels: z.number().int().positive(),
  bitsPerSample: z.union([z.literal(8), z.literal(16), z.literal(24), z.literal(32)]),
});

// A clip file must stay inside the library directory: no absolute paths, no "..".
const clipFileSchema = z
  .string()
  .min(1)
  .refine((f) => !f.startsWith('/') && !f.split(/[\\/]/).includes('..'), { message: 'must be a relative path inside the library directory' });

export const clipManifestSchema = z.object({
  version: z.literal(1),
  /** When present, every clip must be in this format; otherwise every clip must match the first one. */
  format: pcmFormatSchema.optional(),
  clips: z.record(z.string().min(1), clipFileSchema),
});

export type ClipManifest = z.infer<typeof clipManifestSchema>;
