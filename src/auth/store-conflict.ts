/** Turns the store's neutral conflict into the MLflow error a service words. */
import type { MlflowError } from '../protocol/errors.js';
import { StoreConflict } from '../store/store-errors.js';

export async function onConflict<T>(write: Promise<T>, error: () => MlflowError): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof StoreConflict) throw error();
    throw err;
  }
}
