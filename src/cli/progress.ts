/**
 * A one-line progress bar for `flowreg push` and `flowreg pull`, drawn on stderr only when it is
 * a terminal (redirected output gets the final summary line only).
 */
import { formatBytes as formatSize } from '../native/api.js';

/** Byte counts as the progress line writes them (`512 B`, `1.0 MiB`). */
export function formatBytes(n: number): string {
  return formatSize(n, 'progress');
}

/** Bytes per second over an elapsed time, as MiB/s text. */
export function formatRate(bytes: number, ms: number): string {
  if (ms <= 0) return '—';
  return `${(bytes / (1024 * 1024) / (ms / 1000)).toFixed(1)} MiB/s`;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export class Progress {
  private done = 0;
  private lastDraw = 0;
  private readonly started = Date.now();
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    /** Expected bytes; 0 or undefined when unknown. */
    private total: number | undefined,
    private readonly out: ProgressStream = process.stderr,
    enabled?: boolean,
  ) {
    this.enabled = enabled ?? Boolean(out.isTTY);
  }

  get bytes(): number {
    return this.done;
  }

  get elapsedMs(): number {
    return Date.now() - this.started;
  }

  setTotal(total: number | undefined): void {
    this.total = total;
  }

  add(n: number): void {
    this.done += n;
    const now = Date.now();
    // The first draw waits a little, so the rate and the ETA mean something.
    if (this.enabled && now - this.lastDraw >= 100 && now - this.started >= 250) {
      this.lastDraw = now;
      this.draw();
    }
  }

  private draw(): void {
    const elapsed = this.elapsedMs;
    const rate = elapsed > 0 ? this.done / (elapsed / 1000) : 0;
    const total = this.total && this.total > 0 ? this.total : undefined;
    const stats = total
      ? `${formatBytes(this.done)}/${formatBytes(total)} ${formatRate(this.done, elapsed)} ETA ${formatDuration(rate > 0 ? (total - this.done) / rate : NaN)}`
      : `${formatBytes(this.done)} ${formatRate(this.done, elapsed)}`;
    const columns = this.out.columns ?? 80;
    let line: string;
    if (total) {
      const ratio = Math.min(1, this.done / total);
      const pct = `${Math.floor(ratio * 100)}%`.padStart(4);
      // label + " [" + bar + "] " + pct + " " + stats, within the terminal's width.
      const width = Math.min(40, columns - 1 - (this.label.length + 4 + pct.length + 1 + stats.length));
      if (width >= 10) {
        const filled = Math.round(ratio * width);
        line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct} ${stats}`;
      } else {
        line = `${this.label} ${pct} ${stats}`;
      }
    } else {
      line = `${this.label} ${stats}`;
    }
    this.out.write(`\r${line.slice(0, columns - 1)}\u001b[K`);
  }

  /** Clears the bar (the caller prints its own summary). */
  finish(): void {
    if (this.enabled) this.out.write('\r\u001b[K');
  }
}
