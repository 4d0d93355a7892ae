/**
 * The IDL's home (docs/deploy.md, "IDL").
 *
 * Everywhere: session_keys.so refuses Anchor's legacy IDL instruction, so no
 * key can create (and own) an Anchor IDL account for this program; and the
 * Program Metadata builders in migrations/program-metadata.ts produce the
 * bytes and addresses derived here by hand from the program's documented
 * layout, every publish transaction fitting one packet.
 *
 * With PROGRAM_METADATA_SO (Program Metadata's .so, e.g. dumped from
 * mainnet-beta), on LiteSVM: deploy.ts deploys and publishes in one run, a
 * stranger can neither claim nor overwrite the canonical account, a
 * stranger's own metadata lands elsewhere, and a second publish replaces the data.
 */
import { expect } from "chai";
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { inflateSync } from "zlib";
import {
  Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, SYSVAR_RENT_PUBKEY, Transaction, TransactionInstruction,
} from "@solana/web3.js";
import { LiteSvmChain } from "../app/src/chain/local";
import type { Chain } from "../app/src/chain";
import { DEFAULTS, run } from "../migrations/deploy";
import { deployProgram, programDataAddress } from "../migrations/loader-v3";
import { PACKET_DATA_SIZE } from "../migrations/steps";
import {
  allocateIx, canonicalMetadataAddress, closeIx, decodeMetadata, extendIx, fetchIdl, IDL_ENCODING, initializeIx,
  nonCanonicalMetadataAddress, packIdl, PROGRAM_METADATA_ID, ProgramMetadataMissing, publishIdl, publishSteps, seedBytes, setAuthorityIx, setDataIx,
  trimIx, writeChunkSize, writeIx,
} from "../migrations/program-metadata";
import { CPI_CALLER_SO, describeOnEachRuntime, expectError, expectOk, SESSION_KEYS_ID } from "./harness";

const IDL_JSON = fs.readFileSync(DEFAULTS.idl);
const PM_SO = process.env.PROGRAM_METADATA_SO ? path.resolve(process.env.PROGRAM_METADATA_SO) : undefined;

// ---------------------------------------------------------------- Anchor's legacy IDL instruction

/** Anchor's IDL_IX_TAG, the u64 0x0a69e9a778bcf440 (sha256("anchor:idl")'s first 8 bytes read big-endian), sent little-endian. */
const LEGACY_IDL_TAG = Buffer.from([0x40, 0xf4, 0xbc, 0x78, 0xa7, 0xe9, 0x69, 0x0a]);

/** `IdlInstruction::Create { data_len }` to the legacy accounts [from (s,w), idl (w), base, system program, program]. */
async function legacyIdlCreate(from: PublicKey, dataLen: bigint): Promise<{ ix: TransactionInstruction; idlAccount: PublicKey }> {
  const base = PublicKey.findProgramAddressSync([], SESSION_KEYS_ID)[0];
  const idlAccount = (await PublicKey.createWithSeed(base, "anchor:idl", SESSION_KEYS_ID)).toBase58();
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(dataLen);
  return {
    idlAccount: new PublicKey(idlAccount),
    ix: new TransactionInstruction({
      programId: SESSION_KEYS_ID,
      keys: [
        { pubkey: from, isSigner: true, isWritable: true },
        { pubkey: new PublicKey(idlAccount), isSigner: false, isWritable: true },
        { pubkey: base, isSigner: false, isWritable: false },
        { pubkey: SystemProgram.programId, isSigner: false, isWritable: false },
        { pubkey: SESSION_KEYS_ID, isSigner: false, isWritable: false },
      ],
      data: Buffer.concat([LEGACY_IDL_TAG, Buffer.from([0]), len]),
    }),
  };
}

async function sendTx(chain: Chain, payer: Keypair, ixs: TransactionInstruction[], signers: Keypair[] = []) {
  const tx = new Transaction().add(...ixs);
  tx.feePayer = payer.publicKey;
  tx.recentBlockhash = (await chain.getLatestBlockhash()).blockhash;
  tx.sign(payer, ...signers);
  return chain.sendTransaction(tx);
}

describe("the legacy IDL tag", () => {
  it("is sha256(\"anchor:idl\")[0..8] as a big-endian u64, sent little-endian", () => {
    const prefix = createHash("sha256").update("anchor:idl").digest().subarray(0, 8);
    expect(Buffer.from(prefix).reverse()).to.deep.equal(LEGACY_IDL_TAG);
  });
});

