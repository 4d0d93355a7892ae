/**
 * Request validation: two Ajv instances (bodies are never coerced; the path
 * and query string are text, so their integers are), and the 400 message
 * built from Ajv's errors — every unknown field named, then every missing
 * one, then each bad value as "<field> must be <the schema's description>".
 */
import Ajv, { ErrorObject } from "ajv";
import type { FastifySchemaCompiler } from "fastify";

const common = { allErrors: true, verbose: true, removeAdditional: false, useDefaults: true, strict: false } as const;
const bodies = new Ajv({ ...common, coerceTypes: false });
const text = new Ajv({ ...common, coerceTypes: true });

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  (httpPart === "body" ? bodies : text).compile(schema as object);

/** One readable sentence (or several, joined by "; ") for a failed validation of `part`. */
export function validationMessage(part: string | undefined, errors: ErrorObject[]): string {
  const where = (e: ErrorObject, leaf?: string) => fieldName(part, e.instancePath, leaf);
  const unknown = errors.filter((e) => e.keyword === "additionalProperties");
  const missing = errors.filter((e) => e.keyword === "required");
  const sentences: string[] = [];
  if (unknown.length) {
    const names = unknown.map((e) => where(e, (e.params as { additionalProperty: string }).additionalProperty));
    const allowed = Object.keys((unknown[0].parentSchema as { properties?: object }).properties ?? {});
    sentences.push(`unknown field${names.length > 1 ? "s" : ""} ${names.join(", ")} (allowed: ${allowed.join(", ")})`);
  }
  for (const e of missing) sentences.push(`${where(e, (e.params as { missingProperty: string }).missingProperty)} is required`);
  for (const [path, group] of byPath(errors.filter((e) => !["additionalProperties", "required", "if"].includes(e.keyword)))) {
    sentences.push(badValue(fieldName(part, path), group));
  }
  return sentences.join("; ") || "the request does not match the schema";
}

/** The outermost described schema at a path explains best (a union's, not one branch's). */
function badValue(field: string, group: ErrorObject[]): string {
  const count = group.find((e) => e.keyword === "maxItems" || e.keyword === "minItems");
  if (count) return `${field}: ${count.keyword === "maxItems" ? "at most" : "at least"} ${(count.params as { limit: number }).limit} items (got ${(count.data as unknown[]).length})`;
  const described = [...group].reverse().find((e) => typeof (e.parentSchema as { description?: unknown })?.description === "string");
  if (described) return `${field} must be ${(described.parentSchema as { description: string }).description}`;
  return `${field} ${group[0].message}`;
}

function byPath(errors: ErrorObject[]): Map<string, ErrorObject[]> {
  const out = new Map<string, ErrorObject[]>();
  for (const e of errors) out.set(e.instancePath, [...(out.get(e.instancePath) ?? []), e]);
  return out;
}

/** `/allowedPrograms/0` → `allowedPrograms[0]`; the query string and path name their part when the error is about the whole. */
function fieldName(part: string | undefined, instancePath: string, leaf?: string): string {
  const segments = [...instancePath.split("/").slice(1), ...(leaf === undefined ? [] : [leaf])];
  const name = segments.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), "");
  return name || (part ?? "body");
}
