/**
 * API-key auth. Keys come from `SESSION_KEYS_API_KEYS` as `key:scope,key:scope`.
 * Session endpoints need scope `admin` (the product guide); reading a policy
 * needs any known key. Missing/unknown key → 401, known key without the
 * scope → 403. Keys are compared as SHA-256 digests with timingSafeEqual, so
 * response time does not leak how much of a guess matched.
 */
import { createHash, timingSafeEqual } from "crypto";

export type Scope = string;

/** What the server asks of a key store: the scope of a presented key, or undefined if it is unknown. */
export interface KeyScopes {
  scopeOf(key: string | undefined): Scope | undefined;
}

export class ApiKeys implements KeyScopes {
  private readonly digests: { digest: Buffer; scope: Scope }[];

  constructor(entries: { key: string; scope: Scope }[]) {
    this.digests = entries.map((e) => ({ digest: sha256(e.key), scope: e.scope }));
  }

  /** `key:scope,key:scope`; whitespace around entries ignored; a malformed entry is an error (fail closed). */
  static parse(spec: string | undefined): ApiKeys {
    const entries = (spec ?? "").split(",").map((s) => s.trim()).filter(Boolean).map((entry) => {
      const i = entry.lastIndexOf(":");
      if (i <= 0 || i === entry.length - 1) throw new Error(`SESSION_KEYS_API_KEYS: malformed entry (want key:scope)`);
      return { key: entry.slice(0, i), scope: entry.slice(i + 1) };
    });
    return new ApiKeys(entries);
  }

  get size(): number {
    return this.digests.length;
  }

  /** The key's scope, or undefined if the key is unknown. Checks every entry (constant work per request). */
  scopeOf(key: string | undefined): Scope | undefined {
    if (!key) return undefined;
    const d = sha256(key);
    let found: Scope | undefined;
    for (const e of this.digests) if (timingSafeEqual(e.digest, d)) found = found ?? e.scope;
    return found;
  }
}

function sha256(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}