describeOnEachRuntime("Anchor's legacy IDL instruction", (env) => {
  it("is refused with InstructionFallbackNotFound: no Anchor IDL account can be created for this program", async () => {
    const { chain } = env();
    const [stranger] = await env().funded(1);
    const { ix, idlAccount } = await legacyIdlCreate(stranger.publicKey, 1000n);
    await expectError(sendTx(chain, stranger, [ix]), "InstructionFallbackNotFound");
    expect(await chain.getAccountInfo(idlAccount)).to.equal(null);
  });
});

// ---------------------------------------------------------------- builders, by hand

/** A PDA the long way: sha256(seeds ‖ bump ‖ program ‖ "ProgramDerivedAddress"), highest bump off the curve. */
function pdaByHand(seeds: Buffer[], program: PublicKey): PublicKey {
  for (let bump = 255; bump >= 0; bump--) {
    const hash = createHash("sha256").update(Buffer.concat([...seeds, Buffer.from([bump]), program.toBuffer(), Buffer.from("ProgramDerivedAddress")])).digest();
    if (!PublicKey.isOnCurve(hash)) return new PublicKey(hash);
  }
  throw new Error("no bump");
}

const keysOf = (ix: TransactionInstruction) => ix.keys.map((k) => [k.pubkey.toBase58(), k.isSigner, k.isWritable]);

