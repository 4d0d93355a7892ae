/**
 * The client as a package, the way a dependent project gets it: `npm pack`
 * (which builds it: prepack runs build:client), `npm install --omit=dev` of
 * the tarball into an empty project, then a plain `node` (no LiteSVM flags)
 * that requires it, builds a revoke_session instruction and decodes a Policy
 * made on LiteSVM here, and a TypeScript check of a consumer against the
 * shipped declarations. Neither litesvm nor solana-bankrun may be installed
 * or loaded. About a minute: the install fetches the client's dependencies
 * (from npm's cache when it has them).
 */
import { expect } from "chai";
import { spawnSync, SpawnSyncOptions } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Keypair, LAMPORTS_PER_SOL } from "@solana/web3.js";
import { KeypairWallet, revokeSession, SESSION_KEYS_PROGRAM_ID, SessionKeysClient } from "../app/src/client";
import { createLocalPolicy, startLocalChain } from "../app/src/local";

const ROOT = path.resolve(__dirname, "..");
const NAME: string = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).name;
const TEST_RUNTIMES = ["litesvm", "solana-bankrun"];

function sh(command: string, args: string[], options: SpawnSyncOptions): string {
  const r = spawnSync(command, args, { encoding: "utf8", ...options });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return String(r.stdout);
}

/** Every package directory under `node_modules`, nested ones included, by name. */
function installedPackages(nodeModules: string): string[] {
  if (!fs.existsSync(nodeModules)) return [];
  return fs.readdirSync(nodeModules).flatMap((entry) => {
    if (entry.startsWith(".")) return [];
    const dirs = entry.startsWith("@") ? fs.readdirSync(path.join(nodeModules, entry)).map((n) => `${entry}/${n}`) : [entry];
    return dirs.flatMap((name) => [name, ...installedPackages(path.join(nodeModules, name, "node_modules"))]);
  });
}

/** Runs in the consumer project with plain node: everything it prints is JSON. */
const CONSUMER_JS = `
const { Keypair, PublicKey } = require("@solana/web3.js");
const sk = require(${JSON.stringify(NAME)});
const idl = require(${JSON.stringify(`${NAME}/idl.json`)});
const fixture = JSON.parse(process.argv[2]);
(async () => {
  // Construction never connects: nothing listens on this port.
  const client = new sk.SessionKeysClient(new sk.RpcChain("http://127.0.0.1:9"), new sk.KeypairWallet(Keypair.generate()));
  const policy = new PublicKey(fixture.policy);
  const decoded = client.decodeAccount("policy", {
    data: Buffer.from(fixture.data, "base64"), owner: sk.SESSION_KEYS_PROGRAM_ID, lamports: 1, executable: false,
  });
  const action = await sk.revokeSession(client, { policy, admin: new PublicKey(fixture.admin), session: client.sessionAddress(policy, 0) });
  const [ix] = action.instructions;
  console.log(JSON.stringify({
    idlAddress: idl.address,
    policy: { admin: decoded.admin.toBase58(), dwallet: decoded.dwallet.toBase58(), nextSessionId: decoded.nextSessionId.toString() },
    instruction: { programId: ix.programId.toBase58(), keys: ix.keys.map((k) => [k.pubkey.toBase58(), k.isSigner, k.isWritable]), data: ix.data.toString("hex") },
    loaded: Object.keys(require.cache).filter((f) => /[\\\\/](litesvm|solana-bankrun)[\\\\/]/.test(f)),
  }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

/** Type-checked against the shipped .d.ts, as a TypeScript dependent would. */
const CONSUMER_TS = `
import { Keypair, PublicKey } from "@solana/web3.js";
import { KeypairWallet, PolicyAccount, revokeSession, RpcChain, SessionKeysClient, SESSION_KEYS_PROGRAM_ID } from ${JSON.stringify(NAME)};

