/**
 * One JSON RPC route: read the request message (query string or JSON body, as MLflow's
 * _get_request_message), then answer from it. Every handler starts from the decoded message, so the
 * body is read and checked once, before anything else happens.
 */
import type { RequestMessage } from '../../protocol/request.js';
import type { HttpMethod, JsonContext, RouteDef } from '../router.js';

export type RpcHandler = (msg: RequestMessage, ctx: JsonContext) => Promise<object> | object;

export function rpc(method: HttpMethod | readonly HttpMethod[], version: RouteDef['version'], path: string, handle: RpcHandler): RouteDef {
  return { method, version, path, handler: async (ctx) => handle(await ctx.message(), ctx) };
}