describe("Program Metadata builders (migrations/program-metadata.ts)", () => {
  const program = SESSION_KEYS_ID;
  const authority = new PublicKey(Buffer.alloc(32, 0x22));
  const buffer = new PublicKey(Buffer.alloc(32, 0x11));
  const pm = PROGRAM_METADATA_ID.toBase58();
  const idlSeed = Buffer.from([0x69, 0x64, 0x6c, ...new Array(13).fill(0)]); // "idl", zero-padded to 16
  const proof = { program, programData: programDataAddress(program) };

  it("the seed is utf8 in 16 zero-padded bytes; a longer one is refused", () => {
    expect(seedBytes("idl")).to.deep.equal(idlSeed);
    expect(() => seedBytes("a-seed-of-17-byte")).to.throw('seed "a-seed-of-17-byte" is 17 bytes; at most 16');
  });

  it("canonical = [program, seed]; non-canonical = [program, authority, seed]; the two never coincide", () => {
    const canonical = canonicalMetadataAddress(program);
    expect(canonical.toBase58()).to.equal(pdaByHand([program.toBuffer(), idlSeed], PROGRAM_METADATA_ID).toBase58());
    const stranger = Keypair.generate().publicKey;
    const theirs = nonCanonicalMetadataAddress(program, stranger);
    expect(theirs.toBase58()).to.equal(pdaByHand([program.toBuffer(), stranger.toBuffer(), idlSeed], PROGRAM_METADATA_ID).toBase58());
    expect(theirs.equals(canonical)).to.equal(false);
  });

  it("Write = 0, offset u32 LE, bytes; accounts [buffer (w), authority (s), source buffer or the program's id]", () => {
    const ix = writeIx({ buffer, authority, offset: 0x01020304, bytes: Buffer.from([0xaa, 0xbb]) });
    expect(ix.programId.toBase58()).to.equal(pm);
    expect(ix.data).to.deep.equal(Buffer.from([0, 0x04, 0x03, 0x02, 0x01, 0xaa, 0xbb]));
    expect(keysOf(ix)).to.deep.equal([[buffer.toBase58(), false, true], [authority.toBase58(), true, false], [pm, false, false]]);
  });

  it("Initialize = 1, seed [16], encoding, compression, format, data source, data; five accounts", () => {
    const metadata = canonicalMetadataAddress(program);
    const ix = initializeIx({ metadata, authority, ...proof, seed: "idl", description: IDL_ENCODING });
    expect(ix.data).to.deep.equal(Buffer.concat([Buffer.from([1]), idlSeed, Buffer.from([1, 2, 1, 0])]));
    expect(keysOf(ix)).to.deep.equal([
      [metadata.toBase58(), false, true], [authority.toBase58(), true, false], [program.toBase58(), false, false],
      [proof.programData.toBase58(), false, false], [pm, false, false],
    ]);
    const inline = initializeIx({ metadata, authority, program, seed: "idl", description: IDL_ENCODING, data: Buffer.from([9]), systemProgram: true });
    expect(inline.data.subarray(17)).to.deep.equal(Buffer.from([1, 2, 1, 0, 9]));
    expect(keysOf(inline).slice(3)).to.deep.equal([[pm, false, false], [SystemProgram.programId.toBase58(), false, false]]);
  });

  it("SetData = 3, encoding, compression, format, data source (+ data inline); accounts [metadata (w), authority (s), buffer, program, program data]", () => {
    const metadata = canonicalMetadataAddress(program);
    const fromBuffer = setDataIx({ metadata, authority, buffer, proof, description: IDL_ENCODING });
    expect(fromBuffer.data).to.deep.equal(Buffer.from([3, 1, 2, 1, 0]));
    expect(keysOf(fromBuffer)).to.deep.equal([
      [metadata.toBase58(), false, true], [authority.toBase58(), true, false], [buffer.toBase58(), false, false],
      [program.toBase58(), false, false], [proof.programData.toBase58(), false, false],
    ]);
    const inline = setDataIx({ metadata, authority, proof, description: IDL_ENCODING, data: Buffer.from([7, 8]) });
    expect(inline.data).to.deep.equal(Buffer.from([3, 1, 2, 1, 0, 7, 8]));
    expect(keysOf(inline)[2]).to.deep.equal([pm, false, false]);
  });

  it("Allocate = 7 (+ seed for a PDA), SetAuthority = 2, Trim = 5, Close = 6, Extend = 8 u16", () => {
    const pda = allocateIx({ buffer, authority, proof, seed: "idl" });
    expect(pda.data).to.deep.equal(Buffer.concat([Buffer.from([7]), idlSeed]));
    expect(keysOf(pda).map((k) => k[0])).to.deep.equal([buffer.toBase58(), authority.toBase58(), program.toBase58(), proof.programData.toBase58(), SystemProgram.programId.toBase58()]);
    expect(allocateIx({ buffer, authority: buffer }).data).to.deep.equal(Buffer.from([7]));

    const set = setAuthorityIx({ account: buffer, authority, newAuthority: program });
    expect(set.data).to.deep.equal(Buffer.concat([Buffer.from([2, 1]), program.toBuffer()]));
    expect(keysOf(set)).to.deep.equal([[buffer.toBase58(), false, true], [authority.toBase58(), true, false], [pm, false, false], [pm, false, false]]);
    expect(setAuthorityIx({ account: buffer, authority, newAuthority: null }).data).to.deep.equal(Buffer.from([2, 0]));

    const trim = trimIx({ account: buffer, authority, proof, destination: authority });
    expect(trim.data).to.deep.equal(Buffer.from([5]));
    expect(keysOf(trim).slice(4)).to.deep.equal([[authority.toBase58(), false, true], [SYSVAR_RENT_PUBKEY.toBase58(), false, false]]);
    const close = closeIx({ account: buffer, authority, destination: authority });
    expect(close.data).to.deep.equal(Buffer.from([6]));
    expect(keysOf(close)).to.have.length(5);
    expect(extendIx({ account: buffer, authority, length: 10_240 }).data).to.deep.equal(Buffer.from([8, 0x00, 0x28]));
    expect(() => extendIx({ account: buffer, authority, length: 0x1_0000 })).to.throw("extend length 65536 is not a u16");
  });

  it("decodes a 96-byte header written by hand from the layout", () => {
    const header = Buffer.alloc(96);
    header[0] = 2; // Metadata
    program.toBuffer().copy(header, 1);
    // authority [33..65] left zero: none (a canonical account is managed by the upgrade authority)
    header[65] = 1; // mutable
    header[66] = 1; // canonical
    idlSeed.copy(header, 67);
    header.set([1, 2, 1, 0], 83);
    header.writeUInt32LE(3, 87);
    const m = decodeMetadata(Buffer.concat([header, Buffer.from([0xde, 0xad, 0xbe, 0xef])]));
    expect(m).to.deep.include({ authority: null, mutable: true, canonical: true, seed: "idl", description: IDL_ENCODING });
    expect([m.program.toBase58(), [...m.data]]).to.deep.equal([program.toBase58(), [0xde, 0xad, 0xbe]]);
  });

  it("stores the IDL as zlib of its JSON, and every publish transaction (create and update) fits one packet", () => {
    expect(JSON.parse(inflateSync(packIdl(IDL_JSON)).toString("utf8"))).to.deep.equal(JSON.parse(IDL_JSON.toString("utf8")));
    const payer = Keypair.generate();
    const data = packIdl(IDL_JSON);
    const header = Buffer.alloc(96); // an existing canonical, mutable Metadata holding no data yet
    header[0] = 2;
    program.toBuffer().copy(header, 1);
    header[65] = 1;
    header[66] = 1;
    const existing = { owner: PROGRAM_METADATA_ID, lamports: 1, executable: false, rentEpoch: 0, data: header };
    const wire = (step: { tx: Transaction }) => {
      step.tx.feePayer = payer.publicKey;
      step.tx.recentBlockhash = PublicKey.default.toBase58();
      return step.tx.serialize({ requireAllSignatures: false, verifySignatures: false }).length;
    };
    const plan = (existingAccount: typeof existing | null) => publishSteps({ program, authority: payer, payer, data, description: IDL_ENCODING, seed: "idl", existing: existingAccount, rent: () => 1_000_000, buffer: Keypair.generate() });
    const create = plan(null);
    const update = plan(existing); // from zero bytes: the growth needs Extend
    expect(() => plan({ ...existing, data: Buffer.from(header).fill(0, 65, 66) })).to.throw(/is immutable \(SetImmutable was run on it\)/);
    expect(create.map((s) => s.name)).to.deep.equal(["allocate", ...create.slice(1, -1).map((s) => s.name), "initialize"]);
    expect(update.map((s) => s.name)).to.deep.equal(["createBuffer", ...update.slice(1, -1).map((s) => s.name), "setData"]);
    const chunk = writeChunkSize(payer.publicKey, payer.publicKey, canonicalMetadataAddress(program));
    expect(create.length - 2).to.equal(Math.ceil(data.length / chunk));
    for (const s of [...create, ...update]) expect(wire(s), s.name).to.be.at.most(PACKET_DATA_SIZE);
    // The chunk is the largest: a full write fills the packet exactly.
    expect(wire(create[1])).to.equal(PACKET_DATA_SIZE);
  });
});

