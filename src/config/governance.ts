/**
 * The server-wide protection default: aliases and stages protected on every model
 * (`--protected-aliases champion,production`, `--protected-stages Production`, with
 * `--protected-approvals N` approvals each; FLOWREG_PROTECTED_ALIASES, FLOWREG_PROTECTED_STAGES,
 * FLOWREG_PROTECTED_APPROVALS). A model's own protection (PUT …/protection) takes precedence.
 * A value that cannot be honoured stops the server: a protection silently dropped would let
 * every write through.
 */
import { ConfigError } from './config-error.js';

export interface GovernanceSettings {
  readonly aliases: readonly string[];
  /** Canonical stage names (Production, Staging, Archived, None). */
  readonly stages: readonly string[];
  readonly approvalsRequired: number;
}

const STAGES = ['None', 'Staging', 'Production', 'Archived'];
/** As MLflow's alias names (validation._validate_model_alias_name), without the reserved ones. */
const ALIAS = /^[\p{L}\p{N}_-]{1,256}$/u;
export const MAX_PROTECTED_APPROVALS = 10;

function list(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return [...new Set(raw.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
}

export function governanceSettingsFrom(raw: { aliases?: string; stages?: string; approvals?: number }): GovernanceSettings {
  const aliases = list(raw.aliases);
  for (const a of aliases) {
    if (!ALIAS.test(a) || a.toLowerCase() === 'latest' || /^[vV]\d+$/.test(a)) {
      throw new ConfigError(`--protected-aliases: '${a}' is not a valid alias name (letters, digits, _ and -; not 'latest' or v<N>)`);
    }
  }
  const stages = list(raw.stages).map((s) => {
    const found = STAGES.find((x) => x.toLowerCase() === s.toLowerCase());
    if (!found) throw new ConfigError(`--protected-stages: '${s}' is not a stage (${STAGES.join(', ')})`);
    return found;
  });
  const approvalsRequired = raw.approvals ?? 1;
  if (approvalsRequired < 0 || approvalsRequired > MAX_PROTECTED_APPROVALS) {
    throw new ConfigError(`--protected-approvals: expected 0 to ${MAX_PROTECTED_APPROVALS}, got ${approvalsRequired}`);
  }
  return { aliases, stages: [...new Set(stages)], approvalsRequired };
}
