/**
 * Property test of verified `evm` sessions: for random EIP-1559 transactions
 * serialized by viem (tests/model/evm-transaction-gen.ts), the program's
 * verdict — the refusal's name, or the amount, `to` and chain id
 * `EvmTransactionApproved` reports — equals the reference model
 * (tests/model/evm-transaction-model.ts, written from
 * docs/verified-sessions.md without the program's code, its parse viem's).
 * Then the malformed byte strings derived from viem's output: each refused by
 * the model and by the program with its named error.
 *
 * Every use is simulated (nothing changes state), so one session per rule
 * set serves all runs: 8 sessions on one chain under one fee cap cover wei /
 * the ERC-20 token, any-call bits none / some / all, a budget under the
 * per-use cap, and an allowlist without the token. A transaction that does
 * not fit in the instruction goes through the message buffer (staged, then
 * closed: the only state the test changes); one past 1,232 bytes fits in
 * neither and is counted and printed, its verdict the model's alone.
 * LiteSVM only, as tests/verified-property.test.ts: the rules do not depend
 * on the runtime, and verified-evm.test.ts runs the scenarios on both.
 * EVM_RUNS (default 1000) sets the count; the seed (EVM_SEED) is fixed.
 */
import { expect } from "chai";
import * as fc from "fast-check";
import { secp256k1 } from "@noble/curves/secp256k1";
import { Hex, toHex } from "viem";
import {
  approveEvmTransaction, closeMessageBuffer, Curve, evmWord, fitsInOneTransaction, openMessageBuffer, stageSolanaMessage, toBig, U128_MAX,
} from "../app/src/client";
import { createEnv, PolicyFixture, setupPolicy, setupSession, SessionFixture, TestEnv } from "./harness";
import { EvmGenContext, evmTransactionArb, malformedEvmCases } from "./model/evm-transaction-gen";
import {
  analyzeEvmTransaction, EvmAnalysis, EvmSessionRules, MAX_TRANSACTION_LEN, PARSE_ERRORS, RULE_ERRORS,
} from "./model/evm-transaction-model";

const RUNS = Number(process.env.EVM_RUNS ?? 1000);
const SEED = Number(process.env.EVM_SEED ?? 20261203);

const CHAIN_ID = 8453; // Base
const CAP = 10n ** 18n;
const FEE_CAP = 21_000n * 2_000_000_000n; // 21,000 gas at 2 gwei
const TO: Hex = "0x1111111111111111111111111111111111111111";
const TOKEN: Hex = "0x2222222222222222222222222222222222222222";
const ROUTER: Hex = "0x3333333333333333333333333333333333333333";

const ctx: EvmGenContext = {
  chainId: CHAIN_ID, otherChainIds: [1, 10, 84532, 8454], maxFee: FEE_CAP, amountEdges: [CAP, CAP / 2n, U128_MAX],
  allowed: [TO, TOKEN, ROUTER], token: TOKEN,
  others: ["0xbad0bad0bad0bad0bad0bad0bad0bad0bad0bad0", "0x4444444444444444444444444444444444444444"],
};

/** The sessions' rule sets: asset, allowlist and any-call bits, per-use cap, budget. */
const RULE_SETS: Omit<EvmSessionRules, "chainId" | "maxFee">[] = [
  { asset: null, allowed: [TO, TOKEN, ROUTER], anyCallMask: 0, maxAmountPerTx: CAP },
  { asset: null, allowed: [TO, TOKEN, ROUTER], anyCallMask: 0b100, maxAmountPerTx: CAP, maxTotalAmount: CAP / 2n },
  { asset: null, allowed: [TO, TOKEN, ROUTER], anyCallMask: 0b111, maxAmountPerTx: U128_MAX },
  { asset: null, allowed: [TO], anyCallMask: 0b1, maxAmountPerTx: CAP },
  { asset: TOKEN, allowed: [TO, TOKEN, ROUTER], anyCallMask: 0, maxAmountPerTx: CAP },
  { asset: TOKEN, allowed: [TO, TOKEN, ROUTER], anyCallMask: 0b100, maxAmountPerTx: CAP, maxTotalAmount: CAP / 2n },
  { asset: TOKEN, allowed: [TO, TOKEN, ROUTER], anyCallMask: 0b011, maxAmountPerTx: U128_MAX },
  { asset: TOKEN, allowed: [TO, ROUTER], anyCallMask: 0b10, maxAmountPerTx: CAP },
];

