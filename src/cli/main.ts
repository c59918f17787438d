/**
 * The `flowreg` command. `flowreg server` takes `mlflow server`'s flags and environment variables.
 * A bad flag or URI is one clear line and exit code 2.
 */
import { ConfigError, loadServerConfig, SERVER_HELP } from '../config/config.js';
import { runServer } from '../server.js';
import { auditCommand } from './audit.js';
import { pullCommand } from './pull.js';
import { pushCommand } from './push.js';
import { FLOWREG_VERSION } from '../version.js';

const USAGE = `Usage: flowreg <command> [options]

Commands:
  server     run the MLflow-compatible registry server (flowreg server --help)
  push       publish a directory as a new model version (flowreg push --help)
  pull       download a model version into a directory (flowreg pull --help)
  audit      list the audit trail, or verify its hash chain (flowreg audit --help)
  --version  print the version
`;

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'server':
        if (rest.includes('--help')) {
          process.stdout.write(SERVER_HELP);
          return 0;
        }
        await runServer(loadServerConfig(rest, env));
        return undefined;
      case 'push':
        return await pushCommand(rest, env);
      case 'pull':
        return await pullCommand(rest, env);
      case 'audit':
        return await auditCommand(rest, env);
      case '--version':
      case 'version':
        process.stdout.write(`${FLOWREG_VERSION}\n`);
        return 0;
      case undefined:
      case '--help':
      case 'help':
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        process.stderr.write(`flowreg: unknown command '${command}'\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`flowreg: ${err.message}\n`);
      return 2;
    }
    if (err instanceof Error && 'code' in err && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`flowreg: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
