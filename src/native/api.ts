/**
 * What the native API's server side (http/native/) and its client (`flowreg push` / `pull`,
 * cli/) agree on: where the API lives, its limits, and how byte counts are written.
 */

/** The native API's base path (after any static prefix). */
export const NATIVE_API_BASE = '/api/flowreg/v1';

/** Most file parts in one publish. */
export const MAX_PUBLISH_FILES = 10_000;

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/**
 * `n` bytes in binary units. `message` style (error messages): `512 bytes`, `10 GiB`, `1.5 MiB`;
 * `progress` style (the CLI's progress line, fixed width): `512 B`, `10.0 GiB`.
 */
export function formatBytes(n: number, style: 'message' | 'progress' = 'message'): string {
  let v = n;
  let u = -1;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u += 1;
  }
  if (u < 0) return style === 'message' ? `${n} bytes` : `${n} B`;
  const number = style === 'message' && Number.isInteger(v) ? String(v) : v.toFixed(1);
  return `${number} ${UNITS[u]}`;
}
