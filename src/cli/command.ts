/**
 * How `flowreg push` and `flowreg pull` run: a usage error prints the message and the help and
 * exits 2; any other failure is one line on stderr and exit 1.
 */

export class UsageError extends Error {
  override name = 'UsageError';
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
