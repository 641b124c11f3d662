import type { KubeObject } from './resources.js';

/** A compiled label or field selector: true when the object matches. */
export type Selector = (obj: KubeObject) => boolean;

/** A selector that could not be parsed (the API server answers 400 BadRequest). */
export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

/**
 * Parses a label selector: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`,
 * comma-separated (all must match). Throws SelectorError.
 */
export function parseLabelSelector(selector: string): Selector {
  const preds: Selector[] = [];
  for (const term of splitTerms(selector)) {
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^([^\s!=()]+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      const key = m[1]!;
      const set = new Set(m[3]!.split(',').map((v) => v.trim()));
      const negate = m[2] === 'notin';
      preds.push((o) => {
        const v = labelsOf(o)[key];
        return negate ? v === undefined || !set.has(v) : v !== undefined && set.has(v);
      });
    } else if ((m = term.match(/^([^\s!=()]+)\s*(==|=|!=)\s*([^\s=!()]*)$/))) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      preds.push(op === '!=' ? (o) => labelsOf(o)[key] !== value : (o) => labelsOf(o)[key] === value);
    } else if ((m = term.match(/^!\s*([^\s!=()]+)$/))) {
      const key = m[1]!;
      preds.push((o) => labelsOf(o)[key] === undefined);
    } else if ((m = term.match(/^([^\s!=()]+)$/))) {
      const key = m[1]!;
      preds.push((o) => labelsOf(o)[key] !== undefined);
    } else {
      throw new SelectorError(`unable to parse requirement: ${JSON.stringify(term)}`);
    }
  }
  return (o) => preds.every((p) => p(o));
}

/**
 * Parses a field selector: `path=v`, `path==v`, `path!=v` on dotted paths
 * (`metadata.name`, `involvedObject.kind`, `spec.nodeName`, ...), comma-separated. Throws SelectorError.
 */
export function parseFieldSelector(selector: string): Selector {
  const preds: Selector[] = [];
  for (const term of splitTerms(selector)) {
    const m = term.match(/^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw new SelectorError(`invalid selector: '${term}'; can't understand '${term}'`);
    const [, path, op, value] = m as unknown as [string, string, string, string];
    const parts = path.split('.');
    preds.push(op === '!=' ? (o) => fieldValue(o, parts) !== value : (o) => fieldValue(o, parts) === value);
  }
  return (o) => preds.every((p) => p(o));
}

function labelsOf(o: KubeObject): Record<string, string | undefined> {
  const meta = o['metadata'] as { labels?: Record<string, string> } | undefined;
  return meta?.labels ?? {};
}

function fieldValue(o: KubeObject, parts: string[]): string {
  let cur: unknown = o;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[p];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur as string | number | boolean);
}
