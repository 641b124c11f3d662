import { createWriteStream, type WriteStream } from 'node:fs';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { ExportConfig } from './config.js';
import { flattenSdkRecord } from './flat-record.js';
import { BatchingRecordExporter, type RecordExporterDeps } from './record-exporter.js';

/** A LogRecordExporter appending one JSON line per record ({@link FlatLogRecord} shape) to a file. */
export class JsonLinesLogRecordExporter implements LogRecordExporter {
  private readonly stream: WriteStream;
  private closed = false;

  constructor(path: string) {
    this.stream = createWriteStream(path, { flags: 'a' });
    this.stream.on('error', () => {
      // surfaced through the write callbacks below
    });
  }

  export(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    if (this.closed) {
      resultCallback({ code: ExportResultCode.FAILED, error: new Error('file exporter is shut down') });
      return;
    }
    let text = '';
    for (const record of logs) text += `${JSON.stringify(flattenSdkRecord(record))}\n`;
    this.stream.write(text, (error) => {
      resultCallback(error ? { code: ExportResultCode.FAILED, error } : { code: ExportResultCode.SUCCESS });
    });
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}

/** The record exporter of `npm start` without a collector: same batching, acks and backpressure, written to `config.file`. */
export class FileRecordExporter extends BatchingRecordExporter {
  constructor(config: ExportConfig, deps: RecordExporterDeps) {
    if (config.file === '') throw new Error("export.file: the file exporter needs a path; set export.file (e.g. 'eventide-records.jsonl')");
    super(config, deps, new JsonLinesLogRecordExporter(config.file));
  }
}
