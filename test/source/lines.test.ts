import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { lineText, parseJsonLine, parseStreamLine, readLineBatches, readLines } from '../../src/source/lines.js';
import { backoffMillis } from '../../src/source/scheduler.js';

async function collect(chunks: string[], max = 1024, emitUnterminated = false): Promise<string[]> {
  const out: string[] = [];
  for await (const l of readLines(Readable.from(chunks.map((c) => Buffer.from(c))), max, emitUnterminated)) out.push(l.tooLong ? '<too long>' : lineText(l)!);
  return out;
}

describe('readLines', () => {
  it('joins lines split across chunks and skips empty lines', async () => {
    expect(await collect(['{"a":', '1}\n{"b"', ':2}\n\n{"c":3}\n'])).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });
  it('drops an unterminated last line on watches, yields it for files', async () => {
    expect(await collect(['x\ny'])).toEqual(['x']);
    expect(await collect(['x\ny'], 1024, true)).toEqual(['x', 'y']);
  });
  it('reports lines over the limit once and goes on', async () => {
    expect(await collect(['short\n', 'a'.repeat(8), 'b'.repeat(8), 'c'.repeat(8), '\nok\n'], 10)).toEqual(['short', '<too long>', 'ok']);
    expect(await collect(['a'.repeat(20) + '\nok\n'], 10)).toEqual(['<too long>', 'ok']);
  });
  it('hands over all complete lines of a chunk as one batch, a split line with the chunk that ends it', async () => {
    const batches: string[][] = [];
    const chunks = ['a\nb\nc', 'c\n', 'd\ne\n\n'].map((c) => Buffer.from(c));
    for await (const batch of readLineBatches(Readable.from(chunks), 1024)) batches.push(batch.map((l) => (l.tooLong ? '<too long>' : lineText(l)!)));
    expect(batches).toEqual([['a', 'b'], ['cc'], ['d', 'e']]);
  });
  it('hands ASCII chunks over as text, others as bytes, and keeps invalid UTF-8 to be refused when parsed', async () => {
    const kinds: string[] = [];
    const parsed: unknown[] = [];
    const chunks = [Buffer.from('{"a":1}\n{"b":2}\n'), Buffer.from('{"c":"é"}\n'), Buffer.from([0x7b, 0x22, 0x64, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d, 0x0a])];
    for await (const line of readLines(Readable.from(chunks), 1024)) {
      kinds.push(line.text !== undefined ? 'text' : 'bytes');
      parsed.push(parseStreamLine(line));
    }
    expect(kinds).toEqual(['text', 'text', 'bytes', 'bytes']);
    expect(parsed).toEqual([{ a: 1 }, { b: 2 }, { c: 'é' }, undefined]);
  });
  it('parses strict UTF-8 JSON only', () => {
    expect(parseJsonLine(Buffer.from('{"a":"é"}'))).toEqual({ a: 'é' });
    expect(parseJsonLine(Buffer.from([0x22, 0xff, 0x22]))).toBeUndefined();
    expect(parseJsonLine(Buffer.from('{'))).toBeUndefined();
  });
});

describe('backoffMillis', () => {
  it('is full jitter under a doubling cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((f) => backoffMillis(f, 500, 4000, () => 0.999999))).toEqual([499, 999, 1999, 3999, 3999, 3999]);
    expect(backoffMillis(3, 500, 4000, () => 0)).toBe(0);
  });
});
