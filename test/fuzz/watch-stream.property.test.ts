import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { KubeConfig } from '@kubernetes/client-node';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/model/time.js';
import { silentLogger } from '../../src/observe/logger.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { SkipReporter } from '../../src/observe/skips.js';
import { KubeHttp } from '../../src/source/http.js';
import { parseJsonLine, parseStreamLine, readLines, type StreamLine } from '../../src/source/lines.js';
import { ListWatch } from '../../src/source/list-watch.js';
import type { Scheduler } from '../../src/source/scheduler.js';
import { anyEvent, runs } from './arbitraries.js';

/** Bytes of one line, never containing `\n`. */
const lineBytes = (max: number): fc.Arbitrary<Buffer> => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a.map((b) => (b === 0x0a ? 0x0b : b))));
/** An ASCII line (the reader's fast path decodes whole ASCII chunks at once), never containing `\n`. */
const asciiBytes = (max: number): fc.Arbitrary<Buffer> => lineBytes(max).map((b) => Buffer.from(b.map((c) => (c & 0x7f) === 0x0a ? 0x0b : c & 0x7f)));
/** A line of either kind: chunks then mix ASCII and non-ASCII lines, or are all ASCII. */
const anyLineBytes = (max: number): fc.Arbitrary<Buffer> => fc.oneof(lineBytes(max), asciiBytes(max));

/** Splits `buf` at the given fractions into chunks (some empty, some one byte). */
function chunked(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => Math.floor(c * buf.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  out.push(buf.subarray(prev));
  return out.filter((c) => c.length > 0);
}

async function collect(chunks: Buffer[], max: number, emitUnterminated: boolean): Promise<StreamLine[]> {
  const out: StreamLine[] = [];
  for await (const line of readLines(Readable.from(chunks), max, emitUnterminated)) out.push(line);
  return out;
}

const describeLine = (l: StreamLine): string => (l.tooLong ? 'tooLong' : (l.bytes ?? Buffer.from(l.text, 'latin1')).toString('hex'));

describe('watch-stream line reader fuzz', () => {
  const MAX = 64;
  it('yields exactly the terminated lines, one tooLong per overlong line, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(fc.oneof(anyLineBytes(MAX), anyLineBytes(3 * MAX)), { maxLength: 12 }),
          fc.array(fc.oneof(asciiBytes(MAX), asciiBytes(3 * MAX)), { maxLength: 12 }),
        ),
        anyLineBytes(2 * MAX),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 20 }),
        fc.boolean(),
        async (lines, tail, cuts, emitUnterminated) => {
          const stream = Buffer.concat([...lines.flatMap((l) => [l, Buffer.from('\n')]), tail]);
          const expected: string[] = [];
          for (const l of lines) if (l.length > MAX) expected.push('tooLong');
          else if (l.length > 0) expected.push(l.toString('hex'));
          if (tail.length > MAX) expected.push('tooLong');
          else if (emitUnterminated && tail.length > 0) expected.push(tail.toString('hex'));
          const got = (await collect(chunked(stream, cuts), MAX, emitUnterminated)).map(describeLine);
          expect(got).toEqual(expected);
        },
      ),
      runs(400),
    );
  });

  it('parseJsonLine never throws and agrees with strict UTF-8 + JSON.parse', () => {
    fc.assert(
      fc.property(fc.oneof(lineBytes(80), fc.json().map((j) => Buffer.from(j)), fc.string({ unit: 'binary' }).map((s) => Buffer.from(s))), (bytes) => {
        let expected: unknown;
        try {
          expected = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
        } catch {
          expected = undefined;
        }
        expect(parseJsonLine(bytes)).toEqual(expected);
      }),
      runs(600),
    );
  });

  it('a line read as text parses as its bytes do (parseStreamLine)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(asciiBytes(80), fc.json().map((j) => Buffer.from(j)), lineBytes(80)), { maxLength: 8 }), async (lines) => {
        const stream = Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]));
        const got = (await collect([stream], 1024, false)).map((l) => parseStreamLine(l));
        const expected = lines.filter((l) => l.length > 0).map((l) => parseJsonLine(l));
        expect(got).toEqual(expected);
      }),
      runs(300),
    );
  });
});

/** What the watch loop must do with one line (an oracle written from the watch contract). */
type LineFate = 'ignored' | 'delivered' | 'bookmark' | 'end' | 'line_too_long' | 'malformed_line' | 'unknown_watch_type';

function fateOf(line: Buffer, maxLineBytes: number): LineFate {
  if (line.length === 0) return 'ignored';
  if (line.length > maxLineBytes) return 'line_too_long';
  let msg: unknown;
  try {
    msg = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(line));
  } catch {
    return 'malformed_line';
  }
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(msg) || typeof msg.type !== 'string' || !isObj(msg.object)) return 'malformed_line';
  if (msg.type === 'ERROR') return 'end';
  if (msg.type === 'BOOKMARK') return 'bookmark';
  if (['ADDED', 'MODIFIED', 'DELETED'].includes(msg.type)) return 'delivered';
  return 'unknown_watch_type';
}

