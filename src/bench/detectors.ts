import { eventideConfigSchema } from '../config/schema.js';

/** Config sections that hold detectors: the pattern detector today, and any anomaly section when it lands. */
const DETECTOR_SECTION = /^(pattern|anomal\w*|detect\w*)$/i;

/** Config overrides that switch every detector on or off, and which detectors that covers. */
export interface DetectorSwitch {
  /** Deep-merged over the benchmark's base config. */
  overrides: Record<string, unknown>;
  /** Dotted paths of the `enabled` flags set, e.g. `pattern.enabled`. */
  switched: string[];
}

/** `enabled` flags in those sections that switch an output, not a detector: left at their defaults. */
export const NOT_DETECTORS: ReadonlySet<string> = new Set(['anomaly.events.enabled']);

type Json = Record<string, unknown>;

function setEnabled(section: Json, on: boolean, path: string, switched: string[]): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(section)) {
    if (key === 'enabled' && typeof value === 'boolean' && !NOT_DETECTORS.has(`${path}.enabled`)) {
      out[key] = on;
      switched.push(`${path}.enabled`);
    } else if (value && typeof value === 'object' && !Array.isArray(value)) {
      const nested = setEnabled(value as Json, on, `${path}.${key}`, switched);
      if (Object.keys(nested).length > 0) out[key] = nested;
    }
  }
  return out;
}

/**
 * Overrides that turn every detector of the config schema on (`on`) or off: each `enabled`
 * flag in the `pattern` section and in any `anomaly*`/`detect*` section, found from the schema's
 * defaults, so detectors added later are picked up without changing the benchmark
 * ({@link NOT_DETECTORS} excepted).
 */
export function detectorSwitch(on: boolean, defaults: Json = eventideConfigSchema.parse({}) as Json): DetectorSwitch {
  const overrides: Json = {};
  const switched: string[] = [];
  for (const [name, section] of Object.entries(defaults)) {
    if (!DETECTOR_SECTION.test(name) || !section || typeof section !== 'object') continue;
    const flags = setEnabled(section as Json, on, name, switched);
    if (Object.keys(flags).length > 0) overrides[name] = flags;
  }
  return { overrides, switched };
}

/** `b` merged into `a`: objects recursively, anything else replaced. Pure. */
export function deepMerge(a: Json, b: Json): Json {
  const out: Json = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const previous = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && previous && typeof previous === 'object' && !Array.isArray(previous)
        ? deepMerge(previous as Json, value as Json)
        : value;
  }
  return out;
}
