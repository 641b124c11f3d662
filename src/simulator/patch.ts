/** A patch that could not be applied (the API server answers 422/400). */
export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatchError';
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch (also used for strategic-merge and apply patches). Returns a new value. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer ${JSON.stringify(path)}`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, parts: string[]): [Record<string, unknown> | unknown[], string] {
  let cur: unknown = doc;
  for (const p of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isRecord(cur)) cur = cur[p];
    else cur = undefined;
    if (cur === undefined) throw new PatchError(`path ${parts.join('/')} does not exist`);
  }
  if (!Array.isArray(cur) && !isRecord(cur)) throw new PatchError(`path ${parts.join('/')} does not exist`);
  return [cur, parts[parts.length - 1]!];
}

function getAt(doc: unknown, parts: string[]): unknown {
  let cur: unknown = doc;
  for (const p of parts) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isRecord(cur)) cur = cur[p];
    else return undefined;
  }
  return cur;
}

function removeAt(doc: unknown, parts: string[]): void {
  const [parent, last] = parentOf(doc, parts);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (last in parent) delete parent[last];
  else throw new PatchError(`path /${parts.join('/')} does not exist`);
}

function addAt(doc: unknown, parts: string[], value: unknown): unknown {
  if (parts.length === 0) return structuredClone(value);
  const [parent, last] = parentOf(doc, parts);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    parent.splice(i, 0, structuredClone(value));
  } else parent[last] = structuredClone(value);
  return doc;
}

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test). Returns a new document. Throws PatchError. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  for (const raw of ops as JsonPatchOp[]) {
    const parts = pointer(raw.path);
    switch (raw.op) {
      case 'add':
        doc = addAt(doc, parts, raw.value);
        break;
      case 'remove':
        removeAt(doc, parts);
        break;
      case 'replace':
        if (parts.length === 0) doc = structuredClone(raw.value);
        else {
          removeAt(doc, parts);
          doc = addAt(doc, parts, raw.value);
        }
        break;
      case 'move': {
        const from = pointer(raw.from ?? '');
        const v = getAt(doc, from);
        removeAt(doc, from);
        doc = addAt(doc, parts, v);
        break;
      }
      case 'copy':
        doc = addAt(doc, parts, getAt(doc, pointer(raw.from ?? '')));
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, parts)) !== JSON.stringify(raw.value)) throw new PatchError(`test failed at ${raw.path}`);
        break;
      default:
        throw new PatchError(`unknown JSON patch op ${JSON.stringify(raw.op)}`);
    }
  }
  return doc;
}
