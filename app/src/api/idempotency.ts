/**
 * `Idempotency-Key` on POSTs. The first request with a key (per API key)
 * claims it with its method, route and a hash of its body; its reply is
 * stored as it is sent. A repeat with the same key, route and body gets the
 * stored status and body back without running again (no second
 * transaction); the same key on another body or route is 422
 * `IdempotencyKeyReused`; a repeat while the first is still running is 409
 * `IdempotencyKeyInFlight`. A 5xx reply is not stored (the key is released,
 * so a retry runs). Records expire after 24 hours.
 */
import { createHash } from "crypto";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { Db } from "./db";
import { HttpError } from "./http";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** The header as the OpenAPI document shows it on every POST, and as fastify validates it (400 naming it). */
export const IdempotencyHeaders = Type.Object({
  "idempotency-key": Type.Optional(Type.String({
    minLength: 1, maxLength: 255, pattern: "^[\\x20-\\x7e]+$",
    description: "1 to 255 printable ASCII characters: a repeat with the same key and body returns the first reply without running again (24 h)",
  })),
});

/** What a claimed key holds: run the request (`fresh`), or answer without running it. */
export type Claim =
  | { kind: "fresh" }
  | { kind: "replay"; status: number; reply: string }
  | { kind: "reused" }
  | { kind: "inFlight" };

interface Row { request: string; body_hash: Buffer; status: number | null; reply: string | null }

export class IdempotencyStore {
  constructor(private readonly db: Db, private readonly now: () => number = Date.now) {}

  /** Claim `key` of API key `keyId` for `request` (method and route) with a body of digest `bodyHash`. */
  claim(keyId: string, key: string, request: string, bodyHash: Buffer): Claim {
    const now = this.now();
    this.db.prepare("DELETE FROM idempotency WHERE created_at <= ?").run(now - IDEMPOTENCY_TTL_MS);
    const inserted = this.db.prepare("INSERT OR IGNORE INTO idempotency (key_id, idempotency_key, request, body_hash, created_at) VALUES (?, ?, ?, ?, ?)")
      .run(keyId, key, request, bodyHash, now);
    if (inserted.changes === 1) return { kind: "fresh" };
    const row = this.db.prepare("SELECT request, body_hash, status, reply FROM idempotency WHERE key_id = ? AND idempotency_key = ?").get(keyId, key) as Row;
    if (row.request !== request || !row.body_hash.equals(bodyHash)) return { kind: "reused" };
    if (row.status === null || row.reply === null) return { kind: "inFlight" };
    return { kind: "replay", status: row.status, reply: row.reply };
  }

  complete(keyId: string, key: string, status: number, reply: string): void {
    this.db.prepare("UPDATE idempotency SET status = ?, reply = ? WHERE key_id = ? AND idempotency_key = ?").run(status, reply, keyId, key);
  }

  release(keyId: string, key: string): void {
    this.db.prepare("DELETE FROM idempotency WHERE key_id = ? AND idempotency_key = ?").run(keyId, key);
  }
}

declare module "fastify" {
  interface FastifyRequest {
    /** The idempotency key this request claimed (its reply is stored when sent). */
    idempotencyKey: string | null;
  }
}

/** After auth and validation: replay, refuse, or claim; then store the reply of a claimed request as it is sent. */
export function registerIdempotency(app: FastifyInstance, store: IdempotencyStore): void {
  app.decorateRequest("idempotencyKey", null);
  app.addHook("preHandler", async (req, reply) => {
    const key = req.headers["idempotency-key"];
    if (req.method !== "POST" || typeof key !== "string" || !req.apiKey) return;
    const claim = store.claim(req.apiKey.id, key, `${req.method} ${req.routeOptions.url}`, bodyHash(req.body));
    if (claim.kind === "reused") throw new HttpError(422, "IdempotencyKeyReused", "this Idempotency-Key was used for another request (body or route): use a new key for a new request");
    if (claim.kind === "inFlight") throw new HttpError(409, "IdempotencyKeyInFlight", "a request with this Idempotency-Key is still running: retry when it has answered");
    if (claim.kind === "replay") return reply.code(claim.status).type("application/json; charset=utf-8").header("idempotent-replayed", "true").send(claim.reply);
    req.idempotencyKey = key;
  });
  app.addHook("onSend", async (req, reply, payload) => {
    if (req.idempotencyKey === null || !req.apiKey) return payload;
    if (reply.statusCode >= 500) store.release(req.apiKey.id, req.idempotencyKey);
    else store.complete(req.apiKey.id, req.idempotencyKey, reply.statusCode, String(payload));
    return payload;
  });
}

/** SHA-256 of the body as JSON with sorted keys: the same fields in another order are the same body. */
function bodyHash(body: unknown): Buffer {
  return createHash("sha256").update(canonicalJson(body)).digest();
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}
