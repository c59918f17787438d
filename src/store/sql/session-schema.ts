/** Typed table of the web UI's sessions (session-migration.ts). */
export interface SessionsTable {
  id_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
  password_stamp: string;
}

/** A type, not an interface: `withTables` needs an index signature. */
export type SessionTables = {
  sessions: SessionsTable;
};
