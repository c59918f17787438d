/**
 * Creates the admin named by the configuration on first start (auth/__init__.py:
 * create_admin_user and _validate_bootstrap_admin_*; messages copied). Safe when several replicas
 * start at once: the loser of the insert race finds the user there. A missing or unacceptable
 * admin password is a ConfigError: the server refuses to start with one line.
 */
import { ConfigError } from '../config/config-error.js';
import type { Logger } from '../logger.js';
import { MlflowError } from '../protocol/errors.js';
import type { AuthStore } from '../store/auth-store.js';
import { StoreConflict } from '../store/store-errors.js';
import { LEGACY_DEFAULT_ADMIN_PASSWORD } from './authenticator.js';
import { hashPassword, validatePassword, verifyPassword, type ScryptParams } from './passwords.js';

const ENV_USER = 'MLFLOW_AUTH_ADMIN_USERNAME';
const ENV_PASSWORD = 'MLFLOW_AUTH_ADMIN_PASSWORD';
const CONFIG_PATH = 'MLFLOW_AUTH_CONFIG_PATH';

function checkPassword(username: string, password: string | undefined): asserts password is string {
  if (!password) {
    throw new ConfigError(
      `MLflow Authentication needs a password to create the admin user '${username}', but none is configured (or it is empty). ` +
        `MLflow ships no default admin password. Set the ${ENV_PASSWORD} environment variable, or set \`admin_password\` in the ` +
        `configuration file referenced by ${CONFIG_PATH}, and restart the server.`,
    );
  }
  if (password === LEGACY_DEFAULT_ADMIN_PASSWORD) {
    throw new ConfigError(
      `Refusing to use the insecure default password that older MLflow versions shipped in basic_auth.ini for the admin user '${username}' ` +
        `(https://github.com/advisories/GHSA-gq3w-7jj3-x7gr). Set ${ENV_PASSWORD} or \`admin_password\` in the configuration file ` +
        `referenced by ${CONFIG_PATH} to a different password.`,
    );
  }
  try {
    validatePassword(password);
  } catch (err) {
    const message = err instanceof MlflowError ? err.message : String(err);
    throw new ConfigError(
      `The configured password for the admin user '${username}' is invalid: ${message} Set ${ENV_PASSWORD} or \`admin_password\` ` +
        `in the configuration file referenced by ${CONFIG_PATH} to a valid password.`,
    );
  }
}

export interface BootstrapDeps {
  readonly store: AuthStore;
  readonly now: number;
  readonly logger: Logger;
  readonly scrypt?: ScryptParams;
}

export async function bootstrapAdmin(config: { adminUsername: string | undefined; adminPassword: string | undefined }, deps: BootstrapDeps): Promise<void> {
  const username = config.adminUsername;
  if (!username) {
    throw new ConfigError(
      `MLflow Authentication needs a username for the admin user, but none is configured (or it is empty). Set the ${ENV_USER} ` +
        `environment variable, or set \`admin_username\` in the configuration file referenced by ${CONFIG_PATH}, and restart the server.`,
    );
  }
  const existing = await deps.store.getUser(username);
  const password = config.adminPassword;
  if (!existing) {
    checkPassword(username, password);
    const passwordHash = await hashPassword(password, deps.scrypt);
    try {
      await deps.store.createUser({ username, passwordHash, isAdmin: true, isServiceAccount: false, now: deps.now });
      deps.logger('info', `Created admin user '${username}'.`);
    } catch (err) {
      // Another replica starting at the same moment created it first.
      if (!(err instanceof StoreConflict)) throw err;
    }
    return;
  }
  // An admin still on the publicly known password is rotated to the configured one, the only way
  // back in that needs no working admin login.
  if (password && password !== LEGACY_DEFAULT_ADMIN_PASSWORD && (await verifyPassword(LEGACY_DEFAULT_ADMIN_PASSWORD, existing.passwordHash))) {
    checkPassword(username, password);
    await deps.store.updateUser(username, { passwordHash: await hashPassword(password, deps.scrypt), now: deps.now });
    deps.logger(
      'warn',
      `Replaced the insecure default password of admin user '${username}' with the configured one. Unset ${ENV_PASSWORD} ` +
        '(or remove `admin_password` from the configuration file) now that the rotation is done.',
    );
  }
}
