/**
 * The API's SQLite store (`--db`): keys made, listed and revoked with
 * `npm run api-keys` (in-process, and once as the subprocess npm runs, for
 * its exit code), unknown scopes refused, the file mode 0600; then, on each
 * runtime, a server on that file: a revoked key is 401, a read key on an
 * admin route 403, the audit log records a deploy, refused requests and a
 * relay (not a read), and Idempotency-Key replays a create without a second
 * session, refuses a reused key (422) and a bad header (400), per API key;
 * and the same with the in-memory store of a server without a file.
 */
import { expect } from "chai";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Keypair } from "@solana/web3.js";
import { keysCommand } from "../app/src/api/keys-cli";
import { openDb } from "../app/src/api/db";
import { IDEMPOTENCY_TTL_MS, IdempotencyStore } from "../app/src/api/idempotency";
import { UsageError } from "../app/src/shell/parse";
import { ADMIN_KEY, Res, startApi, TestApi } from "./harness/api";
import { selectedRuntimes } from "./harness";

const JUPITER = "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4";
const REPO = path.resolve(__dirname, "..");

const tempDb = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "api-keys-")), "keys.db");
const cli = (db: string, ...argv: string[]) => keysCommand([...argv, "--db", db]) as any;
const usageError = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error("expected a UsageError");
};

describe("api keys: the store and npm run api-keys", () => {
  it("creates (the key once), lists (never a key or a hash) and revokes keys; the file is 0600", () => {
    const db = tempDb();
    const admin = cli(db, "create", "--scope", "admin", "--label", "ops");
    const both = cli(db, "create", "--scope", "admin,read");
    expect(admin.key).to.match(/^sk_[A-Za-z0-9_-]{43}$/);
    expect([admin.id, both.id, both.scopes, both.label]).to.deep.equal([1, 2, ["admin", "read"], null]);
    expect(fs.statSync(db).mode & 0o777).to.equal(0o600);
    expect(cli(db, "revoke", "1")).to.deep.equal({ revoked: 1 });
    const listed = cli(db, "list");
    expect(listed.map((k: any) => [k.id, k.label, k.scopes, k.revokedAt !== null])).to.deep.equal([[1, "ops", ["admin"], true], [2, null, ["admin", "read"], false]]);
    expect(Object.keys(listed[0])).to.have.members(["id", "label", "scopes", "createdAt", "revokedAt"]);
    expect(JSON.stringify(listed)).not.to.include(admin.key.slice(3));
    // The file holds the digest only.
    expect(fs.readFileSync(db).includes(Buffer.from(admin.key))).to.equal(false);
  });

  it("refuses an unknown scope, no scope, a revoked or unknown id, and a missing file", () => {
    const db = tempDb();
    expect(usageError(() => cli(db, "create", "--scope", "superuser"))).to.equal('unknown scope "superuser" (known: admin, read)');
    expect(usageError(() => cli(db, "create"))).to.match(/^a key needs a scope/);
    cli(db, "create", "--scope", "read");
    cli(db, "revoke", "1");
    expect(usageError(() => cli(db, "revoke", "1"))).to.equal("no active key 1");
    expect(usageError(() => cli(db, "revoke", "9"))).to.equal("no active key 9");
    expect(usageError(() => cli(tempDb(), "list"))).to.match(/^no key file/);
    expect(usageError(() => keysCommand(["list"]))).to.match(/^--db <file> is required/);
  });

  it("npm run api-keys: prints the new key, exit 2 for a usage error", function () {
    this.timeout(60_000);
    const db = tempDb();
    const run = (...argv: string[]) => execFileSync("npm", ["run", "-s", "api-keys", "--", ...argv], { cwd: REPO, encoding: "utf8", stdio: "pipe" });
    expect(JSON.parse(run("create", "--db", db, "--scope", "admin")).key).to.match(/^sk_/);
    let status: number | null = null;
    try {
      run("create", "--db", db, "--scope", "root");
    } catch (e) {
      status = (e as { status: number }).status;
    }
    expect(status).to.equal(2);
  });

  it("idempotency records expire after 24 hours", () => {
    let now = 1_000_000;
    const store = new IdempotencyStore(openDb(), () => now);
    const hash = Buffer.alloc(32, 1);
    expect(store.claim("1", "k", "POST /sessions", hash).kind).to.equal("fresh");
    store.complete("1", "k", 201, "{}");
    now += IDEMPOTENCY_TTL_MS - 1;
    expect(store.claim("1", "k", "POST /sessions", hash)).to.deep.equal({ kind: "replay", status: 201, reply: "{}" });
    now += 1;
    expect(store.claim("1", "k", "POST /sessions", hash).kind).to.equal("fresh");
  });
});

