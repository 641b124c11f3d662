/**
 * Loki's documented OTLP ingestion rules (Loki 3.x, `/otlp/v1/logs`), as a pure function so tests
 * can assert which attributes become index labels. Source: grafana/loki
 * `pkg/loghttp/push/otlp_config.go` (default_resource_attributes_as_index_labels) and
 * `otlp.go` (names normalized with the Prometheus label rule).
 */

/** Resource attributes Loki indexes as labels by default (its `default_resource_attributes_as_index_labels`). */
export const LOKI_DEFAULT_INDEX_LABEL_ATTRIBUTES: readonly string[] = [
  'service.name',
  'service.namespace',
  'service.instance.id',
  'deployment.environment',
  'cloud.region',
  'cloud.availability_zone',
  'k8s.cluster.name',
  'k8s.namespace.name',
  'k8s.pod.name',
  'k8s.container.name',
  'container.name',
  'k8s.replicaset.name',
  'k8s.deployment.name',
  'k8s.statefulset.name',
  'k8s.daemonset.name',
  'k8s.cronjob.name',
  'k8s.job.name',
];

/** What Loki makes of one OTLP log record: stream (index) labels and structured metadata. */
export interface LokiEntryLabels {
  indexLabels: Record<string, string>;
  structuredMetadata: Record<string, string>;
}

/** Options of {@link lokiLabelsFor}: a `limits_config.otlp_config` subset. */
export interface LokiOtlpOptions {
  /** Resource attributes indexed as labels. Default {@link LOKI_DEFAULT_INDEX_LABEL_ATTRIBUTES}. */
  indexLabelAttributes?: readonly string[];
  /** Also index `severity_text` (Loki's `severity_text_as_label`). Default false. */
  severityTextAsLabel?: boolean;
}

/**
 * Loki's attribute-name normalization (Prometheus label rule): every rune that is not a letter
 * or digit becomes `_` (so dots turn to underscores); a leading digit gets a `key_` prefix, a
 * leading single `_` a `key` prefix.
 */
export function normalizeLokiName(name: string): string {
  if (name === '') return name;
  let out = name.replace(/[^\p{L}\p{N}]/gu, '_');
  if (/^\p{N}/u.test(out)) out = `key_${out}`;
  else if (out.startsWith('_') && !out.startsWith('__')) out = `key${out}`;
  return out;
}

function asString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Splits a record's attributes the way Loki's OTLP endpoint does: resource attributes in the
 * index-label list become stream labels; every other resource attribute, every log attribute
 * and `severity_text` become structured metadata; names are normalized
 * ({@link normalizeLokiName}). Loki adds `service_name="unknown_service"` when the resource has
 * no service.name. Empty values are dropped. Pure.
 */
export function lokiLabelsFor(
  resourceAttributes: Record<string, unknown>,
  recordAttributes: Record<string, unknown>,
  options: LokiOtlpOptions & { severityText?: string } = {},
): LokiEntryLabels {
  const indexed = new Set(options.indexLabelAttributes ?? LOKI_DEFAULT_INDEX_LABEL_ATTRIBUTES);
  const indexLabels: Record<string, string> = {};
  const structuredMetadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(resourceAttributes)) {
    const text = asString(value);
    if (text === '') continue;
    if (indexed.has(key)) indexLabels[normalizeLokiName(key)] = text;
    else structuredMetadata[normalizeLokiName(key)] = text;
  }
  if (indexLabels.service_name === undefined) indexLabels.service_name = 'unknown_service';
  for (const [key, value] of Object.entries(recordAttributes)) {
    const text = asString(value);
    if (text !== '') structuredMetadata[normalizeLokiName(key)] = text;
  }
  if (options.severityText) {
    if (options.severityTextAsLabel) indexLabels.severity_text = options.severityText;
    else structuredMetadata.severity_text = options.severityText;
  }
  return { indexLabels, structuredMetadata };
}
