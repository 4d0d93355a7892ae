/**
 * `npm run api-keys -- <command>`: the API's keys and audit log in the SQLite
 * file the server takes as `--db` (or SESSION_KEYS_API_DB). JSON out; exit 2
 * for usage errors.
 *
 *   create --db <file> --scope admin[,read] [--label <text>]   a new key, printed this once and never again
 *   list   --db <file>                                         ids, labels, scopes, created, revoked (never a key or hash)
 *   revoke <id> --db <file>                                    the key is refused from the next request on
 *   audit  --db <file> [--limit N]                             the latest audited requests, newest first (default 50)
 */
import * as fs from "fs";
import { parseArgs } from "../shell/args";
import { parseU32, UsageError } from "../shell/parse";
import { AuditLog } from "./audit";
import { SCOPES } from "./auth";
import { Db, openDb } from "./db";
import { DbApiKeys } from "./keys";

const USAGE = `usage: api-keys create --db <file> --scope ${SCOPES.join("|")}[,…] [--label <text>] | list --db <file> | revoke <id> --db <file> | audit --db <file> [--limit N]`;

/** Each command's flags and how many positionals it takes. */
const COMMANDS: Record<string, { flags: string[]; positionals: number }> = {
  create: { flags: ["db", "scope", "label"], positionals: 0 },
  list: { flags: ["db"], positionals: 0 },
  revoke: { flags: ["db"], positionals: 1 },
  audit: { flags: ["db", "limit"], positionals: 0 },
};

/** Run one command; its JSON result, or a UsageError. */
export function keysCommand(argv: string[]): unknown {
  const args = parseArgs(argv, { values: ["db", "scope", "label", "limit"] });
  const [command, ...rest] = args.positionals;
  const file = args.flags.get("db") ?? process.env.SESSION_KEYS_API_DB;
  if (!file) throw new UsageError(`--db <file> is required; ${USAGE}`);
  const spec = COMMANDS[command];
  if (!spec) throw new UsageError(command ? `unknown command ${command}; ${USAGE}` : USAGE);
  const extra = [...args.flags.keys()].filter((f) => !spec.flags.includes(f));
  if (extra.length) throw new UsageError(`${command} takes no --${extra.join(", --")}`);
  if (rest.length !== spec.positionals) throw new UsageError(USAGE);
  if (command !== "create" && !fs.existsSync(file)) throw new UsageError(`no key file ${file} (create makes it)`);
  return withDb(file, (db) => {
    const keys = new DbApiKeys(db);
    switch (command) {
      case "create": {
        const scopes = (args.flags.get("scope") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
        const made = keys.create(scopes, args.flags.get("label"));
        return { ...made, scopes, label: args.flags.get("label") ?? null, note: "the key is shown this once: only its SHA-256 digest is stored" };
      }
      case "list":
        return keys.list();
      case "revoke": {
        const id = parseU32(rest[0], "id");
        keys.revoke(id);
        return { revoked: id };
      }
      default:
        return new AuditLog(db).recent(args.flags.has("limit") ? parseU32(args.flags.get("limit"), "--limit") : 50);
    }
  });
}

function withDb<T>(file: string, fn: (db: Db) => T): T {
  const db = openDb(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

if (require.main === module) {
  try {
    console.log(JSON.stringify(keysCommand(process.argv.slice(2)), null, 2));
  } catch (e) {
    console.error(JSON.stringify({ error: e instanceof UsageError ? "UsageError" : "Error", message: (e as Error).message }));
    process.exit(e instanceof UsageError ? 2 : 1);
  }
}
