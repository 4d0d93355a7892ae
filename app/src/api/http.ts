/**
 * HTTP plumbing on fastify: typed errors, the JSON body parser, and the one
 * error handler that turns every failure into `{ "error": "<Name>",
 * "message": "…" }` with its status.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { NamedFailure } from "../client";
import { failureJson } from "../shell/format";
import { UsageError } from "../shell/parse";
import { validationMessage } from "./validation";

/** An error with its HTTP status and a stable machine-readable name. */
export class HttpError extends Error {
  constructor(readonly status: number, readonly errorName: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
  }
}

/** A transaction the chain refused: 422 with the program's exact error name. */
export function rejected(f: NamedFailure, details: Record<string, unknown>): HttpError {
  return new HttpError(422, f.name, f.message ?? `transaction rejected: ${f.name}`, { ...failureJson(f), ...details });
}

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * JSON bodies through fastify's own parser (which refuses `__proto__` and
 * `constructor` keys), with our messages; an object is the only body any route takes.
 */
export function registerJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, text, done) => {
    if ((text as string).trim() === "") return done(new HttpError(400, "BadRequest", "a JSON body is required"), undefined);
    parse(req, text as string, (err: Error | null, body?: unknown) => {
      if (err) return done(new HttpError(400, "BadRequest", "body is not valid JSON"), undefined);
      if (typeof body !== "object" || body === null || Array.isArray(body)) return done(new HttpError(400, "BadRequest", "body must be a JSON object"), undefined);
      done(null, body);
    });
  });
}

/** fastify's own errors by code: their status and our name. */
const FRAMEWORK_ERRORS: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, "PayloadTooLarge"],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, "UnsupportedMediaType"],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, "BadRequest"],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, "BadRequest"],
  FST_ERR_BAD_URL: [400, "BadRequest"],
  // The client hung up (or the request time limit cut it off) mid-body: nobody is left to read the reply.
  ECONNRESET: [400, "RequestAborted"],
};

export function errorReply(e: unknown, bodyLimit = MAX_BODY_BYTES): { status: number; body: Record<string, unknown> } {
  if (e instanceof HttpError) return { status: e.status, body: { error: e.errorName, message: e.message, ...e.details } };
  if (e instanceof UsageError) return { status: 400, body: { error: "BadRequest", message: e.message } };
  const fe = e as FastifyError;
  if (fe.validation) return { status: 400, body: { error: "BadRequest", message: validationMessage(fe.validationContext, fe.validation as never) } };
  const known = fe.code ? FRAMEWORK_ERRORS[fe.code] : undefined;
  if (known) return { status: known[0], body: { error: known[1], message: fe.code === "FST_ERR_CTP_BODY_TOO_LARGE" ? `body exceeds ${bodyLimit} bytes` : fe.message } };
  // The client's range checks (u64/u16 arguments) name the field: the caller's input, not ours.
  // (After fastify's own errors: its body-too-large error is a RangeError too.)
  if (e instanceof RangeError) return { status: 400, body: { error: "BadRequest", message: e.message } };
  // Unexpected: log for the operator, reveal nothing internal to the caller.
  console.error(e);
  return { status: 500, body: { error: "InternalError", message: "internal error" } };
}

export function sendError(e: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = errorReply(e, req.routeOptions.bodyLimit);
  void reply.code(status).send(body);
}
