/**
 * One tokenizer for every flowreg command line (`server`, `push`, `pull`): `--flag value`,
 * `--flag=value` and short flags (`-n value`), as MLflow's click-based CLI accepts them.
 */

export interface ArgToken {
  /** The argument as given. */
  readonly arg: string;
  /** The flag part: `--port` for both `--port 5000` and `--port=5000`. */
  readonly flag: string;
  /** The text after `=` in `--flag=value`; undefined without one. */
  readonly inline: string | undefined;
  /** The flag's value: the text after `=`, else the next argument (consumed). */
  value(): string;
}

/** The arguments one by one; `needsValue` makes the error for a flag whose value is missing. */
export function* argTokens(argv: readonly string[], needsValue: (flag: string) => Error): Generator<ArgToken> {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    yield {
      arg,
      flag,
      inline,
      value: () => {
        if (inline !== undefined) return inline;
        const next = argv[i + 1];
        if (next === undefined) throw needsValue(flag);
        i += 1;
        return next;
      },
    };
  }
}