for (const runtime of selectedRuntimes()) {
  describe(`api keys: a server with --db [${runtime}]`, function () {
    this.timeout(120_000);
    let t: TestApi;
    let db: string;
    let admin: { id: number; key: string };
    let read: { id: number; key: string };
    before(async () => {
      db = tempDb();
      admin = cli(db, "create", "--scope", "admin");
      read = cli(db, "create", "--scope", "read");
      t = await startApi(runtime, { db });
    });
    after(async () => t?.api.close());

    const limits = (extra: Record<string, unknown> = {}) => ({
      policy: t.api.demo!.policy.toBase58(), delegate: Keypair.generate().publicKey.toBase58(), expiresInSlots: 1000, maxUses: 3, maxAmountPerTx: "1000", allowedPrograms: [JUPITER], ...extra,
    });
    const nextSessionId = async () => (await t.call("GET", `/policies/${t.api.demo!.policy.toBase58()}`, { key: read.key })).body.nextSessionId;
    const create = (key: string, body: unknown, idempotencyKey?: string) =>
      t.call("POST", "/sessions", { key, body, headers: idempotencyKey === undefined ? {} : { "idempotency-key": idempotencyKey } });
    const statusAndError = (r: Res) => [r.status, r.body.error];

    it("a read key on an admin route is 403; a revoked key is 401", async () => {
      expect(statusAndError(await t.call("POST", "/sessions/preview", { key: read.key, body: limits() }))).to.deep.equal([403, "Forbidden"]);
      expect((await t.call("GET", `/policies/${t.api.demo!.policy.toBase58()}`, { key: read.key })).status).to.equal(200);
      const doomed = cli(db, "create", "--scope", "admin");
      expect((await t.call("POST", "/sessions/preview", { key: doomed.key, body: limits() })).status).to.equal(200);
      cli(db, "revoke", String(doomed.id));
      expect(statusAndError(await t.call("POST", "/sessions/preview", { key: doomed.key, body: limits() }))).to.deep.equal([401, "Unauthorized"]);
      expect(statusAndError(await t.call("POST", "/sessions/preview", { key: ADMIN_KEY, body: limits() }))).to.deep.equal([401, "Unauthorized"]);
    });

    it("the audit log records a deploy (key, route pattern, signature) and refused requests", async () => {
      const deployed = await create(admin.key, limits());
      expect(deployed.status).to.equal(201);
      const revoke = await t.call("POST", `/sessions/${deployed.body.session}/revoke`, { key: read.key, body: {} });
      expect(revoke.status).to.equal(403);
      await t.call("POST", "/sessions", { body: limits() });
      await t.call("POST", "/transactions", { key: read.key, body: { transaction: "AAAA" } });
      await t.call("GET", `/sessions/${deployed.body.session}`, { key: read.key });
      const [relay, anonymous, refused, deploy] = cli(db, "audit", "--limit", "4");
      expect(deploy).to.include({ keyId: String(admin.id), method: "POST", route: "/sessions", signature: deployed.body.signature, status: 201, error: null });
      expect(refused).to.include({ keyId: String(read.id), method: "POST", route: "/sessions/:session/revoke", signature: null, status: 403, error: "Forbidden" });
      expect(anonymous).to.include({ keyId: null, route: "/sessions", status: 401, error: "Unauthorized" });
      expect(relay).to.include({ keyId: String(read.id), route: "/transactions", status: 400, error: "BadRequest" });
      expect(new Date(deploy.at).getTime()).to.be.closeTo(Date.now(), 60_000);
    });

    it("Idempotency-Key: a repeat returns the stored reply without a second session; another body is 422", async () => {
      const body = limits();
      const before = await nextSessionId();
      const first = await create(admin.key, body, "create-1");
      expect(first.status).to.equal(201);
      const again = await create(admin.key, { ...body }, "create-1");
      expect([again.status, again.body, again.headers["idempotent-replayed"]]).to.deep.equal([201, first.body, "true"]);
      expect(BigInt(await nextSessionId())).to.equal(BigInt(before) + 1n);
      const other = await create(admin.key, limits(), "create-1");
      expect(statusAndError(other)).to.deep.equal([422, "IdempotencyKeyReused"]);
      const otherRoute = await t.call("POST", "/sessions/preview", { key: admin.key, body, headers: { "idempotency-key": "create-1" } });
      expect(statusAndError(otherRoute)).to.deep.equal([422, "IdempotencyKeyReused"]);
      expect(BigInt(await nextSessionId())).to.equal(BigInt(before) + 1n);
    });

    it("Idempotency-Key is per API key, and must be 1 to 255 printable ASCII characters", async () => {
      const second = cli(db, "create", "--scope", "admin");
      const body = limits();
      const before = BigInt(await nextSessionId());
      expect((await create(admin.key, body, "shared")).status).to.equal(201);
      expect((await create(second.key, body, "shared")).headers["idempotent-replayed"]).to.equal(undefined);
      expect(BigInt(await nextSessionId())).to.equal(before + 2n);
      for (const bad of ["", "x".repeat(256), "caf\u00e9"]) {
        const r = await create(admin.key, limits(), bad);
        expect(statusAndError(r), JSON.stringify(bad)).to.deep.equal([400, "BadRequest"]);
        expect(r.body.message).to.match(/^idempotency-key must be 1 to 255 printable ASCII characters/);
      }
      expect((await create(admin.key, limits(), "x".repeat(255))).status).to.equal(201);
    });
  });

  describe(`api keys: a server without a file keeps idempotency records in memory [${runtime}]`, function () {
    this.timeout(120_000);
    let t: TestApi;
    before(async () => {
      t = await startApi(runtime);
    });
    after(async () => t?.api.close());

    it("replays a repeat and refuses another body", async () => {
      const body = { policy: t.api.demo!.policy.toBase58(), delegate: Keypair.generate().publicKey.toBase58(), expiresInSlots: 10, maxUses: 1, maxAmountPerTx: "1", allowedPrograms: [JUPITER] };
      const headers = { "idempotency-key": "once" };
      const first = await t.call("POST", "/sessions", { key: ADMIN_KEY, body, headers });
      const again = await t.call("POST", "/sessions", { key: ADMIN_KEY, body, headers });
      expect([first.status, again.body]).to.deep.equal([201, first.body]);
      const other = await t.call("POST", "/sessions", { key: ADMIN_KEY, body: { ...body, maxUses: 2 }, headers });
      expect([other.status, other.body.error]).to.deep.equal([422, "IdempotencyKeyReused"]);
    });
  });
}