describe("a cluster without Program Metadata", () => {
  it("publishIdl refuses with ProgramMetadataMissing, naming a missing and a non-executable account apart", async () => {
    const chain = new LiteSvmChain();
    const payer = Keypair.generate();
    const refusal = async () => {
      try {
        await publishIdl(chain, { program: SESSION_KEYS_ID, authority: payer, payer, idl: IDL_JSON });
      } catch (e) {
        expect(e).to.be.instanceOf(ProgramMetadataMissing);
        return (e as Error).message;
      }
      throw new Error("publishIdl did not refuse");
    };
    expect(await refusal()).to.match(/at ProgM6JCCvbYkfKqJYHePx4xxSUSqJp7rh8Lyv7nk7S \(account missing\)/);
    await chain.setAccount(PROGRAM_METADATA_ID, { owner: SystemProgram.programId, lamports: 1_000_000, executable: false, data: Buffer.alloc(0), rentEpoch: 0 });
    expect(await refusal()).to.match(/\(account not executable\); the IDL cannot be published here \(pass --no-idl to deploy without it\)$/);
  });
});

// ---------------------------------------------------------------- Program Metadata's own binary

const REAL_TITLE = "Program Metadata's binary (LiteSVM): deploy + publish, strangers, republish";
const SKIP_REASON = "PROGRAM_METADATA_SO is not set, so NOTHING here ran against Program Metadata's program; see docs/deploy.md (solana program dump -u mainnet-beta ProgM6JCCvbYkfKqJYHePx4xxSUSqJp7rh8Lyv7nk7S pm.so)";

