/**
 * Webhook events: MLflow's (entities/webhook.py: VALID_ENTITY_ACTIONS, webhooks/types.py payloads)
 * and flowreg's opt-in ones, and how a journalled change becomes the events it reports.
 *
 * flowreg's extra events can only be subscribed to through flowreg's own API
 * (`PUT /api/flowreg/v1/webhooks/{id}/extra-events`): each is an entity/action pair MLflow's
 * validation rejects, so a webhook made by an MLflow client never receives one, and MLflow's
 * `events` field never shows one.
 */
import type { JournalEntry } from '../store/change.js';

/** MLflow 3.17.2's valid entity/action pairs (entities/webhook.py: VALID_ENTITY_ACTIONS), in proto order. */
export const MLFLOW_EVENTS: Readonly<Record<string, readonly string[]>> = {
  registered_model: ['created'],
  model_version: ['created'],
  model_version_tag: ['set', 'deleted'],
  model_version_alias: ['created', 'deleted'],
  prompt: ['created'],
  prompt_version: ['created'],
  prompt_tag: ['set', 'deleted'],
  prompt_version_tag: ['set', 'deleted'],
  prompt_alias: ['created', 'deleted'],
  budget_policy: ['exceeded'],
};

/** The proto enums (protos/webhooks.proto: WebhookEntity, WebhookAction), by number. */
export const ENTITY_ENUM = [
  'ENTITY_UNSPECIFIED',
  'REGISTERED_MODEL',
  'MODEL_VERSION',
  'MODEL_VERSION_TAG',
  'MODEL_VERSION_ALIAS',
  'PROMPT',
  'PROMPT_VERSION',
  'PROMPT_TAG',
  'PROMPT_VERSION_TAG',
  'PROMPT_ALIAS',
  'BUDGET_POLICY',
] as const;
export const ACTION_ENUM = ['ACTION_UNSPECIFIED', 'CREATED', 'UPDATED', 'DELETED', 'SET', 'EXCEEDED'] as const;

/** flowreg's opt-in events (none is a pair MLflow accepts). */
export const EXTRA_EVENTS = [
  'model_version.deleted',
  'model_version.stage_transitioned',
  'model_version.updated',
  'registered_model.updated',
  'registered_model.renamed',
  'registered_model.deleted',
  'model_version_alias.rolled_back',
  'approval.granted',
] as const;

export type Payload = Record<string, unknown>;

export interface EventOccurrence {
  /** `entity.action`. */
  readonly event: string;
  readonly data: Payload;
  /** Whether MLflow would send a prompt event instead when the model is a prompt. */
  readonly skipForPrompts?: boolean;
}

const PROMPT_TAG = 'mlflow.prompt.is_prompt';

interface TagList {
  readonly key: string;
  readonly value: string;
}

function tagMap(tags: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(tags)) for (const t of tags as TagList[]) out[t.key] = t.value;
  return out;
}

function isPromptTags(tags: Record<string, string>): boolean {
  return (tags[PROMPT_TAG] ?? '').toLowerCase() === 'true';
}

const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});

/**
 * The events one change reports. MLflow's payloads come from the request (server/handlers.py:
 * _create_registered_model … _delete_registered_model_alias); the change holds the same values.
 */
export function eventsOf(entry: JournalEntry): EventOccurrence[] {
  const before = obj(entry.before);
  const after = obj(entry.after);
  const name = entry.name;
  const version = entry.version ?? undefined;
  switch (entry.action) {
    case 'registered_model.create': {
      const tags = tagMap(after.tags);
      // A prompt is created as a registered model; MLflow sends prompt.created for it instead.
      if (isPromptTags(tags)) return [];
      // proto2: an unset description reads as '' (handlers.py passes request_message.description).
      return [{ event: 'registered_model.created', data: { name, tags, description: (after.description as string | null) ?? '' } }];
    }
    case 'model_version.create': {
      // A prompt's versions carry the prompt tag themselves: no look-up of the model is needed.
      const tags = tagMap(after.tags);
      if (isPromptTags(tags)) return [];
      return [
        {
          event: 'model_version.created',
          data: {
            name,
            version: String(after.version ?? version),
            source: after.source ?? '',
            run_id: (after.run_id as string | null) || null,
            tags,
            description: (after.description as string | null) || null,
          },
        },
      ];
    }
    case 'model_version.tag.set':
      return [{ event: 'model_version_tag.set', data: { name, version, key: after.key, value: after.value }, skipForPrompts: true }];
    case 'model_version.tag.delete': {
      const key = before.key ?? (entry as { key?: string }).key;
      return key === undefined ? [] : [{ event: 'model_version_tag.deleted', data: { name, version, key }, skipForPrompts: true }];
    }
    case 'model_version.alias.set': {
      const out: EventOccurrence[] = [
        { event: 'model_version_alias.created', data: { name, alias: after.alias, version: String(after.version) }, skipForPrompts: true },
      ];
      // Governance's rollbacks journal `via` (store/sql/governance-sql.ts: moveAlias).
      const via = after.via;
      if (via === 'rollback' || via === 'emergency_rollback') {
        out.push({
          event: 'model_version_alias.rolled_back',
          data: {
            name,
            alias: after.alias,
            version: String(after.version),
            previous_version: before.version === undefined ? null : String(before.version),
            emergency: via === 'emergency_rollback',
          },
        });
      }
      return out;
    }
    case 'model_version.alias.delete':
      return [{ event: 'model_version_alias.deleted', data: { name, alias: before.alias }, skipForPrompts: true }];
    // ---- flowreg's opt-in events ----
    case 'model_version.delete':
      return [{ event: 'model_version.deleted', data: { name, version, aliases: before.aliases ?? [] } }];
    case 'model_version.stage.transition':
      return [
        {
          event: 'model_version.stage_transitioned',
          data: {
            name,
            version,
            from_stage: before.stage ?? null,
            to_stage: after.stage ?? null,
            archived_versions: after.archived_versions ?? [],
            ...(after.via === 'approval' ? { request_id: after.request_id ?? null } : {}),
          },
        },
      ];
    // An approved request applied: its alias move or stage transition is journalled beside it.
    case 'approval_request.apply':
      return [
        {
          event: 'approval.granted',
          data: {
            name,
            version,
            request_id: after.id ?? null,
            target_type: after.target_type ?? null,
            target: after.target ?? null,
            requester: after.requester ?? null,
            applied_by: entry.actor.user,
          },
        },
      ];
    case 'model_version.update':
      return [{ event: 'model_version.updated', data: { name, version, description: after.description ?? null, previous_description: before.description ?? null } }];
    case 'registered_model.update':
      return [{ event: 'registered_model.updated', data: { name, description: after.description ?? null, previous_description: before.description ?? null } }];
    case 'registered_model.rename':
      return [{ event: 'registered_model.renamed', data: { name: after.name ?? name, old_name: before.name ?? null } }];
    case 'registered_model.delete':
      return [{ event: 'registered_model.deleted', data: { name } }];
    default:
      return [];
  }
}

