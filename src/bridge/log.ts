/** One-line JSON logs (`{"time","level","msg",...}`), the form log collectors parse; never the key. */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface BridgeLogger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger writing to `write` (stderr by default) from `level` up; `redact` scrubs every line. */
export function jsonLogger(
  options: {
    level?: LogLevel | undefined;
    write?: ((line: string) => void) | undefined;
    redact?: ((text: string) => string) | undefined;
  } = {},
): BridgeLogger {
  const min = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const redact = options.redact ?? ((text: string) => text);
  return {
    log(level, msg, fields) {
      if (RANK[level] < min) return;
      write(`${redact(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }))}\n`);
    },
  };
}

/** Logs the first occurrence of each cause; later ones are only counted (they show in the summary). */
export class OnceLog {
  private readonly seen = new Set<string>();

  constructor(private readonly logger: BridgeLogger) {}

  warn(cause: string, msg: string, fields?: LogFields): void {
    this.log('warn', cause, msg, fields);
  }

  log(level: LogLevel, cause: string, msg: string, fields?: LogFields): void {
    if (this.seen.has(cause)) return;
    this.seen.add(cause);
    this.logger.log(level, msg, { cause, ...fields });
  }
}
