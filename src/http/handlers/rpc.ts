/**
 * One JSON RPC route: read the request message (query string or JSON body, as MLflow's
 * _get_request_message), decode the RPC's declared shape from it, then answer. The body is read and
 * every declared field checked before the handler runs.
 */
import type { RequestMessage } from '../../protocol/request-message.js';
import { decoder, type Decoded, type Shape } from '../../protocol/request-schema.js';
import type { HttpMethod, JsonContext, RouteDef } from '../router.js';

export type RpcHandler<S extends Shape> = (req: Decoded<S>, ctx: JsonContext, msg: RequestMessage) => Promise<object> | object;

export function rpc<S extends Shape>(
  method: HttpMethod | readonly HttpMethod[],
  version: RouteDef['version'],
  path: string,
  shape: S,
  handle: RpcHandler<S>,
): RouteDef {
  const decode = decoder(shape);
  return {
    method,
    version,
    path,
    handler: async (ctx) => {
      const msg = await ctx.message();
      return handle(decode(msg), ctx, msg);
    },
  };
}
