// One pino logger per process. Secrets never reach a log line: the redact paths below cover every
// field name we use for credentials, and the vSphere client never logs envelopes or headers.
import { pino, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

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
  /**
   * Where lines go; stderr by default so that stdout stays clean for --json output. The CLI passes
   * a stream that clears its progress line before each log line and redraws it after.
   */
  destination?: NodeJS.WritableStream;
}

/**
 * Text lines: `[2026-04-21 13:00:04Z] INFO: snapshot stored {"vcenter":"vc1",...}`, the time in
 * UTC with its zone shown (whatever the host's zone), one line per event so that journal lines and
 * grep stay whole; at debug and trace the fields are spread over lines to be read. JSON lines are
 * pino's own (time in unix milliseconds).
 */
export const TEXT_TIME_FORMAT = "UTC:yyyy-mm-dd HH:MM:ss'Z'";

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const destination = options.destination ?? process.stderr;
  const base = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: undefined };
  if (options.output === 'json') {
    return pino(base, destination as pino.DestinationStream);
  }
  // Formatted in the logging call, not in a piped transform: each line is written whole and in
  // order with everything else on stderr (the progress line), and none is lost at exit.
  const prettify = prettyFactory({
    colorize: false,
    translateTime: TEXT_TIME_FORMAT,
    singleLine: level !== 'debug' && level !== 'trace',
    // err is a message string here, never a stack: it stays in the line with the other fields.
    errorLikeObjectKeys: [],
    ignore: 'pid,hostname',
  });
  return pino(base, { write: (line: string) => void destination.write(prettify(line)) });
}

/** A logger that drops everything: for tests and library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