// The tests run in order on one chain: the first deploys and publishes, the others act on that.
describe(PM_SO ? `${REAL_TITLE} [${PM_SO}]` : `${REAL_TITLE} — SKIPPED: ${SKIP_REASON}`, function () {
  this.timeout(300_000);
  let chain: LiteSvmChain;
  let authority: Keypair; // payer and upgrade authority, as deploy.ts uses them
  let stranger: Keypair;
  let dir: string;
  const canonical = canonicalMetadataAddress(SESSION_KEYS_ID);
  const idl = JSON.parse(IDL_JSON.toString("utf8"));

  before(async function () {
    if (!PM_SO) {
      console.log(`    [${SKIP_REASON}]`);
      this.skip();
    }
    if (!fs.existsSync(PM_SO!)) throw new Error(`PROGRAM_METADATA_SO=${PM_SO} does not exist`);
    console.log(`    [Program Metadata binary ${PM_SO} (sha256 ${createHash("sha256").update(fs.readFileSync(PM_SO!)).digest("hex")})]`);
    chain = new LiteSvmChain();
    await chain.addProgram(PROGRAM_METADATA_ID, PM_SO!);
    [authority, stranger] = [Keypair.generate(), Keypair.generate()];
    for (const k of [authority, stranger]) await chain.airdrop(k.publicKey, 100n * BigInt(LAMPORTS_PER_SOL));
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "session-keys-idl-"));
  });
  after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  const keypairFile = (k: Keypair, name: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify([...k.secretKey]));
    return file;
  };
  const rent = (len: number) => chain.getMinimumBalanceForRentExemption(len);

  /** The stranger's Initialize of `metadata` for our program, data inline, the rent sent first (the program allocates the PDA). */
  async function strangerInitialize(metadata: PublicKey, data: Buffer) {
    return sendTx(chain, stranger, [
      SystemProgram.transfer({ fromPubkey: stranger.publicKey, toPubkey: metadata, lamports: await rent(96 + data.length) }),
      initializeIx({ metadata, authority: stranger.publicKey, program: SESSION_KEYS_ID, programData: programDataAddress(SESSION_KEYS_ID), seed: "idl", description: IDL_ENCODING, data, systemProgram: true }),
    ]);
  }

  it("deploy.ts --yes deploys through loader-v3 and publishes the IDL in the same run; fetchIdl returns target/idl/session_keys.json", async () => {
    const r = await run(["--url", "http://litesvm.invalid", "--keypair", keypairFile(authority, "authority.json"), "--yes", "--no-solana-cli"], { connect: () => chain });
    expect(r.code, r.stderr).to.equal(0);
    const out = JSON.parse(r.stdout);
    expect([out.deployed, out.programId, out.idl.metadataAddress, out.idl.created]).to.deep.equal([true, SESSION_KEYS_ID.toBase58(), canonical.toBase58(), true]);
    expect(await fetchIdl(chain, SESSION_KEYS_ID)).to.deep.equal(idl);
    const account = (await chain.getAccountInfo(canonical))!;
    const m = decodeMetadata(account.data);
    // Canonical, no explicit authority: whoever ProgramData names as upgrade authority manages it.
    expect(m).to.deep.include({ canonical: true, authority: null, mutable: true, seed: "idl", description: IDL_ENCODING });
    expect(m.program.toBase58()).to.equal(SESSION_KEYS_ID.toBase58());
    expect(account.lamports).to.equal(await rent(account.data.length));
  });

  it("a stranger cannot initialize (or allocate) the canonical \"idl\" account: InvalidSeeds — their seeds lead to their own address", async () => {
    // On a fresh program id, so the canonical account is still unclaimed when the stranger tries.
    const other = Keypair.generate();
    const fresh = new LiteSvmChain();
    await fresh.addProgram(PROGRAM_METADATA_ID, PM_SO!);
    await fresh.airdrop(authority.publicKey, 100n * BigInt(LAMPORTS_PER_SOL));
    await fresh.airdrop(stranger.publicKey, 100n * BigInt(LAMPORTS_PER_SOL));
    // Any loader-v3 program will do (the rule is Program Metadata's, not ours): the small CPI fixture deploys in a few writes.
    await deployProgram(fresh, { payer: authority, program: other, so: fs.readFileSync(CPI_CALLER_SO) });
    const target = canonicalMetadataAddress(other.publicKey);
    const data = packIdl(Buffer.from('{"claimed":"by a stranger"}'));
    const proof = { program: other.publicKey, programData: programDataAddress(other.publicKey) };
    await expectError(sendTx(fresh, stranger, [
      SystemProgram.transfer({ fromPubkey: stranger.publicKey, toPubkey: target, lamports: await fresh.getMinimumBalanceForRentExemption(96 + data.length) }),
      initializeIx({ metadata: target, authority: stranger.publicKey, ...proof, seed: "idl", description: IDL_ENCODING, data, systemProgram: true }),
    ]), "InvalidSeeds");
    await expectError(sendTx(fresh, stranger, [
      SystemProgram.transfer({ fromPubkey: stranger.publicKey, toPubkey: target, lamports: await fresh.getMinimumBalanceForRentExemption(96) }),
      allocateIx({ buffer: target, authority: stranger.publicKey, proof, seed: "idl" }),
    ]), "InvalidSeeds");
    expect(await fresh.getAccountInfo(target)).to.equal(null);
    // And once published, initializing it again fails the same way.
    await expectError(strangerInitialize(canonical, data), "InvalidSeeds");
  });

  it("a create stopped after Allocate leaves a canonical buffer; the next publish closes it and creates the account", async () => {
    const fresh = new LiteSvmChain();
    await fresh.addProgram(PROGRAM_METADATA_ID, PM_SO!);
    await fresh.airdrop(authority.publicKey, 100n * BigInt(LAMPORTS_PER_SOL));
    const other = Keypair.generate();
    await deployProgram(fresh, { payer: authority, program: other, so: fs.readFileSync(CPI_CALLER_SO) });
    const target = canonicalMetadataAddress(other.publicKey);
    const [allocate] = publishSteps({ program: other.publicKey, authority, payer: authority, data: packIdl(IDL_JSON), description: IDL_ENCODING, seed: "idl", existing: null, rent: () => 1_000_000_000, buffer: Keypair.generate() });
    await expectOk(sendTx(fresh, authority, allocate.tx.instructions));
    expect((await fresh.getAccountInfo(target))!.data[0]).to.equal(1); // a Buffer, not Metadata
    const r = await publishIdl(fresh, { program: other.publicKey, authority, payer: authority, idl: IDL_JSON });
    expect(r.created).to.equal(true);
    expect(await fetchIdl(fresh, other.publicKey)).to.deep.equal(idl);
  });

  it("a stranger cannot set the canonical account's data, with or without the program accounts: IncorrectAuthority", async () => {
    const data = packIdl(Buffer.from('{"overwritten":true}'));
    const before = (await chain.getAccountInfo(canonical))!.data;
    await expectError(sendTx(chain, stranger, [setDataIx({ metadata: canonical, authority: stranger.publicKey, proof: { program: SESSION_KEYS_ID, programData: programDataAddress(SESSION_KEYS_ID) }, description: IDL_ENCODING, data })]), "IncorrectAuthority");
    await expectError(sendTx(chain, stranger, [setDataIx({ metadata: canonical, authority: stranger.publicKey, description: IDL_ENCODING, data })]), "IncorrectAuthority");
    expect((await chain.getAccountInfo(canonical))!.data.equals(before)).to.equal(true);
  });

  it("a stranger's own metadata lands at the non-canonical [program, stranger, seed] address; fetchIdl still reads ours", async () => {
    const theirs = nonCanonicalMetadataAddress(SESSION_KEYS_ID, stranger.publicKey);
    const data = packIdl(Buffer.from('{"name":"not session_keys"}'));
    await expectOk(strangerInitialize(theirs, data));
    const m = decodeMetadata((await chain.getAccountInfo(theirs))!.data);
    expect([m.canonical, m.authority?.toBase58(), m.program.toBase58()]).to.deep.equal([false, stranger.publicKey.toBase58(), SESSION_KEYS_ID.toBase58()]);
    expect(await fetchIdl(chain, SESSION_KEYS_ID)).to.deep.equal(idl);
  });

  it("a second publish by the upgrade authority replaces the data (larger: Extend; back to smaller: Trim refunds the rent); the buffers are closed", async () => {
    const upgraded = { ...idl, docs: [randomBytes(12_000).toString("hex")] }; // ~12 KB more after zlib: past one instruction's growth
    const grown = await publishIdl(chain, { program: SESSION_KEYS_ID, authority, payer: authority, idl: Buffer.from(JSON.stringify(upgraded)) });
    expect(grown.created).to.equal(false);
    expect(await fetchIdl(chain, SESSION_KEYS_ID)).to.deep.equal(upgraded);
    const shrunk = await publishIdl(chain, { program: SESSION_KEYS_ID, authority, payer: authority, idl: IDL_JSON });
    expect(shrunk.storedBytes).to.be.lessThan(grown.storedBytes);
    expect(await fetchIdl(chain, SESSION_KEYS_ID)).to.deep.equal(idl);
    const account = (await chain.getAccountInfo(canonical))!;
    expect([account.data.length, account.lamports]).to.deep.equal([96 + shrunk.storedBytes, await rent(96 + shrunk.storedBytes)]);
    // Only the canonical account and the stranger's remain owned by Program Metadata: both update buffers were closed.
    const owned = await chain.getProgramAccounts(PROGRAM_METADATA_ID, [], { offset: 0, length: 0 });
    expect(owned.map((a) => a.address.toBase58()).sort()).to.deep.equal([canonical.toBase58(), nonCanonicalMetadataAddress(SESSION_KEYS_ID, stranger.publicKey).toBase58()].sort());
  });
});
