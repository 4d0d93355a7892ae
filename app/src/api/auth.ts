/**
 * API-key auth. The server asks a `KeyStore` who a presented key is: its id
 * (for the audit log and idempotency records) and its scopes. Two stores:
 * `ApiKeys` here, from `SESSION_KEYS_API_KEYS` as `key:scope,key:scope`, and
 * `DbApiKeys` (./keys.ts), hashed keys in the SQLite file of `--db`.
 * Session endpoints need scope `admin` (the product guide); reading a policy
 * needs any known key. Missing/unknown key → 401, known key without the
 * scope → 403. Keys are compared as SHA-256 digests with timingSafeEqual, so
 * response time does not leak how much of a guess matched.
 */
import { createHash, timingSafeEqual } from "crypto";
import type { FastifyInstance } from "fastify";
import { UsageError } from "../shell/parse";
import { HttpError } from "./http";

/** Every scope a route asks for (./routes.ts): a key is made with some of these and no others. */
export const SCOPES = ["admin", "read"] as const;
export type Scope = (typeof SCOPES)[number];

/** Who a key is: `id` names it in the audit log (a store's id, or `env:N` for the Nth key of SESSION_KEYS_API_KEYS). */
export interface ApiKeyIdentity {
  id: string;
  scopes: Scope[];
}

/** What the server asks of a key store: who a presented key is, or undefined if it is unknown (or revoked). */
export interface KeyStore {
  lookup(key: string | undefined): ApiKeyIdentity | undefined;
}

/** Scopes as given (`admin`, `read`); an unknown or repeated one is a usage error naming it. */
export function parseScopes(given: string[]): Scope[] {
  if (given.length === 0) throw new UsageError(`a key needs a scope (one of ${SCOPES.join(", ")})`);
  for (const s of given) if (!(SCOPES as readonly string[]).includes(s)) throw new UsageError(`unknown scope ${JSON.stringify(s)} (known: ${SCOPES.join(", ")})`);
  if (new Set(given).size !== given.length) throw new UsageError("a scope is given twice");
  return given as Scope[];
}

export class ApiKeys implements KeyStore {
  private readonly digests: { digest: Buffer; identity: ApiKeyIdentity }[];

  constructor(entries: { key: string; scope: Scope }[]) {
    this.digests = entries.map((e, i) => ({ digest: keyDigest(e.key), identity: { id: `env:${i + 1}`, scopes: [e.scope] } }));
  }

  /** `key:scope,key:scope`; whitespace around entries ignored; a malformed entry or unknown scope is an error (fail closed). */
  static parse(spec: string | undefined): ApiKeys {
    const entries = (spec ?? "").split(",").map((s) => s.trim()).filter(Boolean).map((entry) => {
      const i = entry.lastIndexOf(":");
      if (i <= 0 || i === entry.length - 1) throw new UsageError(`SESSION_KEYS_API_KEYS: malformed entry (want key:scope)`);
      return { key: entry.slice(0, i), scope: parseScopes([entry.slice(i + 1)])[0] };
    });
    return new ApiKeys(entries);
  }

  get size(): number {
    return this.digests.length;
  }

  /** Checks every entry (constant work per request). */
  lookup(key: string | undefined): ApiKeyIdentity | undefined {
    if (!key) return undefined;
    const d = keyDigest(key);
    let found: ApiKeyIdentity | undefined;
    for (const e of this.digests) if (timingSafeEqual(e.digest, d)) found = found ?? e.identity;
    return found;
  }
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** Scopes that may call the route (any of); absent: public. */
    scopes?: Scope[];
  }
  interface FastifyRequest {
    /** The key that called a secured route (null on public routes, and until auth ran). */
    apiKey: ApiKeyIdentity | null;
  }
}

/** 401 for a missing or unknown key, 403 for a key without the route's scope; public routes (and 404s) pass. */
export function registerAuth(app: FastifyInstance, keys: KeyStore): void {
  app.decorateRequest("apiKey", null);
  app.addHook("onRequest", async (req) => {
    const scopes = req.routeOptions.config.scopes;
    if (!scopes) return;
    const header = req.headers["x-api-key"];
    const identity = keys.lookup(Array.isArray(header) ? header[0] : header);
    if (!identity) throw new HttpError(401, "Unauthorized", "missing or unknown x-api-key");
    req.apiKey = identity;
    if (!identity.scopes.some((s) => scopes.includes(s))) throw new HttpError(403, "Forbidden", `this endpoint needs scope ${scopes.join(" or ")}`);
  });
}

/** SHA-256 of a key, as stored and compared. */
export function keyDigest(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}
