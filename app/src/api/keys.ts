/**
 * API keys in the SQLite file (./db.ts): each a random 32-byte key, shown
 * once when made and kept only as its SHA-256 digest (a 256-bit random key
 * cannot be guessed from its digest, so no salt or slow hash is needed).
 * A presented key is found by its digest (the index compares digests, never
 * the key) and checked with timingSafeEqual; a revoked key is unknown from
 * the next request on.
 */
import { randomBytes, timingSafeEqual } from "crypto";
import { UsageError } from "../shell/parse";
import { ApiKeyIdentity, KeyStore, keyDigest, parseScopes, Scope } from "./auth";
import { Db } from "./db";

/** A key as `list` shows it: never its digest. */
export interface ApiKeyRecord {
  id: number;
  label: string | null;
  scopes: Scope[];
  createdAt: string;
  revokedAt: string | null;
}

interface Row { id: number; label: string | null; scopes: string; created_at: string; revoked_at: string | null }

/** Keys look like `sk_<43 base64url characters>`: the prefix tells a leaked one apart from other secrets. */
const KEY_PREFIX = "sk_";

export class DbApiKeys implements KeyStore {
  constructor(private readonly db: Db) {}

  /** A new key with `scopes` (each one the routes know); the key itself is returned here and nowhere else. */
  create(scopes: string[], label?: string): { id: number; key: string } {
    const valid = parseScopes(scopes);
    const key = KEY_PREFIX + randomBytes(32).toString("base64url");
    const { lastInsertRowid } = this.db
      .prepare("INSERT INTO api_keys (hash, scopes, label, created_at) VALUES (?, ?, ?, ?)")
      .run(keyDigest(key), valid.join(","), label ?? null, new Date().toISOString());
    return { id: Number(lastInsertRowid), key };
  }

  list(): ApiKeyRecord[] {
    const rows = this.db.prepare("SELECT id, label, scopes, created_at, revoked_at FROM api_keys ORDER BY id").all() as Row[];
    return rows.map((r) => ({ id: r.id, label: r.label, scopes: r.scopes.split(",") as Scope[], createdAt: r.created_at, revokedAt: r.revoked_at }));
  }

  /** Revoke key `id` now; an unknown or already revoked id is a usage error. */
  revoke(id: number): void {
    const { changes } = this.db.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL").run(new Date().toISOString(), id);
    if (changes === 0) throw new UsageError(`no active key ${id}`);
  }

  lookup(key: string | undefined): ApiKeyIdentity | undefined {
    if (!key) return undefined;
    const digest = keyDigest(key);
    const row = this.db.prepare("SELECT id, hash, scopes FROM api_keys WHERE hash = ? AND revoked_at IS NULL").get(digest) as
      { id: number; hash: Buffer; scopes: string } | undefined;
    if (!row || !timingSafeEqual(row.hash, digest)) return undefined;
    return { id: String(row.id), scopes: row.scopes.split(",") as Scope[] };
  }
}
