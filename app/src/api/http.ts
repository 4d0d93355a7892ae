/** Minimal JSON-over-`http` plumbing: bounded body reading, JSON replies, typed HTTP errors. */
import { IncomingMessage, ServerResponse } from "http";
import { toJson } from "../shell/format";

/** An error with its HTTP status and a stable machine-readable name. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly errorName: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
  }
}

export const MAX_BODY_BYTES = 64 * 1024;

export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Stop buffering early: a huge body is refused, not held in memory.
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "PayloadTooLarge", `body exceeds ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") throw new HttpError(400, "BadRequest", "a JSON body is required");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, "BadRequest", "body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpError(400, "BadRequest", "body must be a JSON object");
  return body as Record<string, unknown>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(toJson(body));
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}
