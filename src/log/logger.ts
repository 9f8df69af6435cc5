// One pino logger per process. Secrets never reach a log line: the redact paths below cover every
// field name we use for credentials, and the vSphere client never logs envelopes or headers.
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
export type LogOutput = 'text' | 'json';

const REDACT_PATHS = [
  'password',
  '*.password',
  'vcenter_password',
  '*.vcenter_password',
  'cookie',
  '*.cookie',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'access_token',
  '*.access_token',
];

export interface LoggerOptions {
  level?: LogLevel;
  output?: LogOutput;
  /** Where lines go; stderr by default so that stdout stays clean for --json output. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const destination = options.destination ?? process.stderr;
  const base = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: undefined };
  if (options.output === 'json') {
    return pino(base, destination as pino.DestinationStream);
  }
  const stream = pretty({
    destination: destination as NodeJS.WritableStream & { fd?: number },
    sync: true,
    colorize: false,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss',
    ignore: 'pid,hostname',
  });
  return pino(base, stream);
}

/** A logger that drops everything: for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