const MAX_LINE = 4096;
const watchLine: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom('ADDED', 'MODIFIED', 'DELETED'), anyEvent).map(([type, object]) => Buffer.from(JSON.stringify({ type, object }))) },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }).map((rv) => Buffer.from(JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Event', metadata: { resourceVersion: rv } } }))) },
  { weight: 1, arbitrary: fc.constantFrom(410, 500).map((code) => Buffer.from(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code, message: 'x' } }))) },
  { weight: 1, arbitrary: fc.constantFrom('WEIRD', '', 'added').map((type) => Buffer.from(JSON.stringify({ type, object: {} }))) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 2 }).map((j) => Buffer.from(j)) },
  { weight: 2, arbitrary: lineBytes(60) },
  { weight: 1, arbitrary: fc.tuple(anyEvent, fc.nat()).map(([o, n]) => { const s = JSON.stringify({ type: 'ADDED', object: o }); return Buffer.from(s.slice(0, n % s.length)); }) },
  { weight: 1, arbitrary: fc.constant(Buffer.from(JSON.stringify({ type: 'ADDED', object: { note: 'x'.repeat(MAX_LINE) } }))) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
);

/** A scheduler whose sleeps end at once: retries after a fuzzed ERROR do not wait. */
const instant: Scheduler = {
  sleep: () => new Promise((r) => setImmediate(r)),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

describe('list/watch loop fuzz: generated and mutated watch streams over real HTTP', () => {
  let server: http.Server;
  let kc: KubeConfig;
  /** Chunks the next watch request of run `runId` gets; later ones (and late ones of earlier runs) hang until closed. */
  let nextBody: Buffer[] | undefined;
  let runId = 0;
  let firstWatchServed = false;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.searchParams.get('watch') !== 'true') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'EventList', items: [], metadata: { resourceVersion: '1' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      // A request of an earlier run may reach the server late: it must not take this run's body.
      const body = url.pathname === `/api/v1/namespaces/run-${runId}/events` ? nextBody : undefined;
      if (body) nextBody = undefined;
      if (!body) return; // hang: the loop is stopped by the test
      firstWatchServed = true;
      const write = (i: number): void => {
        if (i >= body.length) {
          res.end();
          return;
        }
        res.write(body[i], () => setImmediate(() => write(i + 1)));
      };
      write(0);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('hands over, skips with a reason, or ends on every line; nothing escapes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(watchLine, { maxLength: 25 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 10 }), lineBytes(40), async (lines, cuts, tail) => {
        // Oracle: lines up to and including the first ERROR are read; an unterminated tail is a cut, dropped.
        const fates: LineFate[] = [];
        for (const l of lines) {
          const f = fateOf(l, MAX_LINE);
          fates.push(f);
          if (f === 'end') break;
        }
        const stream = Buffer.concat([...lines.flatMap((l) => [l, Buffer.from('\n')]), tail]);
        nextBody = chunked(stream, cuts);
        runId++;
        firstWatchServed = false;
        const logger = silentLogger();
        const metrics = createMetrics();
        const skips = new SkipReporter(logger, metrics);
        let delivered = 0;
        let watchEnds = 0;
        const lw = new ListWatch(
          {
            http: new KubeHttp(kc), path: `/api/v1/namespaces/run-${runId}/events`, pageSize: 10, watchTimeoutSeconds: 60, watchIdleTimeoutMillis: 30_000,
            backoff: { initialMillis: 1, maxMillis: 2 }, maxLineBytes: MAX_LINE, clock: new ManualClock(0), logger, metrics, skips, scheduler: instant,
          },
          {
            onObject: async () => {
              delivered++;
            },
            onAttemptEnd: (end) => {
              if (end.phase === 'watch') watchEnds++;
            },
          },
        );
        lw.start();
        const deadline = Date.now() + 10_000;
        while (!(firstWatchServed && watchEnds >= 1)) {
          if (Date.now() > deadline) throw new Error('first watch did not end');
          await new Promise((r) => setTimeout(r, 2));
        }
        await lw.stop();
        const count = (f: LineFate): number => fates.filter((x) => x === f).length;
        expect({
          delivered,
          line_too_long: skips.count('source', 'line_too_long'),
          malformed_line: skips.count('source', 'malformed_line'),
          unknown_watch_type: skips.count('source', 'unknown_watch_type'),
          other: skips.count() - skips.count('source', 'line_too_long') - skips.count('source', 'malformed_line') - skips.count('source', 'unknown_watch_type'),
        }).toEqual({
          delivered: count('delivered'),
          line_too_long: count('line_too_long'),
          malformed_line: count('malformed_line'),
          unknown_watch_type: count('unknown_watch_type'),
          other: 0,
        });
      }),
      runs(60),
    );
  });
});
