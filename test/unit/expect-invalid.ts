import { expect } from 'vitest';
import { MlflowError } from '../../src/protocol/errors.js';

/** `fn` throws MLflow's 400 INVALID_PARAMETER_VALUE with this message (exact, or matching). */
export function expectInvalid(fn: () => unknown, message: string | RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(MlflowError);
  const err = caught as MlflowError;
  expect(err.code).toBe('INVALID_PARAMETER_VALUE');
  expect(err.httpStatus).toBe(400);
  if (typeof message === 'string') expect(err.message).toBe(message);
  else expect(err.message).toMatch(message);
}
