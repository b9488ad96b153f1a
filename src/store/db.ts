import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations.js';

export interface StoreOptions {
  /** SQLite file; ignored when ephemeral. */
  file?: string;
  /** Keep all state in memory (`--ephemeral`). */
  ephemeral?: boolean;
}

export const DEFAULT_STATE_FILE = '.preflight/state.db';
const MAX_CACHED_STATEMENTS = 1000;

/** The state directory cannot be used as it is; the message says why and what to do. */
export class StateError extends Error {}

/** Tables whose rows are named by a generated id: per API (api_id, id) or across the account (id). */
export type IdTable =
  | 'resources'
  | 'deployments'
  | 'rest_authorizers'
  | 'request_validators'
  | 'http_routes'
  | 'http_integrations'
  | 'http_authorizers'
  | 'http_deployments'
  | 'api_keys'
  | 'usage_plans'
  | 'domain_mappings';

/**
 * The one SQLite database behind the control plane. Every control operation runs in one transaction, so a
 * crash (even SIGKILL) leaves either all of an operation's writes or none. WAL lets the CLI write while a
 * server reads; `synchronous = FULL` makes an acknowledged write survive power loss too.
 */
export class Store {
  readonly db: Database.Database;
  readonly file: string;
  private readonly dataVersionStmt: Database.Statement<[], { data_version: number }>;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(options: StoreOptions = {}) {
    this.file = options.ephemeral ? ':memory:' : (options.file ?? DEFAULT_STATE_FILE);
    if (this.file !== ':memory:') mkdirSync(dirname(this.file), { recursive: true });
    this.db = new Database(this.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
    this.dataVersionStmt = this.db.prepare('PRAGMA data_version');
  }

  /**
   * A prepared statement for `sql`, compiled once and reused: compiling costs more than running most of the
   * control layer's statements (an import runs thousands). Callers must not change a statement's modes (pluck, raw,
   * expand) nor iterate one: it is shared.
   */
  prepare(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      // The control layer's SQL is literal text; the bound only guards against a caller that builds SQL strings.
      if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /**
   * An id from `make` that names no row of `table` yet (within the API, for tables keyed by API and id). The ids are
   * random and short, as AWS makes them: six characters meet by the birthday bound (an API of 10,000 resources:
   * about 2%), and the primary key would refuse the second one. Call it inside the transaction that inserts the row.
   */
  freshId(table: IdTable, apiId: string | undefined, make: () => string): string {
    const taken = this.prepare(apiId === undefined ? `SELECT 1 FROM ${table} WHERE id = ?` : `SELECT 1 FROM ${table} WHERE api_id = ? AND id = ?`);
    for (;;) {
      const id = make();
      if ((apiId === undefined ? taken.get(id) : taken.get(apiId, id)) === undefined) return id;
    }
  }

  /** Runs fn in one IMMEDIATE transaction (writers queue instead of failing with SQLITE_BUSY mid-way). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Changes when another connection (e.g. the CLI) commits; used to drop caches built from older state. */
  dataVersion(): number {
    return this.dataVersionStmt.get()!.data_version;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new StateError(
      `The state database was written by a newer preflight (schema ${current}, this one knows ${MIGRATIONS.length}). ` +
        'Upgrade preflight, or start with another --data directory.',
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
