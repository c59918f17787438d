/** The server-wide protection default: flags, environment variables, and the values that stop the server. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadServerConfig } from '../../src/config/config.js';

const CWD = '/srv/work';

describe('protected aliases and stages in the configuration', () => {
  it('protects nothing by default', () => {
    expect(loadServerConfig([], {}, CWD).governance).toEqual({ aliases: [], stages: [], approvalsRequired: 1 });
  });

  it('reads the flags, canonicalising stage names and dropping repeats', () => {
    const c = loadServerConfig(['--protected-aliases', 'champion, production,champion', '--protected-stages', 'production,Staging', '--protected-approvals', '2'], {}, CWD);
    expect(c.governance).toEqual({ aliases: ['champion', 'production'], stages: ['Production', 'Staging'], approvalsRequired: 2 });
  });

  it('reads the environment, and flags win over it', () => {
    const env = { FLOWREG_PROTECTED_ALIASES: 'gold', FLOWREG_PROTECTED_STAGES: 'Production', FLOWREG_PROTECTED_APPROVALS: '3' };
    expect(loadServerConfig([], env, CWD).governance).toEqual({ aliases: ['gold'], stages: ['Production'], approvalsRequired: 3 });
    expect(loadServerConfig(['--protected-aliases', 'silver'], env, CWD).governance.aliases).toEqual(['silver']);
  });

  it.each([
    [['--protected-aliases', 'bad alias'], "--protected-aliases: 'bad alias' is not a valid alias name"],
    [['--protected-aliases', 'latest'], "--protected-aliases: 'latest' is not a valid alias name"],
    [['--protected-aliases', 'v3'], "--protected-aliases: 'v3' is not a valid alias name"],
    [['--protected-stages', 'Live'], "--protected-stages: 'Live' is not a stage"],
    [['--protected-approvals', '11'], '--protected-approvals: expected 0 to 10, got 11'],
    [['--protected-approvals', 'two'], '--protected-approvals: expected a whole number'],
  ])('stops the server on %j', (argv, message) => {
    expect(() => loadServerConfig(argv, {}, CWD)).toThrow(ConfigError);
    expect(() => loadServerConfig(argv, {}, CWD)).toThrow(message);
  });
});
