/**
 * The binding hash: the TypeScript implementation (app/src/client/binding.ts)
 * must be byte-identical to the program's — checked against the on-chain
 * `recent_bindings` and the `MessageApproved` event after real approvals.
 */
import { expect } from "chai";
import { randomBytes } from "crypto";
import { Keypair, PublicKey } from "@solana/web3.js";
import { bindingHash, bindingPreimage, BindingInput, lastBinding, SignatureScheme, toBig } from "../app/src/client";
import { describeOnEachRuntime, DESTINATION, expectOk, SESSION_KEYS_ID, setupPolicy, setupSession, useSession } from "./harness";

describe("binding hash (TypeScript side)", () => {
  const base: BindingInput = {
    programId: SESSION_KEYS_ID, policy: PublicKey.default, sessionId: 0x01020304, nonce: 0x0506070809n,
    messageDigest: Buffer.alloc(32, 0xaa), messageMetadataDigest: Buffer.alloc(32, 0xcc), amount: 0xffn, destinationProgram: DESTINATION,
    signatureNonce: Buffer.alloc(32, 0xbb), signatureScheme: 0x0102,
  };

  it("lays out the 237-byte preimage as docs/security.md says", () => {
    const pre = bindingPreimage(base);
    expect(pre.length).to.equal(15 + 32 + 32 + 4 + 32 + 32 + 32 + 32 + 16 + 8 + 2);
    expect(pre.subarray(0, 15).toString()).to.equal("session-keys/v3");
    expect([...pre.subarray(79, 83)]).to.deep.equal([4, 3, 2, 1]); // session_id u32 LE
    expect(pre.subarray(115, 147).equals(Buffer.alloc(32, 0xcc))).to.equal(true); // metadata digest after the message digest
    expect([...pre.subarray(211, 227)]).to.deep.equal([0xff, ...Array(15).fill(0)]); // amount u128 LE
    expect([...pre.subarray(227, 235)]).to.deep.equal([9, 8, 7, 6, 5, 0, 0, 0]); // nonce u64 LE
    expect([...pre.subarray(pre.length - 2)]).to.deep.equal([2, 1]); // scheme u16 LE
  });

  it("reproduces the program's fixed test vector (programs/session-keys/src/tests.rs)", () => {
    const digest = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    const h = bindingHash({
      programId: SESSION_KEYS_ID, policy: new PublicKey(Buffer.alloc(32, 0x11)), sessionId: 7, nonce: 3n, messageDigest: digest,
      messageMetadataDigest: Buffer.alloc(32, 0x66), amount: 1_000_000_007n, destinationProgram: new PublicKey(Buffer.alloc(32, 0x33)),
      signatureNonce: Buffer.alloc(32, 0x44), signatureScheme: 0x0201,
    });
    expect(h.toString("hex")).to.equal("d51f90de15f6d6992055aae70a762c794817bed57b91042365d98f1a568ed406");
  });

  it("changes with every field", () => {
    const h = bindingHash(base).toString("hex");
    const variants: Partial<BindingInput>[] = [
      { programId: Keypair.generate().publicKey }, { policy: Keypair.generate().publicKey }, { sessionId: 1 },
      { nonce: 1n }, { messageDigest: Buffer.alloc(32, 1) }, { messageMetadataDigest: Buffer.alloc(32, 1) }, { amount: 1n }, { amount: 1n << 100n },
      { destinationProgram: Keypair.generate().publicKey }, { signatureNonce: Buffer.alloc(32, 1) }, { signatureScheme: 0x0101 }, { signatureScheme: 0x0202 },
    ];
    for (const v of variants) expect(bindingHash({ ...base, ...v }).toString("hex")).to.not.equal(h);
  });
});

describeOnEachRuntime("binding hash (program == TypeScript)", (env) => {
  it("matches session.recent_bindings and the MessageApproved event, use after use", async () => {
    const fx = await setupPolicy(env());
    const s = await setupSession(fx);
    for (let nonce = 0n; nonce < 3n; nonce++) {
      const digest = randomBytes(32);
      const signatureNonce = randomBytes(32);
      const amount = 100n + nonce;
      const messageMetadataDigest = nonce === 1n ? randomBytes(32) : Buffer.alloc(32);
      const r = await expectOk(useSession(fx, s, { messageDigest: digest, messageMetadataDigest, signatureNonce, amount }));
      const expected = bindingHash({
        programId: fx.client.programId, policy: fx.policy, sessionId: s.sessionId, nonce, messageDigest: digest, messageMetadataDigest,
        amount, destinationProgram: DESTINATION, signatureNonce, signatureScheme: SignatureScheme.EddsaSha512,
      });
      const session = (await fx.client.fetchSession(s.session))!;
      expect(lastBinding(session)).to.equal(expected.toString("hex"));
      expect(Buffer.from(session.recentBindings[Number(nonce % 4n)]).toString("hex")).to.equal(expected.toString("hex"));
      const ev = r.events.find((e) => e.name === "messageApproved");
      expect(ev, "MessageApproved event").to.not.equal(undefined);
      expect(Buffer.from(ev!.data.binding as number[]).toString("hex")).to.equal(expected.toString("hex"));
      expect(toBig(ev!.data.nonce as never)).to.equal(nonce);
      expect(toBig(ev!.data.amount as never)).to.equal(amount);
    }
  });

  it("differs across sessions, policies and dWallets for the same request", async () => {
    const fxA = await setupPolicy(env());
    const fxB = await setupPolicy(env());
    const a1 = await setupSession(fxA);
    const a2 = await setupSession(fxA);
    const b1 = await setupSession(fxB);
    const digestFor = () => randomBytes(32);
    const bindings: string[] = [];
    for (const [fx, s] of [[fxA, a1], [fxA, a2], [fxB, b1]] as const) {
      // Same nonce (0), amount, destination and scheme; the message differs only
      // because Ika approves each (dWallet, scheme, digest) once — the binding must differ anyway.
      await expectOk(useSession(fx, s, { messageDigest: digestFor(), signatureNonce: Buffer.alloc(32, 7), amount: 5n }));
      bindings.push(lastBinding((await fx.client.fetchSession(s.session))!)!);
    }
    expect(new Set(bindings).size).to.equal(3);
    // With every request field equal, only policy/session identity separates a1 and b1.
    const same = { programId: fxA.client.programId, nonce: 0n, messageDigest: Buffer.alloc(32, 1), messageMetadataDigest: Buffer.alloc(32),
      amount: 5n, destinationProgram: DESTINATION, signatureNonce: Buffer.alloc(32, 7), signatureScheme: SignatureScheme.EddsaSha512 };
    const h = (policy: PublicKey, sessionId: number) => bindingHash({ ...same, policy, sessionId }).toString("hex");
    expect(h(fxA.policy, 0)).to.not.equal(h(fxB.policy, 0));
    expect(h(fxA.policy, 0)).to.not.equal(h(fxA.policy, 1));
    expect(fxA.dwallet.equals(fxB.dwallet)).to.equal(false);
  });
});
