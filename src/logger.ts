/**
 * The one logger interface. Every module that logs receives a Logger from the composition root
 * (server.ts builds it once from the config's `--log-level`); there is no silent default.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface Logger {
  (level: LogLevel, message: string): void;
  /** The lowest level written, when the logger drops some; lets a caller skip building a line. */
  readonly min?: LogLevel;
}

const RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Whether `log` writes lines of `level` (always, for a logger that does not say). */
export function logs(log: Logger, level: LogLevel): boolean {
  return log.min === undefined || RANK[level] >= RANK[log.min];
}

/** Writes lines at or above `min` to stderr. */
export function consoleLogger(min: LogLevel): Logger {
  const write = (level: LogLevel, message: string) => {
    if (RANK[level] >= RANK[min]) console.error(`[flowreg] ${level}: ${message}`);
  };
  return Object.assign(write, { min });
}
