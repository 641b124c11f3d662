import { SEVERITIES } from '../model/event.js';
import type { EventRecord, Severity } from '../model/event.js';

/** Rank of a severity: Info 0, Medium 1, High 2, Critical 3. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** The record's derived severity; without a classification, Warning counts as Medium and anything else as Info. */
export function recordSeverity(record: EventRecord): Severity {
  return record.classification?.severity ?? (record.event.type === 'Warning' ? 'Medium' : 'Info');
}

/** True when the record is a Warning or its severity is at least `min` (the events that may link objects). */
export function isSignificant(record: EventRecord, min: Severity): boolean {
  return record.event.type === 'Warning' || severityRank(recordSeverity(record)) >= severityRank(min);
}
