import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { credentials, Metadata, type ChannelCredentials } from '@grpc/grpc-js';
import type { ExportConfig } from './config.js';

/** Connection settings of the OTLP/gRPC exporter, resolved once at start. */
export interface OtlpConnection {
  /** The endpoint as configured (scheme kept), e.g. `http://127.0.0.1:4317`. */
  endpoint: string;
  /** True when the channel is plaintext. */
  insecure: boolean;
  credentials: ChannelCredentials;
  metadata: Metadata;
  compression: 'gzip' | 'none';
  /** Deadline of one gRPC request, milliseconds. */
  requestTimeoutMillis: number;
}

/** The default collector endpoint of the OTLP spec for gRPC. */
export const DEFAULT_OTLP_GRPC_ENDPOINT = 'http://localhost:4317';

function nonBlank(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/** The logs-specific variable if set, else the general one (`OTEL_EXPORTER_OTLP_LOGS_X` over `OTEL_EXPORTER_OTLP_X`). */
function otlpEnv(env: NodeJS.ProcessEnv, suffix: string): string | undefined {
  return nonBlank(env[`OTEL_EXPORTER_OTLP_LOGS_${suffix}`]) ?? nonBlank(env[`OTEL_EXPORTER_OTLP_${suffix}`]);
}

/** Parses a W3C-baggage-style list `k1=v1,k2=v2` (percent-encoded) as used by OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES. */
export function parseKeyValueList(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const part of raw.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    try {
      const key = decodeURIComponent(part.slice(0, eq).trim());
      const value = decodeURIComponent(part.slice(eq + 1).trim());
      if (key !== '') out[key] = value;
    } catch {
      // a malformed percent-escape: skip that pair only, as the OTel SDKs do
    }
  }
  return out;
}

function readPemFile(env: NodeJS.ProcessEnv, suffix: string): Buffer | undefined {
  const path = otlpEnv(env, suffix);
  if (path === undefined) return undefined;
  try {
    return readFileSync(resolve(process.cwd(), path));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`OTEL_EXPORTER_OTLP_${suffix}: cannot read ${path} (${reason}); fix the path or unset the variable`);
  }
}

function tlsCredentials(env: NodeJS.ProcessEnv): ChannelCredentials {
  const rootCert = readPemFile(env, 'CERTIFICATE');
  const clientKey = readPemFile(env, 'CLIENT_KEY');
  const clientCert = readPemFile(env, 'CLIENT_CERTIFICATE');
  if ((clientKey === undefined) !== (clientCert === undefined)) {
    throw new Error(
      'OTEL_EXPORTER_OTLP_CLIENT_KEY and OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE must be set together (mutual TLS); set both or neither',
    );
  }
  return credentials.createSsl(rootCert ?? null, clientKey ?? null, clientCert ?? null);
}

/**
 * Resolves the exporter connection: config wins over `OTEL_EXPORTER_OTLP_*` variables, which win
 * over defaults. The scheme decides TLS (`http://` plaintext, `https://` TLS); without a scheme,
 * TLS unless `insecure` or `OTEL_EXPORTER_OTLP_INSECURE=true`. Throws at start with a message
 * naming the variable when a certificate file cannot be read.
 */
export function resolveOtlpConnection(config: ExportConfig, env: NodeJS.ProcessEnv): OtlpConnection {
  const endpoint = nonBlank(config.endpoint) ?? otlpEnv(env, 'ENDPOINT') ?? DEFAULT_OTLP_GRPC_ENDPOINT;
  let insecure: boolean;
  if (endpoint.startsWith('http://')) insecure = true;
  else if (endpoint.startsWith('https://')) insecure = false;
  else insecure = config.insecure || otlpEnv(env, 'INSECURE')?.toLowerCase() === 'true';

  const metadata = new Metadata();
  const headers = { ...parseKeyValueList(nonBlank(env.OTEL_EXPORTER_OTLP_HEADERS)), ...parseKeyValueList(nonBlank(env.OTEL_EXPORTER_OTLP_LOGS_HEADERS)), ...config.headers };
  for (const [key, value] of Object.entries(headers)) metadata.set(key.toLowerCase(), value);

  const envCompression = otlpEnv(env, 'COMPRESSION');
  const compression = config.compression ?? (envCompression === 'none' || envCompression === 'gzip' ? envCompression : 'gzip');
  const envTimeout = Number(otlpEnv(env, 'TIMEOUT'));
  const requestTimeoutMillis = Number.isFinite(envTimeout) && envTimeout > 0 ? envTimeout : 10_000;

  return {
    endpoint,
    insecure,
    credentials: insecure ? credentials.createInsecure() : tlsCredentials(env),
    metadata,
    compression,
    requestTimeoutMillis,
  };
}

/**
 * Resource attributes shared by every record: `service.name=eventide` and `service.version`,
 * then OTEL_RESOURCE_ATTRIBUTES, then OTEL_SERVICE_NAME, then `k8s.cluster.name` from config
 * when set. `k8s.namespace.name` is removed: it is set per record from the regarding object.
 */
export function baseResourceAttributes(config: ExportConfig, serviceVersion: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const attributes: Record<string, string> = {
    'service.name': 'eventide',
    'service.version': serviceVersion,
    ...parseKeyValueList(nonBlank(env.OTEL_RESOURCE_ATTRIBUTES)),
  };
  const serviceName = nonBlank(env.OTEL_SERVICE_NAME);
  if (serviceName !== undefined) attributes['service.name'] = serviceName;
  if (config.clusterName !== '') attributes['k8s.cluster.name'] = config.clusterName;
  delete attributes['k8s.namespace.name'];
  return attributes;
}
