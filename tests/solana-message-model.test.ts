/**
 * The Solana-message reference model (tests/model/solana-message-model.ts)
 * and its generator (tests/model/solana-message-gen.ts), checked on their
 * own, with no chain:
 *
 * (a) 1,000 generated messages (fixed seed): the model's strict parser reads
 *     each exactly as @solana/web3.js does, and the outcomes and the rules
 *     reached cover every refusal of docs/verified-sessions.md and success;
 * (b) every hand-built malformed message gives the doc's parse error;
 * (c) hand-written messages with exact expected amounts or errors.
 *
 * The property test that runs the program against this model relies on
 * (a) to know its inputs are well-formed and varied.
 */
import { expect } from "chai";
import * as fc from "fast-check";
import { Keypair, PublicKey } from "@solana/web3.js";
import {
  analyzeSolanaMessage,
  COMPUTE_BUDGET_PROGRAM_ID,
  ParsedMessage,
  parseSolanaMessage,
  PARSE_ERRORS,
  RULE_ERRORS,
  SolanaSessionRules,
  SYSTEM_PROGRAM_ID,
  TOKEN_2022_PROGRAM_ID,
  TOKEN_PROGRAM_ID,
  web3Parse,
} from "./model/solana-message-model";
import {
  AccountRef,
  compileMessage,
  computeBudgetData,
  GenContext,
  InstructionSpec,
  malformedCases,
  MessageSpec,
  sessionRulesArb,
  solanaMessageArb,
  systemData,
  tokenData,
  U64_MAX,
} from "./model/solana-message-gen";

const SEED = 20_240_611;
const SAMPLES = 1000;

const key = (n: number) => Keypair.fromSeed(new Uint8Array(32).fill(n)).publicKey;
const ctx: GenContext = {
  dwallet: key(1),
  mint: key(2),
  otherMint: key(3),
  thirdParty: [key(4), key(5), key(6)],
  others: [10, 11, 12, 13, 14, 15, 16, 17].map(key),
};
const D = ctx.dwallet;
const [X, Y, Z] = ctx.others;
const THIRD = ctx.thirdParty[0];

/** Both parsers' output as plain data, so deep equality compares every field. */
function normalize(m: ParsedMessage) {
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
  return {
    version: m.version,
    header: m.header,
    staticKeys: m.staticKeys.map((k) => k.toBase58()),
    recentBlockhash: m.recentBlockhash,
    instructions: m.instructions.map((ix) => ({ ...ix, data: hex(ix.data) })),
    lookups: m.lookups.map((l) => ({ ...l, accountKey: l.accountKey.toBase58() })),
  };
}

const outcomeName = (a: ReturnType<typeof analyzeSolanaMessage>) => (a.ok ? "ok" : a.error);

