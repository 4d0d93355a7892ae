/**
 * The CLI's human-readable output (the default; `--output json` prints the
 * JSON instead): aligned key-value text, a table for each list of records,
 * and the one-line error. Everything is rendered from the JSON a command
 * returns, so both outputs always say the same thing.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonRecord = { [key: string]: Json };

/** Fields too long to read in a terminal; `--output json` has them. */
const LONG_FIELDS = new Set(["unsignedTransaction", "logs"]);

/** `maxAmountPerTx` → `max amount per tx`. */
function label(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}

function scalar(v: Json): string {
  if (v === null) return "-";
  if (Array.isArray(v)) return v.length ? v.map(scalar).join(", ") : "none";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

const isRecord = (v: Json): v is JsonRecord => typeof v === "object" && v !== null && !Array.isArray(v);

/** Rows of `key  value`, the keys padded to one column. */
function keyValues(rows: [string, string][], indent = ""): string[] {
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${k.padEnd(width)}  ${v}`);
}

/** A table: a header row, then one row per record; columns as wide as their widest cell. */
function table(headers: string[], rows: string[][], indent = ""): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => indent + cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ");
  return [line(headers), ...rows.map(line)];
}

/**
 * Any command's result: scalars (and lists of them) as aligned key-value
 * rows, a nested record as an indented section, a list of records as a table.
 */
export function displayRecord(r: JsonRecord, indent = ""): string[] {
  const rows: [string, string][] = [];
  const sections: string[] = [];
  for (const [key, v] of Object.entries(r)) {
    if (LONG_FIELDS.has(key)) continue;
    if (isRecord(v)) {
      sections.push("", `${indent}${label(key)}:`, ...displayRecord(v, `${indent}  `));
    } else if (Array.isArray(v) && v.length > 0 && v.every(isRecord)) {
      const columns = [...new Set(v.flatMap((x) => Object.keys(x)))];
      sections.push("", `${indent}${label(key)}:`, ...table(columns.map(label), v.map((x) => columns.map((c) => scalar(x[c] ?? null))), `${indent}  `));
    } else {
      rows.push([label(key), scalar(v)]);
    }
  }
  return [...keyValues(rows, indent), ...sections];
}

/** `inspect`: the policy as key-value rows, then one table row per session with its live status. */
export function displayPolicy(p: JsonRecord): string {
  const d = p.dwalletAccount as JsonRecord | null;
  const head = keyValues([
    ["policy", scalar(p.address)], ["status", scalar(p.status)], ["dwallet", scalar(p.dwallet)], ["curve", scalar(p.curve)],
    ["dwallet state", d ? scalar(d.state) : "unreadable"], ["dwallet authority", d ? scalar(d.authority) : "-"],
    ["admin", scalar(p.admin)], ["pending admin", scalar(p.pendingAdmin)], ["epoch", scalar(p.epoch)],
    ["next session id", scalar(p.nextSessionId)], ["slot", scalar(p.slot)],
  ]);
  const sessions = p.sessions as JsonRecord[];
  if (sessions.length === 0) return [...head, "", "sessions: none"].join("\n");
  const cell = (s: JsonRecord, key: string) => (s[key] === undefined ? "-" : scalar(s[key]));
  const rows = sessions.map((s) => [
    cell(s, "id"), cell(s, "status"), cell(s, "delegate"),
    s.maxUses === undefined ? "-" : `${s.uses}/${s.maxUses}`, cell(s, "expirySlot"), cell(s, "maxAmountPerTx"),
    s.spent === undefined ? "-" : `${s.spent}/${s.maxTotalAmount ?? "∞"}`, cell(s, "nextNonce"), cell(s, "format"), cell(s, "allowedPrograms"),
  ]);
  const headers = ["id", "status", "delegate", "uses", "expiry slot", "max per tx", "spent/budget", "next nonce", "format", "programs"];
  return [...head, "", `sessions (${sessions.length}):`, ...table(headers, rows, "  ")].join("\n");
}

/** The one line an error is, human-readable: the exact error name first. */
export function errorLine(e: JsonRecord): string {
  const code = e.code === undefined || e.code === null ? "" : ` (code ${e.code})`;
  return `error: ${e.error}${code}${e.message ? `: ${e.message}` : ""}`;
}