const bigints = (_: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);
const verdictName = (v: { ok: boolean; error?: string }) => (v.ok ? "ok" : v.error);

describe("verified evm sessions: the program agrees with the reference model and viem [litesvm]", function () {
  this.timeout(600_000);
  let env: TestEnv;
  let fx: PolicyFixture;
  const sessions: { rules: EvmSessionRules; s: SessionFixture }[] = [];

  before(async () => {
    env = await createEnv("litesvm");
    fx = await setupPolicy(env, Curve.Secp256k1, secp256k1.getPublicKey(secp256k1.utils.randomPrivateKey(), true));
    for (const r of RULE_SETS) {
      const rules: EvmSessionRules = { ...r, chainId: BigInt(CHAIN_ID), maxFee: FEE_CAP };
      const s = await setupSession(fx, {
        format: "evm", allowedPrograms: rules.allowed.map(evmWord), assetMint: rules.asset ? evmWord(rules.asset) : undefined,
        evm: { chainId: rules.chainId, maxFee: rules.maxFee, anyCallMask: rules.anyCallMask },
        maxUses: 1_000_000, maxAmountPerTx: rules.maxAmountPerTx, maxTotalAmount: rules.maxTotalAmount,
        expirySlot: (await env.chain.getSlot()) + 1_000_000n,
      });
      sessions.push({ rules, s });
    }
  });

  let buffered = 0;
  /** Simulates the use: in the instruction when it fits, else staged in the buffer first (and closed after). */
  async function programVerdict(s: SessionFixture, transaction: Uint8Array): Promise<EvmAnalysis | { ok: false; error: string | undefined }> {
    const params = { policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, transaction };
    // Anchor's instruction coder refuses arguments over 1,000 bytes before any size check: then it does not fit either
    const inline = await approveEvmTransaction(fx.client, params).catch(() => null);
    const fromBuffer = !(await fitsInOneTransaction(fx.client, inline));
    if (fromBuffer) {
      buffered++;
      for (const a of await stageSolanaMessage(fx.client, { session: s.session, delegate: s.delegate.publicKey, message: transaction })) {
        await fx.client.deployOrThrow(a, [s.delegate]);
      }
    }
    const action = inline && !fromBuffer ? inline : await approveEvmTransaction(fx.client, { ...params, fromBuffer: true });
    const r = await fx.client.preview(action);
    if (fromBuffer) await fx.client.deployOrThrow(await closeMessageBuffer(fx.client, { session: s.session, delegate: s.delegate.publicKey }), [s.delegate]);
    if (!r.ok) return { ok: false, error: r.error?.name };
    const ev = r.events.find((e) => e.name === "evmTransactionApproved");
    expect(ev, "EvmTransactionApproved").to.not.equal(undefined);
    return {
      ok: true, amount: toBig(ev!.data.amount as never), to: toHex(Uint8Array.from(ev!.data.to as number[])),
      chainId: toBig(ev!.data.chainId as never),
    };
  }

  it(`${RUNS} random viem transactions: same verdict, amount, to and chain id (seed ${SEED})`, async () => {
    const samples = fc.sample(fc.tuple(evmTransactionArb(ctx), fc.nat(sessions.length - 1)), { seed: SEED, numRuns: RUNS });
    const seen = new Map<string, number>();
    const rulesReached = new Set<string>();
    let tooLong = 0;
    const disagreements = new Map<string, string[]>();
    for (const [i, [{ bytes }, pick]] of samples.entries()) {
      const { rules, s } = sessions[pick];
      const expected = analyzeEvmTransaction(bytes, rules, (rule, outcome) => rulesReached.add(`${rule}: ${outcome}`));
      const label = expected.ok ? "ok" : expected.error;
      seen.set(label, (seen.get(label) ?? 0) + 1);
      if (bytes.length > MAX_TRANSACTION_LEN) {
        // neither the instruction nor a buffer carries it (the malformed cases check the buffer refuses its length)
        expect(expected, `sample ${i}`).to.deep.equal({ ok: false, error: "MessageTooLong" });
        tooLong++;
        continue;
      }
      const got = await programVerdict(s, bytes);
      if (JSON.stringify(got, bigints) !== JSON.stringify(expected, bigints)) {
        const kind = `model ${verdictName(expected)}, program ${verdictName(got)}`;
        disagreements.set(kind, [...(disagreements.get(kind) ?? []), `sample ${i} (session ${pick}): model ${JSON.stringify(expected, bigints)}, program ${JSON.stringify(got, bigints)}: ${toHex(bytes)}`]);
      }
    }
    const disagreeing = [...disagreements.values()].reduce((n, c) => n + c.length, 0);
    console.log(`      verdicts: ${[...seen.entries()].sort().map(([k, v]) => `${k} ${v}`).join(", ")}`);
    console.log(`      ${RUNS - tooLong} run on chain (${buffered} through the buffer), ${RUNS - tooLong - disagreeing} agreeing with the model; ${tooLong} over ${MAX_TRANSACTION_LEN} bytes, the model's verdict only`);
    console.log(`      rules passed: ${[...rulesReached].sort().join(", ")}`);
    const report = [...disagreements.entries()].map(([kind, cases]) => `${cases.length}× ${kind}, e.g. ${cases.slice(0, 3).join("\n    ")}`);
    expect(report, `disagreements:\n${report.join("\n")}\n`).to.deep.equal([]);
    if (RUNS >= 1000) {
      // every rule refuses something, and every parse refusal a random viem transaction can meet is met
      const reachable = ["MessageTooLong", "EvmTransactionMalformed", "EvmAccessListTooLong"];
      for (const name of ["ok", ...RULE_ERRORS, ...reachable]) expect(seen.get(name) ?? 0, name).to.be.greaterThan(0);
      expect(PARSE_ERRORS).to.include.members(reachable);
    }
  });

  it("every malformed byte string derived from viem's output is refused with its named error", async () => {
    const { rules, s } = sessions[0];
    const names = new Set<string>();
    for (const c of malformedEvmCases(ctx)) {
      names.add(c.error);
      expect(analyzeEvmTransaction(c.bytes, rules), `model: ${c.name}`).to.deep.equal({ ok: false, error: c.error });
      if (c.bytes.length > MAX_TRANSACTION_LEN) {
        // no transaction carries it inline, and no buffer holds it
        expect(c.error, c.name).to.equal("MessageTooLong");
        const open = await openMessageBuffer(fx.client, { session: s.session, delegate: s.delegate.publicKey, len: c.bytes.length });
        expect((await fx.client.preview(open)).error?.name, c.name).to.equal("InvalidBufferLength");
        continue;
      }
      if (c.bytes.length === 0) {
        // an empty `transaction` argument means "read the buffer", and a buffer is never empty
        const action = await approveEvmTransaction(fx.client, { policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, transaction: c.bytes });
        expect((await fx.client.preview(action)).error?.name, c.name).to.equal("MessageSourceAmbiguous");
        continue;
      }
      expect(await programVerdict(s, c.bytes), `${c.name}: ${toHex(c.bytes)}`).to.deep.equal({ ok: false, error: c.error });
    }
    expect([...names]).to.have.members([...PARSE_ERRORS]);
  });
});
