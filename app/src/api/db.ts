/**
 * The API's SQLite file (better-sqlite3): API keys, the audit log and
 * idempotency records, in three tables. The file is created mode 0600 (and
 * put back to 0600 if found wider): it holds key hashes and who did what.
 * SQLite gives its journal the database file's mode. Without a file, the
 * audit log and idempotency records live in an in-memory database instead.
 */
import * as fs from "fs";
import Database from "better-sqlite3";

export type Db = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  hash BLOB NOT NULL UNIQUE,
  scopes TEXT NOT NULL,
  label TEXT,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  key_id TEXT,
  method TEXT NOT NULL,
  route TEXT NOT NULL,
  signature TEXT,
  status INTEGER NOT NULL,
  error TEXT
);
CREATE TABLE IF NOT EXISTS idempotency (
  key_id TEXT NOT NULL,
  idempotency_key TEXT NOT NULL,
  request TEXT NOT NULL,
  body_hash BLOB NOT NULL,
  status INTEGER,
  reply TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (key_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS idempotency_created_at ON idempotency (created_at);
`;

/** Open (creating if absent, mode 0600) the database at `file`, or an in-memory one when `file` is undefined. */
export function openDb(file?: string): Db {
  if (file !== undefined) {
    fs.closeSync(fs.openSync(file, "a", 0o600));
    fs.chmodSync(file, 0o600);
  }
  const db = new Database(file ?? ":memory:");
  db.exec(SCHEMA);
  return db;
}
