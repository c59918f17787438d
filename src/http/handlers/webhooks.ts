/**
 * MLflow's webhook API (server/handlers.py: _create_webhook … _test_webhook, 3.17.2), and flowreg's
 * delivery log and opt-in events under /api/flowreg/v1/webhooks.
 */
import { deliveryJson, testResultJson, webhookJson } from '../../protocol/messages/webhooks.js';
import { invalidParameter } from '../../protocol/errors.js';
import type { RequestMessage } from '../../protocol/request-message.js';
import { field } from '../../protocol/request-schema.js';
import type { WebhookStatus } from '../../store/webhook-store.js';
import { ACTION_ENUM, ENTITY_ENUM } from '../../webhooks/events.js';
import { mlflowEvent, type Webhooks } from '../../webhooks/service.js';
import type { RouteDef } from '../router.js';
import { rpc } from './rpc.js';

const STATUS = [undefined, 'ACTIVE', 'DISABLED'] as const;

/** One WebhookEvent message → `entity.action`, checked as WebhookEvent.from_proto does. */
function eventOf(m: RequestMessage): string {
  const entity = m.enum('entity', ENTITY_ENUM);
  const action = m.enum('action', ACTION_ENUM);
  if (entity === undefined || entity === 'ENTITY_UNSPECIFIED') throw m.missing('entity');
  if (action === undefined || action === 'ACTION_UNSPECIFIED') throw m.missing('action');
  return mlflowEvent({ entity: entity.toLowerCase(), action: action.toLowerCase() });
}

/** `events`: a list of WebhookEvent messages, read before any is checked (as the proto parse). */
const events = (m: RequestMessage, n: string): RequestMessage[] => m.messages(n);
const status = (m: RequestMessage, n: string): WebhookStatus | undefined => m.enum(n, STATUS);
const optionalInt = (m: RequestMessage, n: string): number | undefined => m.optionalInt(n);

export function webhookRoutes(webhooks: Webhooks): RouteDef[] {
  const base = '/mlflow/webhooks';
  const native = '/webhooks';
  const id = (p: Readonly<Record<string, string>>) => p.webhook_id as string;
  return [
    rpc(
      'POST',
      '2.0',
      base,
      {
        name: field.string,
        url: field.string,
        events: field.required(events),
        description: field.optionalString,
        secret: field.optionalString,
        status,
      },
      async (req) => {
        const list = req.events.map(eventOf);
        return {
          webhook: webhookJson(
            await webhooks.create({ name: req.name, url: req.url, events: list, description: req.description, secret: req.secret, status: req.status }),
          ),
        };
      },
    ),
    rpc('GET', '2.0', base, { max_results: optionalInt, page_token: field.optionalString }, async (req) => {
      const page = await webhooks.list(req.maxResults, req.pageToken);
      return {
        ...(page.webhooks.length ? { webhooks: page.webhooks.map(webhookJson) } : {}),
        ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
      };
    }),
    rpc('GET', '2.0', `${base}/{webhook_id}`, {}, async (_req, { pathParams }) => ({ webhook: webhookJson(await webhooks.get(id(pathParams))) })),
    rpc(
      'PATCH',
      '2.0',
      `${base}/{webhook_id}`,
      {
        name: field.optionalString,
        description: field.optionalString,
        url: field.optionalString,
        events,
        secret: field.optionalString,
        status,
      },
      async (req, { pathParams }) => {
        const list = req.events.map(eventOf);
        // handlers.py: name and url `or None`, events only when non-empty; description, secret
        // and status whenever present (HasField), even empty.
        const updated = await webhooks.update(id(pathParams), {
          name: req.name || undefined,
          description: req.description,
          url: req.url || undefined,
          events: list.length ? list : undefined,
          secret: req.secret,
          status: req.status,
        });
        return { webhook: webhookJson(updated) };
      },
    ),
    rpc('DELETE', '2.0', `${base}/{webhook_id}`, {}, async (_req, { pathParams }) => {
      await webhooks.delete(id(pathParams));
      return {};
    }),
    rpc('POST', '2.0', `${base}/{webhook_id}/test`, { event: (m, n) => m.message(n) }, async (req, { pathParams }) => {
      const event = req.event ? eventOf(req.event) : undefined;
      return { result: testResultJson(await webhooks.test(id(pathParams), event)) };
    }),

    // ---- flowreg: the delivery log and the opt-in events ----
    rpc('GET', 'flowreg/v1', `${native}/{webhook_id}/deliveries`, { max_results: optionalInt, page_token: field.optionalString }, async (req, { pathParams }) => {
      const page = await webhooks.deliveries(id(pathParams), req.maxResults, req.pageToken);
      return { deliveries: page.deliveries.map(deliveryJson), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
    }),
    rpc('POST', 'flowreg/v1', `${native}/{webhook_id}/deliveries/{delivery_id}/redeliver`, {}, async (_req, { pathParams }) => ({
      delivery: deliveryJson(await webhooks.redeliver(id(pathParams), pathParams.delivery_id as string)),
    })),
    rpc('GET', 'flowreg/v1', `${native}/{webhook_id}/extra-events`, {}, async (_req, { pathParams }) => ({
      events: (await webhooks.get(id(pathParams))).extraEvents,
    })),
    rpc('PUT', 'flowreg/v1', `${native}/{webhook_id}/extra-events`, { events: field.strings }, async (req, { pathParams }) => {
      if (!Array.isArray(req.events)) throw invalidParameter("Invalid value for parameter 'events': expected a list of strings");
      return { events: (await webhooks.setExtraEvents(id(pathParams), req.events)).extraEvents };
    }),
  ];
}
