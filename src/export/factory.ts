import type { ExportConfig } from './config.js';
import { FileRecordExporter } from './file-exporter.js';
import { OtlpEventExporter } from './otlp-exporter.js';
import type { RecordExporter, RecordExporterDeps } from './record-exporter.js';

/**
 * The export stage for a config: a {@link FileRecordExporter} when `config.file` is set (the demo
 * without a collector), else an {@link OtlpEventExporter}. Throws at start on an invalid setup
 * (unreadable certificate, ...), with a message naming the field or variable.
 */
export function createRecordExporter(config: ExportConfig, deps: RecordExporterDeps): RecordExporter {
  return config.file !== '' ? new FileRecordExporter(config, deps) : new OtlpEventExporter(config, deps);
}