describe("solana message model: generated messages", () => {
  const samples = fc.sample(fc.tuple(solanaMessageArb(ctx), sessionRulesArb(ctx)), { seed: SEED, numRuns: SAMPLES });
  const histogram = new Map<string, number>();
  /** rule -> outcome -> count, from the model's trace. */
  const reached = new Map<string, Map<string, number>>();
  const bump = <K>(m: Map<K, number>, k: K) => m.set(k, (m.get(k) ?? 0) + 1);
  const shape = { legacy: 0, v0: 0, v0WithLookups: 0, instructions: new Map<number, number>(), maxLen: 0, bigOkAmounts: 0 };

  before(() => {
    for (const [bytes, rules] of samples) {
      const a = analyzeSolanaMessage(bytes, rules, (rule, outcome) => {
        if (!reached.has(rule)) reached.set(rule, new Map());
        bump(reached.get(rule)!, outcome);
      });
      bump(histogram, outcomeName(a));
      if (a.ok && a.amount > U64_MAX) shape.bigOkAmounts++;
      const p = parseSolanaMessage(bytes);
      if (!p.ok) continue;
      if (p.message.version === "legacy") shape.legacy++;
      else if (p.message.lookups.length === 0) shape.v0++;
      else shape.v0WithLookups++;
      bump(shape.instructions, p.message.instructions.length);
      shape.maxLen = Math.max(shape.maxLen, bytes.length);
    }
    const sorted = [...histogram].sort((x, y) => y[1] - x[1]);
    console.log(`      outcomes over ${SAMPLES} messages (seed ${SEED}):`);
    for (const [name, n] of sorted) console.log(`        ${name.padEnd(26)} ${n}`);
    console.log(`      shapes: legacy ${shape.legacy}, v0 ${shape.v0}, v0+lookups ${shape.v0WithLookups}, ` +
      `instructions ${JSON.stringify(Object.fromEntries([...shape.instructions].sort((x, y) => x[0] - y[0])))}, ` +
      `longest ${shape.maxLen} bytes, ok amounts > u64: ${shape.bigOkAmounts}`);
    console.log("      rules reached (rule: outcome count, ...):");
    for (const [rule, outs] of [...reached].sort()) {
      console.log(`        ${rule.padEnd(28)} ${[...outs].map(([o, n]) => `${o} ${n}`).join(", ")}`);
    }
  });

  it("are well-formed, fit a packet, and parse exactly as web3.js parses them", () => {
    for (const [bytes] of samples) {
      expect(bytes.length).to.be.at.most(1232);
      const p = parseSolanaMessage(bytes);
      if (!p.ok) expect.fail(`generated message refused by the parser: ${p.error} (${Buffer.from(bytes).toString("hex")})`);
      expect(normalize(p.message)).to.deep.equal(normalize(web3Parse(bytes)));
      const dCount = p.message.staticKeys.filter((k) => k.equals(D)).length;
      expect(dCount).to.be.at.most(1);
    }
  });

  it("reach success and every rule refusal of the doc", () => {
    expect(histogram.get("ok") ?? 0, "successes").to.be.greaterThan(0);
    for (const e of RULE_ERRORS) expect(histogram.get(e) ?? 0, e).to.be.greaterThan(0);
    // Well-formed means no parse error at all.
    for (const e of PARSE_ERRORS) expect(histogram.has(e), e).to.equal(false);
  });

  it("reach every rule both ways", () => {
    const expected: Record<string, string[]> = {
      signer: ["feePayer", "signer", "DwalletNotSigner"],
      allowlist: ["allow", "computeBudgetAlways", "DestinationNotAllowed"],
      computeBudget: ["SetComputeUnitLimit", "SetComputeUnitPrice", "RequestHeapFrame", "SetLoadedAccountsDataSizeLimit", "UnsupportedInstruction"],
      "computeBudget.once": ["UnsupportedInstruction"],
      "system.durableNonce": ["allow", "DurableNonceNotAllowed"],
      "system.withoutD": ["allow"],
      "system.Transfer": ["count", "allow", "AssetNotAllowed", "UnsupportedInstruction"],
      "system.CreateAccount": ["count", "ControlTransferRefused", "AssetNotAllowed"],
      "system.CreateAccountWithSeed": ["count", "allow"],
      "system.TransferWithSeed": ["count", "allow"],
      "system.Assign": ["ControlTransferRefused"],
      "system.Allocate": ["ControlTransferRefused"],
      "system.AssignWithSeed": ["ControlTransferRefused"],
      "system.AllocateWithSeed": ["ControlTransferRefused"],
      "system.AdvanceNonceAccount": ["allow"],
      "system.otherKind": ["UnsupportedInstruction"],
      "token.withoutD": ["allow"],
      "token.TransferChecked": ["count", "LookupTableAccountInRule", "AssetNotAllowed", "UnsupportedInstruction"],
      "token.Transfer": ["TransferWithoutMint"],
      "token.controlTransfer": ["ControlTransferRefused"],
      "token.CloseAccount": ["allow", "ControlTransferRefused", "UnsupportedInstruction"],
      "token.Revoke": ["allow", "UnsupportedInstruction"],
      "token.otherKind": ["UnsupportedInstruction"],
      otherProgram: ["allow"],
      priorityFee: ["count", "none", "notPayer", "PriorityFeeNotInAsset"],
    };
    const missing: string[] = [];
    for (const [rule, outs] of Object.entries(expected)) {
      for (const o of outs) if (!(reached.get(rule)?.get(o))) missing.push(`${rule}: ${o}`);
    }
    expect(missing, "rule outcomes never reached").to.deep.equal([]);
    expect(shape.legacy, "legacy").to.be.greaterThan(0);
    expect(shape.v0, "v0 without lookups").to.be.greaterThan(0);
    expect(shape.v0WithLookups, "v0 with lookups").to.be.greaterThan(0);
  });
});

