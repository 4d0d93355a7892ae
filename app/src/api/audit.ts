/**
 * The audit log: one row per request to an audited route (every route that
 * needs the admin scope, and the relay), refused ones included — when, which
 * key (null when none was recognised), the method and route pattern (not the
 * raw URL), the transaction signature if the reply has one, and the reply's
 * status and error name.
 */
import type { FastifyInstance } from "fastify";
import { Db } from "./db";

export interface AuditEntry {
  at: string;
  keyId: string | null;
  method: string;
  route: string;
  signature: string | null;
  status: number;
  error: string | null;
}

interface Row { at: string; key_id: string | null; method: string; route: string; signature: string | null; status: number; error: string | null }

declare module "fastify" {
  interface FastifyContextConfig {
    /** Record every request to this route in the audit log. */
    audit?: boolean;
  }
}

export class AuditLog {
  constructor(private readonly db: Db) {}

  record(e: Omit<AuditEntry, "at">): void {
    this.db.prepare("INSERT INTO audit (at, key_id, method, route, signature, status, error) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .run(new Date().toISOString(), e.keyId, e.method, e.route, e.signature, e.status, e.error);
  }

  /** The latest `limit` entries, newest first. */
  recent(limit: number): AuditEntry[] {
    const rows = this.db.prepare("SELECT at, key_id, method, route, signature, status, error FROM audit ORDER BY id DESC LIMIT ?").all(limit) as Row[];
    return rows.map((r) => ({ at: r.at, keyId: r.key_id, method: r.method, route: r.route, signature: r.signature, status: r.status, error: r.error }));
  }
}

/** Records each audited route's reply as it is sent (after auth, validation and the handler, whichever answered). */
export function registerAudit(app: FastifyInstance, log: AuditLog): void {
  app.addHook("onSend", async (req, reply, payload) => {
    if (req.routeOptions.config.audit) {
      log.record({ keyId: req.apiKey?.id ?? null, method: req.method, route: req.routeOptions.url!, status: reply.statusCode, ...outcome(payload) });
    }
    return payload;
  });
}

/** The signature and error name of a JSON reply. */
function outcome(payload: unknown): { signature: string | null; error: string | null } {
  try {
    const body = JSON.parse(String(payload)) as { signature?: unknown; error?: unknown };
    return { signature: typeof body.signature === "string" ? body.signature : null, error: typeof body.error === "string" ? body.error : null };
  } catch {
    return { signature: null, error: null };
  }
}
