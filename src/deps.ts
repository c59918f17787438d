/**
 * What createApp needs: the services, the artifact store, the logger and the server's options,
 * built by compose.ts (server.ts, or tests around a temporary database). Routes are not part of
 * it: http/routes.ts registers every one of them from these.
 */
import type { RouteDeps, RouteOptions } from './http/routes.js';

export type Deps = RouteDeps;

/** The server options the routes depend on. */
export type AppOptions = RouteOptions;
