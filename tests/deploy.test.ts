/**
 * migrations/deploy.ts without a network: the refusals (the Ika stand-in by
 * file name and by id, a mainnet URL without --allow-mainnet, a program
 * keypair that is not the IDL's address), the plan's numbers, the exact bytes
 * of the three loader-v3 instructions, and a real deploy of session_keys.so
 * into LiteSVM through the upgradeable loader (create buffer, ~330 writes,
 * DeployWithMaxDataLen) followed by one invocation of the deployed program.
 * LiteSVM runs the loader-v3 builtin for ordinary transactions, so this
 * is the same flow `--yes` runs against a cluster (~4 s: every Write copies
 * the growing buffer account). The IDL step: the plan names the canonical
 * Program Metadata address, `--no-idl` drops it, and a cluster without
 * Program Metadata is refused before anything is deployed (tests/idl.test.ts
 * runs the publish itself against Program Metadata's binary).
 */
import { expect } from "chai";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, SYSVAR_CLOCK_PUBKEY, SYSVAR_RENT_PUBKEY, Transaction } from "@solana/web3.js";
import { LiteSvmChain } from "../app/src/chain/local";
import { SESSION_KEYS_PROGRAM_ID } from "../app/src/client";
import { createLocalPolicy, deployIka, localIka } from "../app/src/local";
import { DEFAULTS, run } from "../migrations/deploy";
import { canonicalMetadataAddress, HEADER_SIZE, packIdl, PROGRAM_METADATA_ID } from "../migrations/program-metadata";
import {
  deployProgram, deployWithMaxDataLenData, deployWithMaxDataLenIx, initializeBufferData, initializeBufferIx, LOADER_V3,
  programDataAddress, writeData, writeIx,
} from "../migrations/loader-v3";
import { PACKET_DATA_SIZE } from "../migrations/steps";

const ROOT = path.resolve(__dirname, "..");

