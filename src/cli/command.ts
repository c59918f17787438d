/**
 * How `flowreg push` and `flowreg pull` run: a usage error prints the message and the help and
 * exits 2; any other failure is one line on stderr and exit 1.
 */

import { argTokens } from '../config/argv.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** The options `push` and `pull` share. */
export interface CommonOptions {
  trackingUri: string | undefined;
  progress: boolean | undefined;
}

/**
 * Reads a subcommand's arguments: `--help`, `--tracking-uri` and `--[no-]progress` into `common`,
 * every other flag through `option` (false: unknown). Returns the positional arguments (`-` is
 * one), or 'help'.
 */
export function readArgs(
  argv: readonly string[],
  common: CommonOptions,
  option: (flag: string, value: () => string) => boolean,
): string[] | 'help' {
  const positional: string[] = [];
  for (const { arg, flag, value } of argTokens(argv, (name) => new UsageError(`${name} needs a value`))) {
    if (flag === '-h' || flag === '--help') return 'help';
    if (flag === '--tracking-uri') common.trackingUri = value();
    else if (flag === '--progress') common.progress = true;
    else if (flag === '--no-progress') common.progress = false;
    else if (!option(flag, value)) {
      if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'`);
      positional.push(arg);
    }
  }
  return positional;
}

export async function runSubcommand<O>(
  name: string,
  help: string,
  parse: () => O | 'help',
  action: (opts: O) => Promise<number>,
): Promise<number> {
  let opts: O | 'help';
  try {
    opts = parse();
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`flowreg ${name}: ${err.message}\n\n${help}`);
      return 2;
    }
    throw err;
  }
  if (opts === 'help') {
    process.stdout.write(help);
    return 0;
  }
  try {
    return await action(opts);
  } catch (err) {
    process.stderr.write(`flowreg ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
