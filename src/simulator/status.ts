import type { KubeObject } from './resources.js';

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Details of a failure Status (`details` field). */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: Array<{ reason: string; message: string; field: string }>;
  retryAfterSeconds?: number;
}

/** A metav1 Status object as kube-apiserver returns for errors. */
export function statusObject(code: number, message: string, reason?: string, details?: StatusDetails): KubeObject {
  const s: KubeObject = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: reason ?? REASONS[code] ?? 'Unknown',
    code,
  };
  if (details) s['details'] = details;
  return s;
}

/** An HTTP-level failure thrown inside request handlers and turned into a Status response. */
export class ApiError extends Error {
  constructor(
    /** HTTP status code. */
    readonly code: number,
    message: string,
    /** Status reason; default from the code. */
    readonly reason?: string,
    /** Status details. */
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The Status object for this error. */
  toStatus(): KubeObject {
    return statusObject(this.code, this.message, this.reason, this.details);
  }
}
