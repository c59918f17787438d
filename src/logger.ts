/**
 * The one logger interface. Every module that logs receives a Logger from the composition root
 * (server.ts builds it once from the config); there is no silent default.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type Logger = (level: LogLevel, message: string) => void;

/** Drops nothing at or above `min`; writes to stderr. */
export function consoleLogger(min: LogLevel = 'warn'): Logger {
  const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  return (level, message) => {
    if (rank[level] >= rank[min]) console.error(`[flowreg] ${level}: ${message}`);
  };
}
