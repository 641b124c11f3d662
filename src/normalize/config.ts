import { z } from 'zod';

/** Configuration of the normalize stage (raw Kubernetes Event → {@link KEvent}). */
export const normalizeConfigSchema = z.object({
  /** Largest note kept, in UTF-8 bytes (marker included). Longer notes are cut on a character boundary. Default 4096. */
  maxNoteBytes: z
    .number()
    .int()
    .min(64)
    .default(4096)
    .describe('Largest Event note kept, in UTF-8 bytes including the truncation marker; longer notes are cut on a character boundary. Default 4096.'),
});

/** Normalize stage configuration (see {@link normalizeConfigSchema}). */
export type NormalizeConfig = z.infer<typeof normalizeConfigSchema>;