describe("deploy (migrations/deploy.ts)", () => {
  let dir: string;
  let payerFile: string;
  let payer: Keypair;
  const base = () => ["--url", "https://api.devnet.solana.com", "--keypair", payerFile];

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "session-keys-deploy-"));
    payer = Keypair.generate();
    payerFile = path.join(dir, "payer.json");
    fs.writeFileSync(payerFile, JSON.stringify([...payer.secretKey]));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function refused(argv: string[]): Promise<string> {
    const r = await run(argv);
    expect([r.code, r.stdout]).to.deep.equal([2, ""]);
    const err = JSON.parse(r.stderr);
    expect(err.error).to.equal("Refused");
    return err.message;
  }

  describe("refusals", () => {
    it("refuses the Ika stand-in's .so by name, and by its bytes under any file name", async () => {
      const standIn = path.join(ROOT, "target/deploy/ika_dwallet_stand_in.so");
      expect(await refused([...base(), "--so", standIn])).to.match(/stand-in is a test fixture/);
      const renamed = path.join(dir, "innocent.so");
      fs.copyFileSync(standIn, renamed);
      expect(await refused([...base(), "--so", renamed])).to.equal(`refusing --so ${renamed}: it is the Ika stand-in (a test fixture) under another name`);
    });

    it("refuses a mainnet URL unless --allow-mainnet (which then only plans without --yes)", async () => {
      const mainnet = ["--url", "https://api.mainnet-beta.solana.com", "--keypair", payerFile];
      expect(await refused(mainnet)).to.match(/needs --allow-mainnet/);
      const allowed = await run([...mainnet, "--allow-mainnet"]);
      expect(allowed.code).to.equal(0);
      expect(JSON.parse(allowed.stdout).plan.programId).to.equal(SESSION_KEYS_PROGRAM_ID.toBase58());
    });

    it("refuses a program keypair whose pubkey is not the IDL's address", async () => {
      const other = Keypair.generate();
      const file = path.join(dir, "other-keypair.json");
      fs.writeFileSync(file, JSON.stringify([...other.secretKey]));
      expect(await refused([...base(), "--program-keypair", file])).to.match(new RegExp(`^program keypair ${other.publicKey.toBase58()} is not the IDL's address ${SESSION_KEYS_PROGRAM_ID.toBase58()}`));
    });
  });

  describe("plan", () => {
    it("prints program id, size, ProgramData rent, buffer size and the number of write transactions; sends nothing", async () => {
      const r = await run(base());
      expect(r.code, r.stderr).to.equal(0);
      const { plan, next } = JSON.parse(r.stdout);
      const size = fs.statSync(DEFAULTS.so).size;
      const chain = new LiteSvmChain();
      expect(next).to.equal("re-run with --yes to deploy");
      expect(plan.programId).to.equal(SESSION_KEYS_PROGRAM_ID.toBase58());
      expect(plan.programDataAddress).to.equal(programDataAddress(SESSION_KEYS_PROGRAM_ID).toBase58());
      expect([plan.soBytes, plan.programDataSize, plan.bufferSize]).to.deep.equal([size, 45 + size, 37 + size]);
      // The plan's offline rent formula agrees with the runtime's Rent sysvar.
      expect(plan.programDataRentLamports).to.equal(await chain.getMinimumBalanceForRentExemption(45 + size));
      expect(plan.bufferRentLamports).to.equal(await chain.getMinimumBalanceForRentExemption(37 + size));
      expect(plan.writeTransactions).to.equal(Math.ceil(size / plan.writeChunkBytes));
      expect(plan.totalTransactions).to.equal(plan.writeTransactions + 2);
      // The chunk is the largest that fits: one more byte overflows the packet.
      const wire = (n: number) => {
        const tx = new Transaction({ feePayer: payer.publicKey, recentBlockhash: PublicKey.default.toBase58() }).add(writeIx(Keypair.generate().publicKey, payer.publicKey, 0, new Uint8Array(n)));
        tx.sign(payer);
        return tx.serialize().length;
      };
      expect(wire(plan.writeChunkBytes)).to.equal(PACKET_DATA_SIZE);
      expect(() => wire(plan.writeChunkBytes + 1)).to.throw(/Transaction too large/);

      // --dry-run builds every transaction of that plan, and each fits a packet.
      const dry = JSON.parse((await run([...base(), "--dry-run", "--no-solana-cli"])).stdout);
      expect([dry.dryRun, dry.transactionsBuilt, dry.largestTransactionBytes]).to.deep.equal([true, plan.totalTransactions, PACKET_DATA_SIZE]);
      expect(dry.idlTransactionsBuilt).to.equal(plan.idl.transactions);
    });

    it("deploys a program of at most 400 KB (409,600 bytes), the bound docs/build.md measures against", () => {
      expect(fs.statSync(DEFAULTS.so).size).to.be.at.most(400 * 1024);
    });

    it("lists the IDL step with the canonical metadata address and its rent; --no-idl drops it", async () => {
      const { plan } = JSON.parse((await run(base())).stdout);
      const stored = packIdl(fs.readFileSync(DEFAULTS.idl)).length;
      expect(plan.idl).to.deep.include({
        metadataAddress: canonicalMetadataAddress(SESSION_KEYS_PROGRAM_ID).toBase58(), seed: "idl", stored: "utf8 JSON, zlib, direct",
        storedBytes: stored, accountSize: HEADER_SIZE + stored, rentLamports: await new LiteSvmChain().getMinimumBalanceForRentExemption(HEADER_SIZE + stored),
      });
      expect(plan.idl.step).to.match(/canonical "idl" account, signed by the upgrade authority$/);
      const skipped = JSON.parse((await run([...base(), "--no-idl"])).stdout);
      expect(skipped.plan.idl).to.deep.equal({ step: "skipped (--no-idl)" });
      const dry = JSON.parse((await run([...base(), "--no-idl", "--dry-run", "--no-solana-cli"])).stdout);
      expect(dry.idlTransactionsBuilt).to.equal(0);
    });
  });

  describe("a cluster without Program Metadata", () => {
    it("--yes says so in one line and exits 1 before deploying; with --no-idl it deploys and says the IDL was skipped", async function () {
      this.timeout(180_000);
      const chain = new LiteSvmChain();
      await chain.airdrop(payer.publicKey, 100n * BigInt(LAMPORTS_PER_SOL));
      const argv = [...base(), "--yes", "--no-solana-cli"];
      const r = await run(argv, { connect: () => chain });
      expect([r.code, r.stdout]).to.deep.equal([1, ""]);
      expect(r.stderr.trim().split("\n")).to.have.length(1);
      expect(JSON.parse(r.stderr)).to.deep.equal({
        error: "ProgramMetadataMissing",
        message: `this cluster has no Program Metadata program at ${PROGRAM_METADATA_ID.toBase58()} (account missing); the IDL cannot be published here (pass --no-idl to deploy without it)`,
      });
      expect(await chain.getAccountInfo(SESSION_KEYS_PROGRAM_ID)).to.equal(null);

      const deployed = await run([...argv, "--no-idl"], { connect: () => chain });
      expect(deployed.code, deployed.stderr).to.equal(0);
      expect(JSON.parse(deployed.stdout)).to.deep.include({ deployed: true, programId: SESSION_KEYS_PROGRAM_ID.toBase58(), idl: "skipped (--no-idl)" });
      expect((await chain.getAccountInfo(SESSION_KEYS_PROGRAM_ID))?.executable).to.equal(true);
    });
  });

  describe("loader-v3 instruction bytes", () => {
    const buffer = new PublicKey(Buffer.alloc(32, 0x11));
    const authority = new PublicKey(Buffer.alloc(32, 0x22));
    const program = new PublicKey(Buffer.alloc(32, 0x33));

    it("InitializeBuffer = u32 0; accounts [buffer (w), authority]", () => {
      expect(initializeBufferData()).to.deep.equal(Buffer.from([0, 0, 0, 0]));
      const ix = initializeBufferIx(buffer, authority);
      expect(ix.programId.equals(LOADER_V3)).to.equal(true);
      expect(ix.keys.map((k) => [k.pubkey.toBase58(), k.isSigner, k.isWritable])).to.deep.equal([[buffer.toBase58(), false, true], [authority.toBase58(), false, false]]);
    });

    it("Write = u32 1, offset u32 LE, Vec<u8> as u64 LE length + bytes; accounts [buffer (w), authority (s)]", () => {
      expect(writeData(0x01020304, Buffer.from([0xaa, 0xbb, 0xcc]))).to.deep.equal(Buffer.from([
        1, 0, 0, 0, 0x04, 0x03, 0x02, 0x01, 3, 0, 0, 0, 0, 0, 0, 0, 0xaa, 0xbb, 0xcc,
      ]));
      const ix = writeIx(buffer, authority, 1012, Buffer.from([7]));
      expect(ix.data).to.deep.equal(Buffer.from([1, 0, 0, 0, 0xf4, 0x03, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7]));
      expect(ix.keys.map((k) => [k.isSigner, k.isWritable])).to.deep.equal([[false, true], [true, false]]);
    });

    it("DeployWithMaxDataLen = u32 2, max_data_len u64 LE; the eight accounts in the loader's order", () => {
      expect(deployWithMaxDataLenData(0x0102_0304_05)).to.deep.equal(Buffer.from([2, 0, 0, 0, 0x05, 0x04, 0x03, 0x02, 0x01, 0, 0, 0]));
      const ix = deployWithMaxDataLenIx({ payer: authority, program, buffer, authority, maxDataLen: 833045 });
      expect(ix.data).to.deep.equal(Buffer.from([2, 0, 0, 0, 0x15, 0xb6, 0x0c, 0, 0, 0, 0, 0]));
      expect(ix.keys.map((k) => [k.pubkey.toBase58(), k.isSigner, k.isWritable])).to.deep.equal([
        [authority.toBase58(), true, true],
        [programDataAddress(program).toBase58(), false, true],
        [program.toBase58(), false, true],
        [buffer.toBase58(), false, true],
        [SYSVAR_RENT_PUBKEY.toBase58(), false, false],
        [SYSVAR_CLOCK_PUBKEY.toBase58(), false, false],
        [SystemProgram.programId.toBase58(), false, false],
        [authority.toBase58(), true, false],
      ]);
    });
  });

  describe("a real deploy into LiteSVM through the upgradeable loader", () => {
    it("creates the buffer, writes every chunk, deploys at the declared id, and the program runs", async function () {
      this.timeout(180_000);
      const chain = new LiteSvmChain();
      await chain.airdrop(payer.publicKey, 100n * BigInt(LAMPORTS_PER_SOL));
      const program = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(DEFAULTS.programKeypair, "utf8"))));
      const so = fs.readFileSync(DEFAULTS.so);
      const r = await deployProgram(chain, { payer, program, so });

      const account = (await chain.getAccountInfo(SESSION_KEYS_PROGRAM_ID))!;
      expect([account.executable, account.owner.toBase58()]).to.deep.equal([true, LOADER_V3.toBase58()]);
      const programData = (await chain.getAccountInfo(r.programData))!;
      // ProgramData: tag 3, slot, Some(upgrade authority) = the payer, then the .so.
      expect(programData.data.readUInt32LE(0)).to.equal(3);
      expect([programData.data[12], new PublicKey(programData.data.subarray(13, 45)).toBase58()]).to.deep.equal([1, payer.publicKey.toBase58()]);
      expect(programData.data.subarray(45).equals(so)).to.equal(true);
      expect(await chain.getAccountInfo(r.buffer)).to.equal(null);

      // Invoke it: a policy over a dWallet runs initialize_policy (and its Ika CPI) in the deployed program.
      await deployIka(chain, localIka());
      const admin = Keypair.generate().publicKey;
      const p = await createLocalPolicy(chain, payer, admin);
      const policy = await chain.getAccountInfo(p.policy);
      expect(policy?.owner.toBase58()).to.equal(SESSION_KEYS_PROGRAM_ID.toBase58());
      expect(p.computeUnits).to.be.greaterThan(0);
    });
  });
});
