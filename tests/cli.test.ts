/**
 * The CLI as a user runs it: separate processes sharing one `--local` state
 * file (embedded LiteSVM, accounts saved after each command). One linear
 * story, so the ~1.5 s per spawn is paid nine times, not per assertion:
 * local-init → init-policy → create (preview, then --yes) → use → a bound
 * refused by name → revoke → use refused SessionRevoked → inspect. They
 * read `--output json`; a few runs read the text people see. Plus the
 * conventions (options, help, exit codes) in-process.
 */
import { expect } from "chai";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Keypair, PublicKey, SystemProgram, TransactionInstruction, TransactionMessage } from "@solana/web3.js";
import { keccak256, serializeTransaction } from "viem";
import { clusterUrl } from "../app/src/cli/context";
import { COMMANDS } from "../app/src/cli/commands";
import { run } from "../app/src/cli/index";

const ROOT = path.resolve(__dirname, "..");
const JUPITER = "JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4";

interface CliRun { code: number; out: any; err: any }
interface CliText { code: number; stdout: string; stderr: string }

function writeKeypair(dir: string, name: string): { file: string; pubkey: string } {
  const k = Keypair.generate();
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify([...k.secretKey]));
  return { file, pubkey: k.publicKey.toBase58() };
}

/** Spawns the CLI exactly as `npm run cli` does, on the `--local` state file `state`; the text people read. */
function localCliText(state: string, ...args: string[]): CliText {
  const r = spawnSync(process.execPath, [
    "--no-allocation-site-pretenuring", path.join(ROOT, "node_modules/.bin/ts-node"), "--transpile-only",
    path.join(ROOT, "app/src/cli/index.ts"), ...args, "--local", state,
  ], { cwd: ROOT, encoding: "utf8" });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same with `--output json`, parsed. */
function localCli(state: string, ...args: string[]): CliRun {
  const r = localCliText(state, ...args, "--output", "json");
  const parse = (s: string) => (s.trim() ? JSON.parse(s) : null);
  return { code: r.code, out: parse(r.stdout), err: parse(r.stderr) };
}

describe("cli", () => {
  describe("local lifecycle (spawned processes, one state file)", () => {
    let dir: string;
    let state: string;
    let owner: { file: string; pubkey: string };
    let admin: { file: string; pubkey: string };
    let bot: { file: string; pubkey: string };
    let dwallet: string;

    const cliText = (...args: string[]) => localCliText(state, ...args);
    const cli = (...args: string[]) => localCli(state, ...args);
    const createArgs = () => ["create", "--admin", admin.file, "--delegate", bot.pubkey, "--expires-in", "1000", "--max-uses", "2", "--max-amount", "1000", "--programs", JUPITER];
    const use = (digestByte: string, amount: string) =>
      cli("use", "0", "--delegate", bot.file, "--digest", digestByte.repeat(64), "--amount", amount, "--destination", JUPITER);

    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "session-keys-cli-"));
      state = path.join(dir, "state.json");
      [owner, admin, bot] = ["owner", "admin", "bot"].map((n) => writeKeypair(dir, n));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("local-init creates the state file (0600: it holds the local payer's key) and a dWallet owned by --authority", () => {
      const r = cli("local-init", "--authority", owner.file);
      expect(r.code, JSON.stringify(r.err)).to.equal(0);
      expect(r.out.authority).to.equal(owner.pubkey);
      expect(fs.statSync(state).mode & 0o777).to.equal(0o600);
      expect(fs.readdirSync(dir).filter((f) => /\.(tmp|lock)$/.test(f)), "no temp or lock file left").to.deep.equal([]);
      dwallet = r.out.dwallet;
    });

    it("init-policy hands the dWallet to a policy administered by --admin", () => {
      const r = cli("init-policy", "--dwallet", dwallet, "--init-authority", owner.file, "--admin", admin.pubkey);
      expect(r.code, JSON.stringify(r.err)).to.equal(0);
      expect([r.out.dwallet, r.out.admin]).to.deep.equal([dwallet, admin.pubkey]);
    });

    it("create without --yes previews (CU, rent, Session state) and changes nothing; with --yes deploys", () => {
      const before = fs.readFileSync(state, "utf8");
      const preview = cli(...createArgs());
      expect(preview.code, JSON.stringify(preview.err)).to.equal(0);
      expect(preview.out.deployed).to.equal(false);
      expect(preview.out.preview.computeUnits).to.be.greaterThan(0);
      expect(preview.out.preview.rentLamports).to.be.greaterThan(0);
      expect([preview.out.preview.state.sessionId, preview.out.preview.state.maxUses, preview.out.preview.state.delegate]).to.deep.equal([0, 2, bot.pubkey]);
      expect(fs.readFileSync(state, "utf8")).to.equal(before);

      const deployed = cli(...createArgs(), "--yes");
      expect(deployed.code, JSON.stringify(deployed.err)).to.equal(0);
      // Had the preview deployed, this would be session 1.
      expect([deployed.out.deployed, deployed.out.sessionId, deployed.out.state.maxAmountPerTx]).to.deep.equal([true, 0, "1000"]);
    });

    it("use approves within bounds; an amount over the cap fails AmountExceedsMax with a non-zero exit", () => {
      const ok = use("a", "500");
      expect(ok.code, JSON.stringify(ok.err)).to.equal(0);
      expect([ok.out.nonce, ok.out.remainingUses]).to.deep.equal(["0", 1]);
      // The approval it created: pending, approved by the program's CPI authority, for the digest given.
      const approval = cli("approval", ok.out.messageApproval);
      expect(approval.code, JSON.stringify(approval.err)).to.equal(0);
      expect([approval.out.status, approval.out.signature, approval.out.messageDigest, approval.out.signatureScheme, approval.out.dwallet])
        .to.deep.equal(["pending", null, "a".repeat(64), "EddsaSha512", dwallet]);
      const missing = cli("approval", Keypair.generate().publicKey.toBase58());
      expect([missing.code, missing.err.error]).to.deep.equal([1, "MessageApprovalNotFound"]);
      const over = use("b", "1001");
      expect(over.code).to.equal(1);
      expect(over.out).to.equal(null);
      expect(over.err.error).to.equal("AmountExceedsMax");
    });

    it("update, renounce, propose-admin and accept-admin each have a command", () => {
      const created = cli(...createArgs(), "--yes");
      expect(created.code, JSON.stringify(created.err)).to.equal(0);
      const id = String(created.out.sessionId);
      const updated = cli("update", id, "--admin", admin.file, "--max-uses", "7", "--max-total", "900");
      expect([updated.code, updated.out?.state.maxUses, updated.out?.state.maxTotalAmount], JSON.stringify(updated.err)).to.deep.equal([0, 7, "900"]);
      const renounced = cli("renounce", id, "--delegate", bot.file);
      expect([renounced.code, renounced.out?.renounced], JSON.stringify(renounced.err)).to.deep.equal([0, true]);
      const next = writeKeypair(dir, "next-admin");
      const proposed = cli("propose-admin", "--new-admin", next.pubkey, "--admin", admin.file);
      expect([proposed.code, proposed.out?.pendingAdmin], JSON.stringify(proposed.err)).to.deep.equal([0, next.pubkey]);
      const accepted = cli("accept-admin", "--new-admin", next.file);
      expect([accepted.code, accepted.out?.admin], JSON.stringify(accepted.err)).to.deep.equal([0, next.pubkey]);
      // The old admin no longer can; the new one hands the admin role back, for the tests after this one.
      const refused = cli("propose-admin", "--new-admin", admin.pubkey, "--admin", admin.file);
      expect([refused.code, refused.err.error]).to.deep.equal([1, "NotAdmin"]);
      expect(cli("propose-admin", "--new-admin", admin.pubkey, "--admin", next.file).code).to.equal(0);
      expect(cli("accept-admin", "--new-admin", admin.file).code).to.equal(0);
    });

    it("revoke, then use fails SessionRevoked; inspect shows the status, remaining uses and next nonce", () => {
      const revoked = cli("revoke", "0", "--admin", admin.file);
      expect([revoked.code, revoked.out?.revoked]).to.deep.equal([0, true]);
      const refused = use("c", "10");
      expect([refused.code, refused.err.error]).to.deep.equal([1, "SessionRevoked"]);
      const before = { text: fs.readFileSync(state, "utf8"), mtime: fs.statSync(state).mtimeMs };
      const view = cli("inspect", dwallet, "--init-authority", owner.pubkey);
      expect(view.code, JSON.stringify(view.err)).to.equal(0);
      // A read-only command does not rewrite the state file.
      expect({ text: fs.readFileSync(state, "utf8"), mtime: fs.statSync(state).mtimeMs }).to.deep.equal(before);
      expect([view.out.status, view.out.admin, view.out.nextSessionId]).to.deep.equal(["active", admin.pubkey, "2"]);
      const s = view.out.sessions[0];
      expect([s.id, s.status, s.uses, s.remainingUses, s.nextNonce, s.spent]).to.deep.equal([0, "revoked", 1, 1, "1", "500"]);
    });

    it("people read text: inspect tables the sessions with live status, a preview shows CU and rent, an error is one line naming it", () => {
      const view = cliText("inspect", dwallet, "--init-authority", owner.pubkey);
      expect(view.code, view.stderr).to.equal(0);
      const lines = view.stdout.split("\n");
      expect(view.stdout).to.match(new RegExp(`^admin +${admin.pubkey}$`, "m")).and.match(/^sessions \(2\):$/m);
      const header = lines.findIndex((l) => l.startsWith("  id  status"));
      expect(lines[header].trim().split(/ {2,}/)).to.deep.equal(["id", "status", "delegate", "uses", "expiry slot", "max per tx", "spent/budget", "next nonce", "format", "programs"]);
      const cells = lines[header + 1].trim().split(/ {2,}/);
      expect(cells[4]).to.match(/^\d+$/);
      expect([...cells.slice(0, 4), ...cells.slice(5)]).to.deep.equal(["0", "revoked", bot.pubkey, "1/2", "1000", "500/∞", "1", "opaque", JUPITER]);

      const preview = cliText(...createArgs());
      expect(preview.code, preview.stderr).to.equal(0);
      expect(preview.stdout).to.match(/^deployed +false$/m).and.match(/^preview:$/m).and.match(/^ {2}compute units {2}\d+$/m).and.match(/^ {2}rent lamports {2}\d+$/m);
      expect(preview.stdout).to.match(/^ {4}max uses +2$/m).and.not.include("unsigned transaction");

      const refused = cliText("use", "0", "--delegate", bot.file, "--digest", "d".repeat(64), "--amount", "1", "--destination", JUPITER);
      expect([refused.code, refused.stdout]).to.deep.equal([1, ""]);
      expect(refused.stderr).to.match(/^error: SessionRevoked \(code \d+\): .+\n$/);
    });

    it("a solana session: use-solana takes a base64 message; the program derives the amount; a large one goes through the buffer", () => {
      const view = cli("inspect", dwallet, "--init-authority", owner.pubkey);
      const D = new PublicKey(Buffer.from(view.out.dwalletAccount.publicKey, "hex"));
      const third = Keypair.generate().publicKey;
      const created = cli("create", "--admin", admin.file, "--delegate", bot.pubkey, "--expires-in", "1000", "--max-uses", "5",
        "--max-amount", "1000", "--programs", `${SystemProgram.programId.toBase58()},${third.toBase58()}`, "--format", "solana", "--yes");
      expect(created.code, JSON.stringify(created.err)).to.equal(0);
      expect([created.out.state.format, created.out.state.assetMint]).to.deep.equal(["solana", "lamports"]);
      const id = String(created.out.sessionId);
      const message = (lamports: number, data = 0) => new TransactionMessage({
        payerKey: D, recentBlockhash: Keypair.generate().publicKey.toBase58(), instructions: [
          SystemProgram.transfer({ fromPubkey: D, toPubkey: third, lamports }),
          ...(data ? [new TransactionInstruction({ programId: third, keys: [], data: Buffer.alloc(data, 1) })] : []),
        ],
      }).compileToLegacyMessage().serialize().toString("base64");
      const ok = cli("use-solana", id, "--delegate", bot.file, "--message", message(1000));
      expect(ok.code, JSON.stringify(ok.err)).to.equal(0);
      expect([ok.out.amount, ok.out.viaBuffer, ok.out.programs]).to.deep.equal(["1000", false, [SystemProgram.programId.toBase58()]]);
      const over = cli("use-solana", id, "--delegate", bot.file, "--message", message(1001));
      expect([over.code, over.err.error]).to.deep.equal([1, "AmountExceedsMax"]);
      const big = cli("use-solana", id, "--delegate", bot.file, "--message", message(7, 900));
      expect(big.code, JSON.stringify(big.err)).to.equal(0);
      expect([big.out.amount, big.out.viaBuffer, big.out.nonce]).to.deep.equal(["7", true, "1"]);
      const notBase64 = cli("use-solana", id, "--delegate", bot.file, "--message", "not base64!");
      expect([notBase64.code, notBase64.err.error]).to.deep.equal([2, "UsageError"]);
      // a large message over the cap: staged, then refused; --local keeps nothing of a failed command, the buffer
      // included, so there is none to abandon (tests/cli-rpc.test.ts abandons one on a cluster)
      const staged = cli("use-solana", id, "--delegate", bot.file, "--message", message(1001, 900));
      expect([staged.code, staged.err.error]).to.deep.equal([1, "AmountExceedsMax"]);
      const none = cli("close-buffer", id, "--delegate", bot.file);
      expect([none.code, none.err.error]).to.deep.equal([1, "AccountOwnedByWrongProgram"]);
    });

    it("release hands the dWallet back: the policy is released, and inspect shows the dWallet's new authority", () => {
      const released = cli("release", "--new-authority", owner.pubkey, "--admin", admin.file);
      expect([released.code, released.out?.released], JSON.stringify(released.err)).to.deep.equal([0, true]);
      const view = cli("inspect", dwallet, "--init-authority", owner.pubkey);
      expect([view.out.status, view.out.curve, view.out.dwalletAccount.state, view.out.dwalletAccount.authority])
        .to.deep.equal(["released", "curve25519", "active", owner.pubkey]);
    });
  });

  describe("an evm session (spawned processes, one state file)", () => {
    let dir: string;
    let state: string;
    const TO = "0x1111111111111111111111111111111111111111";
    const spawnCli = (...args: string[]) => localCli(state, ...args);
    const tx = (nonce: number, value: bigint) => serializeTransaction({
      type: "eip1559", chainId: 10, nonce, maxPriorityFeePerGas: 1n, maxFeePerGas: 10n ** 9n, gas: 21_000n, to: TO, value,
    });

    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "session-keys-cli-evm-"));
      state = path.join(dir, "state.json");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("local-init --curve secp256k1, init-policy, create --format evm, use-evm within and past the cap, the approval pending", () => {
      const [owner, bot] = [writeKeypair(dir, "owner"), writeKeypair(dir, "bot")];
      const init = spawnCli("local-init", "--authority", owner.file, "--curve", "secp256k1");
      expect(init.code, JSON.stringify(init.err)).to.equal(0);
      const policy = spawnCli("init-policy", "--dwallet", init.out.dwallet, "--init-authority", owner.file);
      expect(policy.code, JSON.stringify(policy.err)).to.equal(0);
      const maxFee = String(21_000n * 10n ** 9n);
      const create = spawnCli("create", "--format", "evm", "--programs", TO, "--chain-id", "10", "--max-fee", maxFee,
        "--delegate", bot.pubkey, "--expires-in", "1000", "--max-uses", "5", "--max-amount", "1000", "--yes");
      expect(create.code, JSON.stringify(create.err)).to.equal(0);
      expect([create.out.state.format, create.out.state.assetMint, create.out.state.allowedPrograms]).to.deep.equal(["evm", "wei", [TO]]);
      expect(create.out.state.evm).to.deep.equal({ chainId: "10", maxFee, anyCallMask: 0 });

      const ok = spawnCli("use-evm", "0", "--delegate", bot.file, "--transaction", tx(0, 1000n));
      expect(ok.code, JSON.stringify(ok.err)).to.equal(0);
      expect([ok.out.amount, ok.out.to, ok.out.chainId, ok.out.signingHash]).to.deep.equal(["1000", TO, "10", keccak256(tx(0, 1000n))]);
      const over = spawnCli("use-evm", "0", "--delegate", bot.file, "--transaction", tx(1, 1001n));
      expect([over.code, over.err.error]).to.deep.equal([1, "AmountExceedsMax"]);
      const pending = spawnCli("approval", ok.out.messageApproval, "--evm-transaction", tx(0, 1000n));
      expect([pending.code, pending.err.error]).to.deep.equal([1, "NotSignedYet"]);
      // update reads the allowlist as the session's format does: 0x addresses
      const other = "0x2222222222222222222222222222222222222222";
      const updated = spawnCli("update", "0", "--programs", `${TO},${other}`);
      expect(updated.code, JSON.stringify(updated.err)).to.equal(0);
      expect(updated.out.state.allowedPrograms).to.deep.equal([TO, other]);
    });

    it("refuses EVM options on another format, and a bad address, as usage errors (exit 2)", () => {
      const base = ["create", "--delegate", Keypair.generate().publicKey.toBase58(), "--expires-in", "10", "--max-uses", "1", "--max-amount", "1"];
      expect(spawnCli(...base, "--programs", JUPITER, "--chain-id", "1").code).to.equal(2);
      expect(spawnCli(...base, "--format", "evm", "--programs", "0x1234", "--chain-id", "1", "--max-fee", "1").code).to.equal(2);
      expect(spawnCli(...base, "--format", "evm", "--programs", TO, "--chain-id", "1", "--max-fee", "1", "--any-call", "1").code).to.equal(2);
    });
  });

  describe("Solana CLI conventions (in-process)", () => {
    it("global options go before or after the command; -u takes monikers; -k a keypair file; errors are usage errors (exit 2)", async () => {
      expect(clusterUrl("d")).to.equal("https://api.devnet.solana.com");
      expect(clusterUrl("mainnet-beta")).to.equal("https://api.mainnet-beta.solana.com");
      expect(clusterUrl("l")).to.equal("http://localhost:8899");
      expect(clusterUrl("https://rpc.example.test")).to.equal("https://rpc.example.test");
      // The command is found after global options and their values (here the keypair file is missing: a usage error about it, not "unknown command").
      const missing = path.join(os.tmpdir(), `no-such-keypair-${Date.now()}.json`);
      const before = await run(["-u", "devnet", "-k", missing, "inspect", "--policy", Keypair.generate().publicKey.toBase58(), "--output", "json"]);
      expect([before.code, JSON.parse(before.stderr)]).to.deep.equal([2, { error: "UsageError", message: `--keypair: cannot read keypair file ${missing} (ENOENT)` }]);
      const bad = await run(["inspect", "--url", "not a url", "-k", missing, "--output", "json"]);
      expect(bad.code).to.equal(2);
      expect(JSON.parse(bad.stderr).message).to.match(/--url must be an http\(s\) URL or one of m, mainnet-beta, d, devnet/);
      // Unknown options, a value option given twice, a missing or an extra argument: usage errors, one line on stderr.
      for (const [argv, message] of [
        [["-x", "inspect"], "unknown option '-x'"],
        [["inspect", "--polcy", "x"], "unknown option '--polcy' (Did you mean --policy?)"],
        [["revoke", "0", "--admin", "a.json", "--admin", "b.json"], "option '--admin <keypair file>' argument 'b.json' is invalid. Give the option once."],
        [["revoke"], "missing required argument 'session-id'"],
        [["revoke", "0", "1"], "too many arguments for 'revoke'. Expected 1 argument but got 2."],
        [["frobnicate"], "unknown command 'frobnicate'"],
      ] as const) {
        const r = await run([...argv, "-u", "l", "-k", missing]);
        expect([r.code, r.stdout, r.stderr], argv.join(" ")).to.deep.equal([2, "", `error: UsageError: ${message}\n`]);
      }
      // --output takes json or json-compact; anything else is a usage error (exit 2) naming the choices.
      const xml = await run(["inspect", "--output", "xml"]);
      expect([xml.code, xml.stderr]).to.deep.equal([2, "error: UsageError: option '--output <format>' argument 'xml' is invalid. Allowed choices are json, json-compact.\n"]);
      const compact = await run(["inspect", "-u", "l", "-k", missing, "--output", "json-compact"]);
      expect(compact.stderr).to.equal(`{"error":"UsageError","message":"--keypair: cannot read keypair file ${missing} (ENOENT)"}\n`);
      // --help on every command prints its own usage, options and the global ones (exit 0); with no command, the list on stderr (exit 2).
      for (const name of Object.keys(COMMANDS)) {
        const help = await run([name, "--help"]);
        expect([help.code, help.stdout.split("\n")[0].startsWith(`Usage: session-keys ${name} `), help.stdout.includes("Global Options:")], name).to.deep.equal([0, true, true]);
      }
      const create = await run(["create", "-h"]);
      expect(create.stdout).to.match(/^ {2}--expires-in <slots> +expiry as slots from now \(or --expiry-slot\)$/m).and.match(/^ {2}-u, --url <rpc\|moniker> /m);
      const all = await run(["--help"]);
      expect([all.code, all.stdout]).to.satisfy(([c, out]: [number, string]) => c === 0 && /^ {2}propose-admin \[options\] +step one/m.test(out));
      const none = await run([]);
      expect([none.code, none.stdout, none.stderr.startsWith("Usage: session-keys [options] [command]")]).to.deep.equal([2, "", true]);
    });
  });

  describe("--local state under concurrent commands", () => {
    let dir: string;
    let state: string;
    let admin: { file: string; pubkey: string };

    /** The CLI as a process, without waiting: concurrent runs. */
    function cliAsync(...args: string[]): Promise<CliRun> {
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [
          "--no-allocation-site-pretenuring", path.join(ROOT, "node_modules/.bin/ts-node"), "--transpile-only",
          path.join(ROOT, "app/src/cli/index.ts"), ...args, "--local", state, "--output", "json",
        ], { cwd: ROOT });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("close", (code) => {
          const parse = (t: string) => (t.trim() ? JSON.parse(t) : null);
          resolve({ code: code ?? -1, out: parse(stdout), err: parse(stderr) });
        });
      });
    }

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "session-keys-cli-lock-"));
      state = path.join(dir, "state.json");
      admin = writeKeypair(dir, "admin");
      const init = await cliAsync("local-init", "--authority", admin.file);
      expect(init.code, JSON.stringify(init.err)).to.equal(0);
      const policy = await cliAsync("init-policy", "--dwallet", init.out.dwallet, "--init-authority", admin.file, "--admin", admin.pubkey);
      expect(policy.code, JSON.stringify(policy.err)).to.equal(0);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("two creates at once both land, one after the other (ids 0 and 1), and an inspect at the same time loses nothing", async () => {
      const create = () => cliAsync("create", "--admin", admin.file, "--delegate", Keypair.generate().publicKey.toBase58(), "--expires-in", "100",
        "--max-uses", "1", "--max-amount", "1", "--programs", JUPITER, "--yes");
      const [a, b, view] = await Promise.all([create(), create(), cliAsync("inspect")]);
      expect([a.code, b.code, view.code], JSON.stringify([a.err, b.err, view.err])).to.deep.equal([0, 0, 0]);
      expect([a.out.sessionId, b.out.sessionId].sort()).to.deep.equal([0, 1]);
      const after = await cliAsync("inspect");
      expect([after.out.nextSessionId, after.out.sessions.map((x: { id: number }) => x.id)]).to.deep.equal(["2", [0, 1]]);
      expect(fs.readdirSync(dir).filter((f) => /\.(tmp|lock)$/.test(f))).to.deep.equal([]);
    });

    it("a corrupt state file is refused with its path and the field that is wrong, and left as it is", async () => {
      const good = JSON.parse(fs.readFileSync(state, "utf8"));
      const broken = path.join(dir, "broken.json");
      fs.writeFileSync(broken, JSON.stringify({ ...good, slot: "soon" }), { mode: 0o600 });
      const saved = state;
      state = broken;
      try {
        const r = await cliAsync("inspect");
        expect([r.code, r.err.error]).to.deep.equal([2, "UsageError"]);
        expect(r.err.message).to.equal(`${broken}: field slot is missing or wrong; remove the file and run local-init to start over`);
        fs.writeFileSync(broken, "{ not json", { mode: 0o600 });
        const garbled = await cliAsync("inspect");
        expect(garbled.err.message).to.match(/is not valid JSON/).and.not.to.include("not json");
        expect(fs.readFileSync(broken, "utf8")).to.equal("{ not json");
      } finally {
        state = saved;
      }
    });
  });
});