/** The payload `test_webhook` sends for an event (webhooks/types.py: each payload's `example()`). */
export function examplePayload(event: string): Payload {
  const examples: Record<string, Payload> = {
    'registered_model.created': { name: 'example_model', tags: { example_key: 'example_value' }, description: 'An example registered model' },
    'model_version.created': {
      name: 'example_model',
      version: '1',
      source: 'models:/123',
      run_id: 'abcd1234abcd5678',
      tags: { example_key: 'example_value' },
      description: 'An example model version',
    },
    'model_version_tag.set': { name: 'example_model', version: '1', key: 'example_key', value: 'example_value' },
    'model_version_tag.deleted': { name: 'example_model', version: '1', key: 'example_key' },
    'model_version_alias.created': { name: 'example_model', alias: 'example_alias', version: '1' },
    'model_version_alias.deleted': { name: 'example_model', alias: 'example_alias' },
    'prompt.created': { name: 'example_prompt', tags: { example_key: 'example_value' }, description: 'An example prompt' },
    'prompt_version.created': {
      name: 'example_prompt',
      version: '1',
      template: 'Hello {{name}}!',
      tags: { example_key: 'example_value' },
      description: 'An example prompt version',
    },
    'prompt_tag.set': { name: 'example_prompt', key: 'example_key', value: 'example_value' },
    'prompt_tag.deleted': { name: 'example_prompt', key: 'example_key' },
    'prompt_version_tag.set': { name: 'example_prompt', version: '1', key: 'example_key', value: 'example_value' },
    'prompt_version_tag.deleted': { name: 'example_prompt', version: '1', key: 'example_key' },
    'prompt_alias.created': { name: 'example_prompt', alias: 'example_alias', version: '1' },
    'prompt_alias.deleted': { name: 'example_prompt', alias: 'example_alias' },
    'budget_policy.exceeded': { budget_policy_id: 'bp-example', budget_amount: 100.0, current_spend: 105.5, duration_unit: 'MONTHS', duration_value: 1, target_scope: 'GLOBAL', workspace: 'default' },
  };
  return examples[event] ?? {};
}

/** The body of a delivery: MLflow's envelope (webhooks/delivery.py: _send_webhook_request). */
export function envelope(event: string, data: Payload, time: number): string {
  const [entity, action] = event.split('.') as [string, string];
  // Python's datetime.isoformat() with microseconds and +00:00; JSON as json.dumps (", " and ": ").
  const timestamp = new Date(time).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
  return pythonJsonDumps({ entity, action, timestamp, data });
}

/** json.dumps's default layout (separators ", " and ": ", non-ASCII escaped), so bodies read as MLflow's. */
export function pythonJsonDumps(value: unknown): string {
  const text = JSON.stringify(value, null, 1);
  // Re-layout JSON.stringify's one-space indentation on one line.
  return collapse(text).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function collapse(indented: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < indented.length; i++) {
    const c = indented[i] as string;
    if (inString) {
      out += c;
      if (c === '\\') out += indented[++i];
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '\n') {
      // Skip the newline and its indentation; "[\n" / "{\n" open without a space.
      while (indented[i + 1] === ' ') i++;
      const prev = out[out.length - 1];
      const next = indented[i + 1];
      if (prev === ',') out += ' ';
      else if (prev !== '[' && prev !== '{' && next !== ']' && next !== '}') out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}
