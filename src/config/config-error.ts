/** A bad flag, environment variable or URI: reported as one line with exit code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
