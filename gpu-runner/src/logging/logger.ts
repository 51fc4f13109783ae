import { LOG_LEVELS, type LogLevel } from '../config.ts'

/** Values a log line may carry. */
export type LogFields = Record<string, string | number | boolean | null | undefined>

/** Writes one structured JSON line per call; lines below the configured level are dropped. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void
  info(msg: string, fields?: LogFields): void
  warn(msg: string, fields?: LogFields): void
  error(msg: string, fields?: LogFields): void
}

/** Where a logger and the EMF reporter put their lines (stdout in production). */
export type LineSink = (line: string) => void

/** Settings of {@link createLogger}. */
export interface LoggerOptions {
  level: LogLevel
  write: LineSink
  /** Epoch milliseconds for the `time` field. */
  wallNow: () => number
}

/** Creates a JSON-lines logger: `{"time","level","msg",...fields}`; undefined fields are left out. */
export function createLogger(options: LoggerOptions): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level)
  const log =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}): void => {
      if (LOG_LEVELS.indexOf(level) < threshold) {
        return
      }
      const time = new Date(options.wallNow()).toISOString()
      options.write(JSON.stringify({ time, level, msg, ...fields }))
    }
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
}
