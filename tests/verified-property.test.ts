/**
 * Property test of verified (`solana`) sessions: for random well-formed
 * Solana messages (tests/model/solana-message-gen.ts, legacy and v0, with
 * lookup tables), the program's verdict — the refusal's name, or the amount
 * and programs `SolanaMessageApproved` reports — equals the reference model
 * (tests/model/solana-message-model.ts, written from docs/verified-sessions.md
 * without the program's code), whose parse is held equal to
 * `VersionedMessage.deserialize` of @solana/web3.js. Then the hand-built
 * malformed messages: each refused by the program with its named error.
 *
 * Every message is simulated (nothing changes state), so one session per
 * rule set serves all runs: 12 sessions cover lamports / the mint / another
 * mint, durable nonces refused or allowed, and a full or a partial allowlist.
 * LiteSVM only, as tests/property.test.ts, for the same reason: the rules do
 * not depend on the runtime, and verified-sessions.test.ts runs the scenarios
 * on both. VERIFIED_RUNS (default 1000) sets the count; the seed is fixed.
 */
import { expect } from "chai";
import * as fc from "fast-check";
import { Keypair, PublicKey } from "@solana/web3.js";
import { approveSolanaMessage, closeMessageBuffer, MAX_MESSAGE_LEN, openMessageBuffer, stageSolanaMessage, U128_MAX } from "../app/src/client";
import { createEnv, PolicyFixture, setupPolicy, setupSession, SessionFixture, TestEnv } from "./harness";
import { malformedCases, solanaMessageArb, GenContext } from "./model/solana-message-gen";
import {
  analyzeSolanaMessage, SolanaSessionRules, SYSTEM_PROGRAM_ID, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID, web3Parse,
} from "./model/solana-message-model";

const RUNS = Number(process.env.VERIFIED_RUNS ?? 1000);
const SEED = Number(process.env.VERIFIED_SEED ?? 20261201);
/** Messages up to this length go in the instruction (verified-sessions.test.ts measures the real limit). */
const INLINE_LIMIT = 500;

describe("verified sessions: the program agrees with the reference model and web3.js [litesvm]", function () {
  this.timeout(1_200_000);
  let env: TestEnv;
  let fx: PolicyFixture;
  let ctx: GenContext;
  const sessions: { rules: SolanaSessionRules; s: SessionFixture }[] = [];

  before(async () => {
    env = await createEnv("litesvm");
    fx = await setupPolicy(env);
    const dwallet = new PublicKey(fx.wallet.publicKey);
    ctx = {
      dwallet, mint: Keypair.generate().publicKey, otherMint: Keypair.generate().publicKey,
      thirdParty: [Keypair.generate().publicKey, Keypair.generate().publicKey],
      others: Array.from({ length: 6 }, () => Keypair.generate().publicKey),
    };
    const full = [SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID, ...ctx.thirdParty];
    const partial = [SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID, ctx.thirdParty[0]];
    for (const assetMint of [null, ctx.mint, ctx.otherMint]) {
      for (const allowDurableNonce of [false, true]) {
        for (const allowedPrograms of [full, partial]) {
          const rules = { dwallet, assetMint, allowedPrograms, allowDurableNonce };
          const s = await setupSession(fx, {
            format: "solana", assetMint: assetMint ?? undefined, allowDurableNonce, allowedPrograms,
            maxUses: 1_000_000, maxAmountPerTx: U128_MAX, expirySlot: (await env.chain.getSlot()) + 1_000_000n,
          });
          sessions.push({ rules, s });
        }
      }
    }
  });

  /** Simulates the use: inline when the message fits beside the arguments, else staged in the buffer first (and closed after). */
  async function programVerdict(s: SessionFixture, message: Uint8Array) {
    const fromBuffer = message.length > INLINE_LIMIT;
    const params = { session: s.session, delegate: s.delegate.publicKey };
    if (fromBuffer) {
      for (const a of await stageSolanaMessage(fx.client, { ...params, message })) await fx.client.deployOrThrow(a, [s.delegate]);
    }
    const action = await approveSolanaMessage(fx.client, { ...params, policy: fx.policy, message, fromBuffer });
    const r = await fx.client.preview(action);
    if (fromBuffer) await fx.client.deployOrThrow(await closeMessageBuffer(fx.client, params), [s.delegate]);
    if (!r.ok) return { ok: false as const, error: r.error?.name };
    const ev = r.events.find((e) => e.name === "solanaMessageApproved");
    expect(ev, "SolanaMessageApproved").to.not.equal(undefined);
    const amount = BigInt((ev!.data.amount as { toString(): string }).toString());
    const programs = (ev!.data.programs as PublicKey[]).map((p) => p.toBase58());
    return { ok: true as const, amount, programs };
  }

  it(`${RUNS} random messages: same verdict, amount and programs (seed ${SEED})`, async () => {
    const samples = fc.sample(fc.tuple(solanaMessageArb(ctx), fc.nat(sessions.length - 1)), { seed: SEED, numRuns: RUNS });
    const seen = new Map<string, number>();
    for (const [i, [message, pick]] of samples.entries()) {
      const { rules, s } = sessions[pick];
      const expected = analyzeSolanaMessage(message, rules);
      web3Parse(message); // well-formed: web3.js reads it (the model's test holds the two parses equal)
      const got = await programVerdict(s, message);
      const label = expected.ok ? "ok" : expected.error;
      seen.set(label, (seen.get(label) ?? 0) + 1);
      const where = `sample ${i} (session ${pick}): ${Buffer.from(message).toString("base64")}`;
      if (expected.ok) {
        expect(got, where).to.deep.equal({ ok: true, amount: expected.amount, programs: expected.programs.map((p) => p.toBase58()) });
      } else {
        expect(got, where).to.deep.equal({ ok: false, error: expected.error });
      }
    }
    console.log(`      verdicts: ${[...seen.entries()].map(([k, v]) => `${k} ${v}`).join(", ")}`);
    expect(seen.get("ok") ?? 0).to.be.greaterThan(0);
  });

  it("every malformed message is refused with its named error", async () => {
    const { s } = sessions[0];
    for (const c of malformedCases(ctx)) {
      if (c.bytes.length > MAX_MESSAGE_LEN) {
        // no transaction carries it inline, and no buffer holds it
        expect(c.error, c.name).to.equal("MessageTooLong");
        const open = await openMessageBuffer(fx.client, { session: s.session, delegate: s.delegate.publicKey, len: c.bytes.length });
        expect((await fx.client.preview(open)).error?.name, c.name).to.equal("InvalidBufferLength");
        continue;
      }
      if (c.bytes.length === 0) {
        // an empty `message` argument means "read the buffer", and a buffer is never empty
        const action = await approveSolanaMessage(fx.client, { policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, message: c.bytes });
        expect((await fx.client.preview(action)).error?.name, c.name).to.equal("MessageSourceAmbiguous");
        continue;
      }
      const got = await programVerdict(s, c.bytes);
      expect(got, c.name).to.deep.equal({ ok: false, error: c.error });
    }
  });
});
