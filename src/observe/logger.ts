import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** pino level. Default `info`. */
  level?: string;
  /** Where lines go. Default stderr (fd 2). */
  destination?: DestinationStream;
}

/** pino JSON logger on stderr; credentials in known fields are redacted at construction. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: 'eventide',
      level: options.level ?? 'info',
      redact: {
        paths: ['headers', '*.headers', 'authorization', '*.authorization', 'token', '*.token', 'password', '*.password'],
        censor: '[REDACTED]',
      },
    },
    options.destination ?? pino.destination({ fd: 2, sync: false }),
  );
}

/** A logger that writes nothing (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
