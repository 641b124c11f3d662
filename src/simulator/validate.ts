import type { KubeObject } from './resources.js';

/** One field error of a 422 Invalid response. */
export interface FieldCause {
  reason: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueTooLong' | 'FieldValueNotSupported';
  message: string;
  field: string;
}

/** Maximum `note` length of an Event created through events.k8s.io/v1 (bytes), as in kube-apiserver. */
export const NOTE_LENGTH_LIMIT = 1024;

function present(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

/**
 * Create-time validation of an events.k8s.io/v1 Event as kube-apiserver applies it
 * (eventTime, reportingController, reportingInstance, action, reason required; type Normal|Warning;
 * note at most 1024 bytes; series needs count ≥ 2 and lastObservedTime). Empty when valid.
 */
export function validateEventsV1Create(ev: KubeObject): FieldCause[] {
  const causes: FieldCause[] = [];
  const required = (field: string): void => {
    if (!present(ev[field])) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field });
  };
  for (const f of ['eventTime', 'reportingController', 'reportingInstance', 'action', 'reason']) required(f);
  const type = ev['type'];
  if (type !== 'Normal' && type !== 'Warning') {
    causes.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(type ?? '')}: supported values: "Normal", "Warning"`, field: 'type' });
  }
  const note = ev['note'];
  if (typeof note === 'string' && Buffer.byteLength(note) > NOTE_LENGTH_LIMIT) {
    causes.push({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${NOTE_LENGTH_LIMIT} bytes`, field: 'note' });
  }
  const series = ev['series'] as { count?: number; lastObservedTime?: string } | undefined;
  if (series !== undefined && series !== null) {
    if (typeof series.count !== 'number' || series.count < 2) causes.push({ reason: 'FieldValueInvalid', message: 'Invalid value: should be at least 2', field: 'series.count' });
    if (!present(series.lastObservedTime)) causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'series.lastObservedTime' });
  }
  return causes;
}