export async function revokeFirst(policy: PublicKey, admin: PublicKey): Promise<string> {
  const client = new SessionKeysClient(new RpcChain("http://127.0.0.1:9"), new KeypairWallet(Keypair.generate()));
  const action = await revokeSession(client, { policy, admin, session: client.sessionAddress(policy, 0) });
  const fetched: PolicyAccount | null = await client.fetchPolicy(policy);
  // The types are the client's, not \`any\`: a session id is a number.
  // @ts-expect-error
  client.sessionAddress(policy, "0");
  return action.name + SESSION_KEYS_PROGRAM_ID.toBase58() + String(fetched?.admin);
}
`;

describe("the client package (npm pack, installed with production dependencies only)", function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "session-keys-package-"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("packs only the built client with its IDL and types, installs without test runtimes, and builds and decodes in plain node", async () => {
    // A real Policy account, made on LiteSVM here (the consumer must not need LiteSVM to read it).
    const chain = await startLocalChain();
    const payer = Keypair.generate();
    await chain.airdrop(payer.publicKey, 10n * BigInt(LAMPORTS_PER_SOL));
    const admin = Keypair.generate().publicKey;
    const local = await createLocalPolicy(chain, payer, admin);
    const policyAccount = (await chain.getAccountInfo(local.policy))!;
    const client = new SessionKeysClient(chain, new KeypairWallet(payer));
    const [expected] = (await revokeSession(client, { policy: local.policy, admin, session: client.sessionAddress(local.policy, 0) })).instructions;

    sh("npm", ["pack", "--pack-destination", dir], { cwd: ROOT });
    const tarballs = fs.readdirSync(dir).filter((f) => f.endsWith(".tgz"));
    expect(tarballs).to.have.length(1);
    const tarball = path.join(dir, tarballs[0]);
    const files = sh("tar", ["-tzf", tarball], {}).trim().split("\n");
    expect(files.filter((f) => !/^package\/(dist\/.+|package\.json|README\.md|LICENSE.*)$/.test(f)), "only the build, package.json and README").to.deep.equal([]);
    expect(files).to.include.members([
      "package/dist/app/src/client/index.js", "package/dist/app/src/client/index.d.ts",
      "package/dist/target/idl/session_keys.json", "package/dist/target/types/session_keys.d.ts",
    ]);
    expect(files.some((f) => /chain\/local|litesvm|bankrun|\/cli\/|\/api\//.test(f)), "no local chain, CLI or API").to.equal(false);

    const consumer = path.join(dir, "consumer");
    fs.mkdirSync(consumer);
    fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    sh("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", tarball], { cwd: consumer });
    const installed = installedPackages(path.join(consumer, "node_modules"));
    expect(installed).to.include(NAME);
    expect(installed.filter((p) => TEST_RUNTIMES.includes(p))).to.deep.equal([]);

    fs.writeFileSync(path.join(consumer, "consumer.js"), CONSUMER_JS);
    const fixture = { policy: local.policy.toBase58(), admin: admin.toBase58(), data: policyAccount.data.toString("base64") };
    const out = JSON.parse(sh(process.execPath, ["consumer.js", JSON.stringify(fixture)], { cwd: consumer }));
    expect(out.idlAddress).to.equal(SESSION_KEYS_PROGRAM_ID.toBase58());
    expect(out.policy).to.deep.equal({ admin: admin.toBase58(), dwallet: local.dwallet.toBase58(), nextSessionId: "0" });
    expect(out.instruction).to.deep.equal({
      programId: expected.programId.toBase58(),
      keys: expected.keys.map((k) => [k.pubkey.toBase58(), k.isSigner, k.isWritable]),
      data: expected.data.toString("hex"),
    });
    expect(out.loaded, "test runtimes loaded").to.deep.equal([]);

    // The declarations resolve through package.json's exports (node16 resolution) and type a strict consumer
    // (skipLibCheck as any Anchor dependent needs: Anchor's own .d.ts import bn.js, which ships no types).
    fs.writeFileSync(path.join(consumer, "consumer.ts"), CONSUMER_TS);
    sh(process.execPath, [
      path.join(ROOT, "node_modules/typescript/bin/tsc"), "--noEmit", "--strict", "--module", "node16", "--moduleResolution", "node16",
      "--target", "es2022", "--skipLibCheck", "--types", "node", "--typeRoots", path.join(ROOT, "node_modules/@types"), "consumer.ts",
    ], { cwd: consumer });
  });
});
