/**
 * The CLI's RPC path: `-u <url> -k <keypair>` against a JSON-RPC endpoint
 * (tests/harness/rpc-fixture.ts, LiteSVM behind node http: no validator can
 * run here), the CLI a separate process as a user runs it. One lifecycle:
 * init-policy over a dWallet made as Ika's network would, create (preview,
 * then --yes), inspect, use, the approval pending then signed, a bound
 * refused by name (exit 1), revoke, a use refused SessionRevoked, and a
 * usage error (exit 2).
 */
import { expect } from "chai";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, TransactionInstruction, TransactionMessage } from "@solana/web3.js";
import { cpiAuthorityAddress, SESSION_KEYS_PROGRAM_ID } from "../app/src/client";
import { LocalDwallet, writeDwallet, writeSignature } from "../app/src/local";
import { RpcFixture, startRpcFixture } from "./harness/rpc-fixture";

const ROOT = path.resolve(__dirname, "..");
const JUPITER = "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4";

interface CliRun { code: number; stdout: string; stderr: string; out: any; err: any }

describe("cli over RPC (spawned processes, a JSON-RPC fixture)", function () {
  this.timeout(120_000);
  let rpc: RpcFixture;
  let dir: string;
  const keys: Record<"payer" | "owner" | "admin" | "bot", { keypair: Keypair; file: string }> = {} as never;
  let wallet: LocalDwallet;
  let dwallet: string;
  let policy: string;

  /**
   * The CLI as `npm run cli` runs it, the cluster given by -u/-k (before or
   * after the command). Asynchronous: the fixture answers from this process.
   */
  function cli(...args: string[]): Promise<CliRun> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [
        "--no-allocation-site-pretenuring", path.join(ROOT, "node_modules/.bin/ts-node"), "--transpile-only",
        path.join(ROOT, "app/src/cli/index.ts"), "-u", rpc.url, "-k", keys.payer.file, ...args,
      ], { cwd: ROOT });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("close", (code) => {
        const parse = (t: string) => (args.includes("--output") && t.trim() ? JSON.parse(t) : null);
        resolve({ code: code ?? -1, stdout, stderr, out: parse(stdout), err: parse(stderr) });
      });
    });
  }
  const json = (...args: string[]) => cli(...args, "--output", "json");
  const use = (digestByte: string, amount: string) =>
    json("use", "0", "--policy", policy, "--delegate", keys.bot.file, "--digest", digestByte.repeat(64), "--amount", amount, "--destination", JUPITER);

  before(async () => {
    rpc = await startRpcFixture();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "session-keys-cli-rpc-"));
    for (const name of ["payer", "owner", "admin", "bot"] as const) {
      const keypair = Keypair.generate();
      const file = path.join(dir, `${name}.json`);
      fs.writeFileSync(file, JSON.stringify([...keypair.secretKey]));
      keys[name] = { keypair, file };
    }
    // Only the payer holds SOL: it pays every fee and the rent.
    await rpc.chain.airdrop(keys.payer.keypair.publicKey, 100n * BigInt(LAMPORTS_PER_SOL));
    // What Ika's DKG leaves on chain: a dWallet whose authority is `owner`, who hands it to the policy.
    wallet = await writeDwallet(rpc.chain, { authority: keys.owner.keypair.publicKey });
    dwallet = wallet.address.toBase58();
  });
  after(async () => {
    await rpc?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("init-policy over RPC: simulated, sent, confirmed by its signature status, read back with its logs", async () => {
    const r = await json("init-policy", "--dwallet", dwallet, "--init-authority", keys.owner.file, "--admin", keys.admin.keypair.publicKey.toBase58());
    expect(r.code, r.stderr).to.equal(0);
    expect([r.out.dwallet, r.out.admin, r.out.initAuthority]).to.deep.equal([dwallet, keys.admin.keypair.publicKey.toBase58(), keys.owner.keypair.publicKey.toBase58()]);
    expect(r.out.computeUnits).to.be.greaterThan(0);
    policy = r.out.policy;
    expect(rpc.calls).to.include.members(["simulateTransaction", "sendTransaction", "getSignatureStatuses", "getTransaction"]);
  });

  it("create previews over simulateTransaction (CU, rent, the Session) and changes nothing; --yes deploys it", async () => {
    const args = ["create", "--policy", policy, "--admin", keys.admin.file, "--delegate", keys.bot.keypair.publicKey.toBase58(),
      "--expires-in", "1000", "--max-uses", "2", "--max-amount", "1000", "--programs", JUPITER];
    const preview = await json(...args);
    expect(preview.code, preview.stderr).to.equal(0);
    expect([preview.out.deployed, preview.out.sessionId, preview.out.preview.state.maxUses]).to.deep.equal([false, 0, 2]);
    expect(preview.out.preview.computeUnits).to.be.greaterThan(0);
    expect(preview.out.preview.rentLamports).to.equal(await rpc.chain.getMinimumBalanceForRentExemption(preview.out.preview.rent[0].space));
    expect(await rpc.chain.getAccountInfo(new PublicKey(preview.out.session))).to.equal(null);
    const deployed = await json(...args, "--yes");
    expect(deployed.code, deployed.stderr).to.equal(0);
    expect([deployed.out.deployed, deployed.out.sessionId, deployed.out.state.delegate]).to.deep.equal([true, 0, keys.bot.keypair.publicKey.toBase58()]);
  });

  it("inspect by dWallet and init authority: the policy and the session, live, as JSON and as a table", async () => {
    const view = await json("inspect", dwallet, "--init-authority", keys.owner.keypair.publicKey.toBase58());
    expect(view.code, view.stderr).to.equal(0);
    // The dWallet's authority is now the program's CPI authority: only a session's use can get it signed.
    expect([view.out.address, view.out.status, view.out.dwalletAccount.authority]).to.deep.equal([policy, "active", cpiAuthorityAddress(SESSION_KEYS_PROGRAM_ID)[0].toBase58()]);
    expect(view.out.sessions.map((s: { id: number; status: string }) => [s.id, s.status])).to.deep.equal([[0, "active"]]);
    // The text people read (here -u and -k come before the command).
    const text = await cli("inspect", "--policy", policy);
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout).to.match(new RegExp(`^  0 +active +${keys.bot.keypair.publicKey.toBase58()} +0/2 `, "m"));
  });

  it("use approves through the session; the approval is pending, then signed once Ika's network writes the signature", async () => {
    const ok = await use("a", "500");
    expect(ok.code, ok.stderr).to.equal(0);
    expect([ok.out.nonce, ok.out.remainingUses]).to.deep.equal(["0", 1]);
    const pending = await json("approval", ok.out.messageApproval);
    expect([pending.code, pending.out?.status, pending.out?.messageDigest]).to.deep.equal([0, "pending", "a".repeat(64)]);
    const signature = Buffer.alloc(64, 7);
    await writeSignature(rpc.chain, new PublicKey(ok.out.messageApproval), signature);
    const signed = await json("approval", ok.out.messageApproval);
    expect([signed.out?.status, signed.out?.signature]).to.deep.equal(["signed", signature.toString("hex")]);
  });

  it("a use over the cap is refused by the program: exit 1, the exact error name (JSON, and the one line people read)", async () => {
    const over = await use("b", "1001");
    expect([over.code, over.stdout, over.err?.error]).to.deep.equal([1, "", "AmountExceedsMax"]);
    const text = await cli("use", "0", "--policy", policy, "--delegate", keys.bot.file, "--digest", "b".repeat(64), "--amount", "1001", "--destination", JUPITER);
    expect(text.code).to.equal(1);
    expect(text.stderr).to.match(/^error: AmountExceedsMax \(code \d+\): [^\n]+\n$/);
  });

  it("revoke, then a use is refused SessionRevoked; inspect shows it revoked", async () => {
    const revoked = await json("revoke", "0", "--policy", policy, "--admin", keys.admin.file);
    expect([revoked.code, revoked.out?.revoked], revoked.stderr).to.deep.equal([0, true]);
    const refused = await use("c", "10");
    expect([refused.code, refused.err?.error]).to.deep.equal([1, "SessionRevoked"]);
    const view = await json("inspect", "--policy", policy);
    expect(view.out.sessions.map((s: { status: string; uses: number }) => [s.status, s.uses])).to.deep.equal([["revoked", 1]]);
  });

  it("a large solana message over the cap: staged, refused, and the buffer abandoned with close-buffer (its rent back)", async () => {
    const created = await json("create", "--policy", policy, "--admin", keys.admin.file, "--delegate", keys.bot.keypair.publicKey.toBase58(),
      "--expires-in", "1000", "--max-uses", "2", "--max-amount", "1000", "--programs", `${SystemProgram.programId.toBase58()},${JUPITER}`,
      "--format", "solana", "--yes");
    expect(created.code, created.stderr).to.equal(0);
    const id = String(created.out.sessionId);
    const D = new PublicKey(wallet.publicKey);
    const big = new TransactionMessage({
      payerKey: D, recentBlockhash: Keypair.generate().publicKey.toBase58(), instructions: [
        SystemProgram.transfer({ fromPubkey: D, toPubkey: Keypair.generate().publicKey, lamports: 1001 }),
        new TransactionInstruction({ programId: new PublicKey(JUPITER), keys: [], data: Buffer.alloc(900, 1) }),
      ],
    }).compileToLegacyMessage().serialize().toString("base64");
    const refused = await json("use-solana", id, "--policy", policy, "--delegate", keys.bot.file, "--message", big);
    expect([refused.code, refused.err?.error]).to.deep.equal([1, "AmountExceedsMax"]);
    const closed = await json("close-buffer", id, "--policy", policy, "--delegate", keys.bot.file);
    expect([closed.code, closed.out?.closed], closed.stderr).to.deep.equal([0, true]);
    expect(await rpc.chain.getAccountInfo(new PublicKey(closed.out.messageBuffer))).to.equal(null);
    const again = await json("close-buffer", id, "--policy", policy, "--delegate", keys.bot.file);
    expect([again.code, again.err?.error]).to.deep.equal([1, "AccountOwnedByWrongProgram"]);
  });

  it("bad input is a usage error (exit 2) before anything is sent", async () => {
    const sent = rpc.calls.filter((c) => c === "sendTransaction").length;
    const bad = await json("revoke", "zero", "--policy", policy, "--admin", keys.admin.file);
    expect([bad.code, bad.err]).to.deep.equal([2, { error: "UsageError", message: "session-id must be an unsigned integer" }]);
    expect(rpc.calls.filter((c) => c === "sendTransaction").length).to.equal(sent);
  });
});
