/** Panels for governance, webhooks and the audit trail: shown when the server has their routes. */
import type { Abilities } from './common';

export function Governance(_props: { name: string; abilities: Abilities; refresh: number; done: () => void }) {
  return null;
}

export function AuditTrail(_props: { name: string; version?: string }) {
  return null;
}