describe("solana message model: malformed messages", () => {
  const rules: SolanaSessionRules = { dwallet: D, assetMint: null, allowedPrograms: [SYSTEM_PROGRAM_ID], allowDurableNonce: false };
  const cases = malformedCases(ctx);

  it("cover every parse error of the doc, with distinct names", () => {
    const errors = new Set(cases.map((c) => c.error));
    for (const e of PARSE_ERRORS) expect(errors.has(e), e).to.equal(true);
    expect(new Set(cases.map((c) => c.name)).size).to.equal(cases.length);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.error}`, () => {
      expect(analyzeSolanaMessage(c.bytes, rules)).to.deep.equal({ ok: false, error: c.error });
    });
  }
});

// ---------------------------------------------------------------------------
// Hand-written cases

const w = (k: PublicKey): AccountRef => ({ key: k, writable: true });
const sw = (k: PublicKey): AccountRef => ({ key: k, signer: true, writable: true });
const s = (k: PublicKey): AccountRef => ({ key: k, signer: true });
const r = (k: PublicKey): AccountRef => ({ key: k });

const transfer = (from: PublicKey, to: AccountRef, lamports: bigint): InstructionSpec =>
  ({ program: SYSTEM_PROGRAM_ID, accounts: [sw(from), to], data: systemData.transfer(lamports) });
const cbLimit = (units: number): InstructionSpec =>
  ({ program: COMPUTE_BUDGET_PROGRAM_ID, accounts: [], data: computeBudgetData.setComputeUnitLimit(units) });
const cbPrice = (micro: bigint): InstructionSpec =>
  ({ program: COMPUTE_BUDGET_PROGRAM_ID, accounts: [], data: computeBudgetData.setComputeUnitPrice(micro) });
const transferChecked = (program: PublicKey, mint: AccountRef, authority: PublicKey, amount: bigint): InstructionSpec =>
  ({ program, accounts: [w(Y), mint, w(Z), s(authority)], data: tokenData.transferChecked(amount, 6) });
const closeAccount = (dest: PublicKey, owner: PublicKey): InstructionSpec =>
  ({ program: TOKEN_PROGRAM_ID, accounts: [w(Y), w(dest), s(owner)], data: tokenData.closeAccount() });
const advanceNonce = (authority: PublicKey): InstructionSpec => ({
  program: SYSTEM_PROGRAM_ID,
  accounts: [w(Z), r(new PublicKey("SysvarRecentB1ockHashes11111111111111111111")), s(authority)],
  data: systemData.advanceNonceAccount(),
});

const ALL = [SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID, THIRD];
const lamports: SolanaSessionRules = { dwallet: D, assetMint: null, allowedPrograms: ALL, allowDurableNonce: false };
const minted: SolanaSessionRules = { ...lamports, assetMint: ctx.mint };

const msg = (instructions: InstructionSpec[], extra: Partial<MessageSpec> = {}) =>
  compileMessage({ version: "legacy", payer: D, instructions, ...extra });

interface Case {
  name: string;
  bytes: Uint8Array;
  rules: SolanaSessionRules;
  /** An amount (success) or an error name. */
  expect: bigint | string;
  programs?: PublicKey[];
}

const handCases: Case[] = [
  { name: "one transfer from D", bytes: msg([transfer(D, w(X), 1000n)]), rules: lamports, expect: 1000n, programs: [SYSTEM_PROGRAM_ID] },
  {
    name: "several System transfers summed; D as recipient or seed base counts nothing extra",
    bytes: msg([
      transfer(D, w(X), 100n),
      transfer(D, w(Y), 250n),
      transfer(X, w(D), 999n), // D the recipient: nothing
      { program: SYSTEM_PROGRAM_ID, accounts: [sw(D), sw(Z)], data: systemData.createAccount(2_039_280n, 165n, TOKEN_PROGRAM_ID) },
      { program: SYSTEM_PROGRAM_ID, accounts: [sw(D), w(Y), s(D)], data: systemData.createAccountWithSeed(D, "vault", 5n, 0n, THIRD) },
      { program: SYSTEM_PROGRAM_ID, accounts: [w(Y), s(D), w(X)], data: systemData.transferWithSeed(7n, "vault", THIRD) },
      { program: SYSTEM_PROGRAM_ID, accounts: [w(Y), s(X), w(D)], data: systemData.transferWithSeed(1_000n, "x", THIRD) }, // D recipient
    ]),
    rules: lamports,
    expect: 100n + 250n + 2_039_280n + 5n + 7n,
  },
  { name: "two u64::MAX transfers sum past u64", bytes: msg([transfer(D, w(X), U64_MAX), transfer(D, w(Y), U64_MAX)]), rules: lamports, expect: 2n * U64_MAX },
  {
    name: "priority fee rounds up: 200,000 CU at 1 µlamport = 1 lamport, plus a transfer",
    bytes: msg([cbLimit(200_000), cbPrice(1n), transfer(D, w(X), 10n)]),
    rules: lamports,
    expect: 11n,
    programs: [COMPUTE_BUDGET_PROGRAM_ID, SYSTEM_PROGRAM_ID],
  },
  { name: "priority fee exact: 1,000,000 CU at 3 µlamports", bytes: msg([cbPrice(3n), cbLimit(1_000_000)]), rules: lamports, expect: 3n },
  { name: "priority fee: limit capped at 1,400,000 (2,000,000 asked) at 7 µlamports = ceil(9.8)", bytes: msg([cbLimit(2_000_000), cbPrice(7n)]), rules: lamports, expect: 10n },
  { name: "priority fee without a limit: 1,400,000 CU at 1,000,001 µlamports", bytes: msg([cbPrice(1_000_001n)]), rules: lamports, expect: 1_400_002n },
  { name: "priority fee: limit 0 makes the fee 0", bytes: msg([cbLimit(0), cbPrice(5n)]), rules: lamports, expect: 0n },
  { name: "priority fee at u64::MAX µlamports", bytes: msg([cbLimit(1), cbPrice(U64_MAX)]), rules: lamports, expect: (U64_MAX + 999_999n) / 1_000_000n },
  {
    name: "no priority fee when D signs but does not pay",
    bytes: msg([cbLimit(1_000_000), cbPrice(1_000_000n), transfer(D, w(Y), 5n)], { payer: X }),
    rules: lamports,
    expect: 5n,
  },
  {
    name: "mint session: TransferChecked of the session mint by D counts; one by X does not",
    bytes: msg([transferChecked(TOKEN_PROGRAM_ID, r(ctx.mint), D, 42n), transferChecked(TOKEN_2022_PROGRAM_ID, r(ctx.mint), X, 1000n)]),
    rules: minted,
    expect: 42n,
    programs: [TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID],
  },
  { name: "mint session: TransferChecked of another mint", bytes: msg([transferChecked(TOKEN_PROGRAM_ID, r(ctx.otherMint), D, 1n)]), rules: minted, expect: "AssetNotAllowed" },
  { name: "lamports session: TransferChecked", bytes: msg([transferChecked(TOKEN_PROGRAM_ID, r(ctx.mint), D, 1n)]), rules: lamports, expect: "AssetNotAllowed" },
  {
    name: "lamports session: TransferChecked whose mint is the all-zero key",
    bytes: msg([transferChecked(TOKEN_PROGRAM_ID, r(SYSTEM_PROGRAM_ID), D, 1n)]),
    rules: lamports,
    expect: "AssetNotAllowed",
  },
  { name: "mint session: lamports from D", bytes: msg([transfer(D, w(X), 1n)]), rules: minted, expect: "AssetNotAllowed" },
  { name: "mint session: priority fee paid by D", bytes: msg([cbPrice(1n), transferChecked(TOKEN_PROGRAM_ID, r(ctx.mint), D, 1n)]), rules: minted, expect: "PriorityFeeNotInAsset" },
  { name: "mint session: price > 0 with limit 0 (strict reading)", bytes: msg([cbLimit(0), cbPrice(5n)]), rules: minted, expect: "PriorityFeeNotInAsset" },
  { name: "mint session: price 0 is no fee", bytes: msg([cbPrice(0n)]), rules: minted, expect: 0n },
  {
    name: "v0: TransferChecked mint from a lookup table",
    bytes: msg([transferChecked(TOKEN_PROGRAM_ID, { lookup: 3 }, D, 1n)], { version: 0, tables: [{ key: key(40) }] }),
    rules: minted,
    expect: "LookupTableAccountInRule",
  },
  {
    name: "v0: looked-up recipient and a second table",
    bytes: msg([transfer(D, { lookup: 1, writable: true }, 77n), transfer(D, { lookup: 2 }, 1n)], { version: 0, tables: [{ key: key(40) }, { key: key(41), extraReadonly: 2 }] }),
    rules: lamports,
    expect: 78n,
  },
  { name: "duplicate SetComputeUnitLimit", bytes: msg([cbLimit(1), cbPrice(1n), cbLimit(2)]), rules: lamports, expect: "UnsupportedInstruction" },
  { name: "Token Transfer by D", bytes: msg([{ program: TOKEN_PROGRAM_ID, accounts: [w(Y), w(Z), s(D)], data: tokenData.transfer(1n) }]), rules: minted, expect: "TransferWithoutMint" },
  { name: "Approve by D", bytes: msg([{ program: TOKEN_PROGRAM_ID, accounts: [w(Y), r(X), s(D)], data: tokenData.approve(1n) }]), rules: minted, expect: "ControlTransferRefused" },
  { name: "CloseAccount by D to D", bytes: msg([closeAccount(D, D)]), rules: minted, expect: 0n },
  { name: "CloseAccount by D to X", bytes: msg([closeAccount(X, D)]), rules: minted, expect: "ControlTransferRefused" },
  { name: "CloseAccount by X to D", bytes: msg([closeAccount(D, X)]), rules: minted, expect: 0n },
  { name: "Burn by D", bytes: msg([{ program: TOKEN_PROGRAM_ID, accounts: [w(Y), w(ctx.mint), s(D)], data: tokenData.burn(1n) }]), rules: minted, expect: "UnsupportedInstruction" },
  { name: "Assign of D", bytes: msg([{ program: SYSTEM_PROGRAM_ID, accounts: [sw(D)], data: systemData.assign(THIRD) }]), rules: lamports, expect: "ControlTransferRefused" },
  { name: "CreateAccount of D", bytes: msg([{ program: SYSTEM_PROGRAM_ID, accounts: [sw(X), sw(D)], data: systemData.createAccount(1n, 0n, THIRD) }]), rules: lamports, expect: "ControlTransferRefused" },
  { name: "AdvanceNonceAccount by X, not first, without the flag", bytes: msg([transfer(D, w(X), 1n), advanceNonce(X)]), rules: lamports, expect: "DurableNonceNotAllowed" },
  { name: "AdvanceNonceAccount by D first, with the flag", bytes: msg([advanceNonce(D), transfer(D, w(X), 3n)]), rules: { ...lamports, allowDurableNonce: true }, expect: 3n },
  { name: "program outside the allowlist", bytes: msg([{ program: ctx.thirdParty[1], accounts: [s(D)], data: new Uint8Array(0) }]), rules: lamports, expect: "DestinationNotAllowed" },
  {
    name: "Compute Budget is allowed without being allowlisted",
    bytes: msg([cbLimit(10), transfer(D, w(X), 1n)]),
    rules: { ...lamports, allowedPrograms: [SYSTEM_PROGRAM_ID] },
    expect: 1n,
  },
  {
    name: "first failure wins: allowlist before a later TransferWithoutMint",
    bytes: msg([{ program: ctx.thirdParty[1], accounts: [], data: new Uint8Array(0) }, { program: TOKEN_PROGRAM_ID, accounts: [w(Y), w(Z), s(D)], data: tokenData.transfer(1n) }]),
    rules: lamports,
    expect: "DestinationNotAllowed",
  },
  {
    name: "first failure wins: an instruction refusal before the priority fee",
    bytes: msg([cbPrice(1n), { program: TOKEN_PROGRAM_ID, accounts: [w(Y), w(Z), s(D)], data: tokenData.transfer(1n) }]),
    rules: minted,
    expect: "TransferWithoutMint",
  },
  { name: "D not a signer", bytes: msg([transfer(X, w(D), 1n)], { payer: X }), rules: lamports, expect: "DwalletNotSigner" },
  { name: "D a read-only signer, third-party program listing D", bytes: msg([{ program: THIRD, accounts: [s(D), w(Y)], data: Uint8Array.from([1, 2, 3]) }], { payer: X }), rules: lamports, expect: 0n },
  {
    name: "programs: distinct, in order of first appearance, Compute Budget included",
    bytes: msg([cbLimit(1), transfer(X, w(Y), 1n), closeAccount(D, D), cbPrice(0n), transfer(D, w(Y), 2n), { program: THIRD, accounts: [], data: new Uint8Array(0) }]),
    rules: lamports,
    expect: 2n,
    programs: [COMPUTE_BUDGET_PROGRAM_ID, SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID, THIRD],
  },
  {
    name: "256 accounts (3 static + 253 looked up) is not too many",
    bytes: msg([transfer(D, w(X), 1n)], { version: 0, tables: [{ key: key(40), extraReadonly: 253 }] }),
    rules: lamports,
    expect: 1n,
  },
  { name: "zero instructions", bytes: msg([]), rules: lamports, expect: 0n, programs: [] },
];

describe("solana message model: hand-written cases", () => {
  for (const c of handCases) {
    it(`${c.name}: ${typeof c.expect === "bigint" ? `amount ${c.expect}` : c.expect}`, () => {
      const a = analyzeSolanaMessage(c.bytes, c.rules);
      if (typeof c.expect === "string") {
        expect(a).to.deep.equal({ ok: false, error: c.expect });
        return;
      }
      if (!a.ok) expect.fail(`expected amount ${c.expect}, got ${a.error}`);
      expect(a.amount).to.equal(c.expect);
      if (c.programs) expect(a.programs.map((p) => p.toBase58())).to.deep.equal(c.programs.map((p) => p.toBase58()));
      // Every hand-written message is well-formed: both parsers agree on it too.
      const p = parseSolanaMessage(c.bytes);
      if (!p.ok) expect.fail(p.error);
      expect(normalize(p.message)).to.deep.equal(normalize(web3Parse(c.bytes)));
    });
  }
});
