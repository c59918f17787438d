/**
 * `--app-name basic-auth`: the settings of MLflow's basic-auth app, read as MLflow reads them
 * (mlflow/server/auth/config.py: read_auth_config): the `[mlflow]` section of the ini file that
 * MLFLOW_AUTH_CONFIG_PATH names, with MLFLOW_AUTH_ADMIN_USERNAME / MLFLOW_AUTH_ADMIN_PASSWORD
 * winning over the file whenever they are set, even empty. The values are checked by
 * auth/auth-config.ts; here they are only gathered.
 *
 * Any other app name refuses start-up: flowreg never runs open while the operator believes an
 * authentication plugin is on.
 */
import fs from 'node:fs';
import { ConfigError } from './config-error.js';

export const BASIC_AUTH_APP = 'basic-auth';

export interface AuthSettings {
  /** The raw `[mlflow]` values, environment merged in. */
  readonly raw: Readonly<Record<string, string | undefined>>;
  /** Where they came from, for start-up messages. */
  readonly source: string;
}

/** Without a file, MLflow's shipped basic_auth.ini applies; its database_uri is left out (users live in the backend store). */
const SHIPPED_DEFAULTS: Readonly<Record<string, string>> = { default_permission: 'READ', admin_username: 'admin' };

/** The `[section]`s of an ini file (configparser's basic syntax: `key = value` or `key: value`, `#`/`;` comments). */
export function parseIni(text: string, file: string): Map<string, Record<string, string>> {
  const sections = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  text.split(/\r?\n/).forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(trimmed);
    if (header) {
      current = {};
      sections.set((header[1] as string).trim(), current);
      return;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(trimmed);
    if (!kv || !current) throw new ConfigError(`${file}:${i + 1}: cannot read '${trimmed}'`);
    current[(kv[1] as string).toLowerCase()] = kv[2] as string;
  });
  return sections;
}

export function authSettingsFrom(appName: string | undefined, env: NodeJS.ProcessEnv): AuthSettings | undefined {
  if (appName === undefined) return undefined;
  if (appName !== BASIC_AUTH_APP) throw new ConfigError(`--app-name ${appName}: not supported; flowreg knows only '${BASIC_AUTH_APP}'`);
  const file = env.MLFLOW_AUTH_CONFIG_PATH;
  let values: Record<string, string | undefined> = { ...SHIPPED_DEFAULTS };
  if (file) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`MLFLOW_AUTH_CONFIG_PATH=${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    const section = parseIni(text, file).get('mlflow');
    if (!section) throw new ConfigError(`MLFLOW_AUTH_CONFIG_PATH=${file}: no [mlflow] section`);
    values = { ...section };
  }
  if (env.MLFLOW_AUTH_ADMIN_USERNAME !== undefined) values.admin_username = env.MLFLOW_AUTH_ADMIN_USERNAME;
  if (env.MLFLOW_AUTH_ADMIN_PASSWORD !== undefined) values.admin_password = env.MLFLOW_AUTH_ADMIN_PASSWORD;
  return { raw: values, source: file ?? 'defaults' };
}
