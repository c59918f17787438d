/**
 * Who is acting, for the request being served: the user (once authenticated), the request id of
 * its log line, the client's address and user agent. Carried by AsyncLocalStorage so that the
 * store can stamp every change it journals without each call passing it down. Outside a request
 * (start-up, the CLI, background workers) the actor is `system`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Actor {
  /** The authenticated username; `anonymous` when authentication is off. */
  user: string;
  readonly requestId: string | null;
  readonly address: string | null;
  readonly userAgent: string | null;
}

const storage = new AsyncLocalStorage<Actor>();

/** The actor outside any request. */
export const SYSTEM_ACTOR: Actor = Object.freeze({ user: 'system', requestId: null, address: null, userAgent: null });

/** Runs `fn` with `actor` as the current actor (the dispatcher wraps each request in this). */
export function runAs<T>(actor: Actor, fn: () => T): T {
  return storage.run(actor, fn);
}

export function currentActor(): Actor {
  return storage.getStore() ?? SYSTEM_ACTOR;
}
