import { describe, expect, it } from 'vitest';
import { deliveryConfigSchema } from '../../src/delivery/config.js';

describe('deliveryConfigSchema', () => {
  it('parse({}) gives the full default config', () => {
    expect(deliveryConfigSchema.parse({})).toEqual({
      seriesThrottleMillis: 30_000,
      dedupeMaxEntries: 100_000,
      dedupeTtlMillis: 7_200_000,
      checkpoint: { type: 'file', path: '.eventide/checkpoint.json', namespace: '', name: 'eventide-checkpoint', intervalMillis: 5000 },
    });
  });

  it.each([
    [{ seriesThrottleMillis: 0 }, true],
    [{ seriesThrottleMillis: -1 }, false],
    [{ seriesThrottleMillis: 1.5 }, false],
    [{ dedupeMaxEntries: 0 }, false],
    [{ dedupeTtlMillis: 0 }, false],
    [{ checkpoint: { type: 'configmap', namespace: 'ops' } }, true],
    [{ checkpoint: { type: 's3' } }, false],
    [{ checkpoint: { path: '' } }, false],
    [{ checkpoint: { name: 'Upper_Case' } }, false],
    [{ checkpoint: { intervalMillis: 10 } }, false],
  ])('%j valid: %s', (input, valid) => {
    const result = deliveryConfigSchema.safeParse(input);
    expect(result.success).toBe(valid);
  });

  it('names the field of an invalid value', () => {
    const result = deliveryConfigSchema.safeParse({ checkpoint: { type: 's3' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['checkpoint', 'type']);
  });

  it('every field carries a description', () => {
    const shape = deliveryConfigSchema.shape;
    for (const [key, field] of Object.entries(shape)) expect(field.description, key).toBeTruthy();
    const checkpoint = deliveryConfigSchema.shape.checkpoint.unwrap().shape;
    for (const [key, field] of Object.entries(checkpoint)) expect(field.description, `checkpoint.${key}`).toBeTruthy();
  });
});
