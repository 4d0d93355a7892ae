/**
 * Verified (`solana`) sessions on both runtimes: the program reads the Solana
 * message it approves (docs/verified-sessions.md). Each rule on both sides,
 * the stolen-delegate-key attack, format mismatches, the message buffer, and
 * the largest message each way. The property test
 * (verified-property.test.ts) explores the rules at random.
 */
import { expect } from "chai";
import {
  AddressLookupTableAccount, ComputeBudgetProgram, Keypair, PublicKey, SystemProgram, TransactionInstruction, TransactionMessage,
} from "@solana/web3.js";
import {
  approveMessage, approveSolanaMessage, bindingHash, closeMessageBuffer, createSession, Curve, lastBinding, messageBufferAddress,
  MAX_MESSAGE_LEN, messageDigest, SignatureScheme, solanaMessageBytes, stageSolanaMessage, toBig, writeMessageBuffer,
} from "../app/src/client";
import {
  defaultLimits, describeOnEachRuntime, expectError, expectFailsUnchanged, expectOk, PolicyFixture, setupPolicy, setupSession,
  SessionFixture,
} from "./harness";
import { malformedCases, tokenData } from "./model/solana-message-gen";
import { TOKEN_PROGRAM_ID } from "./model/solana-message-model";

const CAP = 1_000_000n;

describeOnEachRuntime("verified sessions (format solana)", (env) => {
  let fx: PolicyFixture;
  let D: PublicKey;
  const mint = Keypair.generate().publicKey;
  const attacker = Keypair.generate().publicKey;

  before(async () => {
    fx = await setupPolicy(env());
    D = new PublicKey(fx.wallet.publicKey);
  });

  const session = (over: Parameters<typeof setupSession>[1] = {}) =>
    setupSession(fx, { format: "solana", allowedPrograms: [SystemProgram.programId, TOKEN_PROGRAM_ID], maxAmountPerTx: CAP, ...over });
  /** A fresh blockhash each time: Ika approves one (dWallet, scheme, digest) once, so equal messages would collide. */
  const blockhash = () => Keypair.generate().publicKey.toBase58();
  const message = (ixs: TransactionInstruction[], payer = D) =>
    new TransactionMessage({ payerKey: payer, recentBlockhash: blockhash(), instructions: ixs }).compileToLegacyMessage();
  const transfer = (lamports: bigint, to = attacker) => SystemProgram.transfer({ fromPubkey: D, toPubkey: to, lamports });
  const checked = (amount: bigint, m = mint) => new TransactionInstruction({
    programId: TOKEN_PROGRAM_ID, data: Buffer.from(tokenData.transferChecked(amount, 6)),
    keys: [
      { pubkey: Keypair.generate().publicKey, isSigner: false, isWritable: true }, { pubkey: m, isSigner: false, isWritable: false },
      { pubkey: Keypair.generate().publicKey, isSigner: false, isWritable: true }, { pubkey: D, isSigner: true, isWritable: false },
    ],
  });
  const use = (s: SessionFixture, m: Parameters<typeof approveSolanaMessage>[1]["message"], over: Partial<Parameters<typeof approveSolanaMessage>[1]> = {}) =>
    approveSolanaMessage(fx.client, { policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, message: m, ...over })
      .then((a) => fx.client.deploy(a, [s.delegate]));
  const fails = async (s: SessionFixture, m: Parameters<typeof use>[1], error: string) =>
    expectFailsUnchanged(env().chain, [s.session], () => use(s, m), error);

  it("a SOL transfer of exactly the cap passes; one lamport more is AmountExceedsMax", async () => {
    const s = await session();
    const m = message([transfer(CAP)]);
    const r = await expectOk(use(s, m));
    const ev = r.events.find((e) => e.name === "solanaMessageApproved")!;
    expect(toBig(ev.data.amount as never)).to.equal(CAP);
    expect((ev.data.programs as PublicKey[]).map((p) => p.toBase58())).to.deep.equal([SystemProgram.programId.toBase58()]);
    // the binding names the derived amount (the digest binds the programs); Ika got keccak256(message)
    const after = (await fx.client.fetchSession(s.session))!;
    expect(toBig(after.spent)).to.equal(CAP);
    expect(lastBinding(after)).to.equal(bindingHash({
      programId: fx.client.programId, policy: fx.policy, sessionId: s.sessionId, nonce: 0n, messageDigest: messageDigest(solanaMessageBytes(m)),
      messageMetadataDigest: Buffer.alloc(32), amount: CAP, destinationProgram: PublicKey.default,
      signatureNonce: Buffer.alloc(32), signatureScheme: SignatureScheme.EddsaSha512,
    }).toString("hex"));
    await fails(s, message([transfer(CAP + 1n)]), "AmountExceedsMax");
    // two programs: the event names both, in order; the binding's destination stays the default key
    const two = message([ComputeBudgetProgram.setComputeUnitLimit({ units: 10_000 }), transfer(5n)]);
    const r2 = await expectOk(use(s, two));
    const ev2 = r2.events.find((e) => e.name === "solanaMessageApproved")!;
    expect((ev2.data.programs as PublicKey[]).map((p) => p.toBase58()))
      .to.deep.equal([ComputeBudgetProgram.programId.toBase58(), SystemProgram.programId.toBase58()]);
    expect(lastBinding((await fx.client.fetchSession(s.session))!)).to.equal(bindingHash({
      programId: fx.client.programId, policy: fx.policy, sessionId: s.sessionId, nonce: 1n, messageDigest: messageDigest(solanaMessageBytes(two)),
      messageMetadataDigest: Buffer.alloc(32), amount: 5n, destinationProgram: PublicKey.default,
      signatureNonce: Buffer.alloc(32), signatureScheme: SignatureScheme.EddsaSha512,
    }).toString("hex"));
  });

  it("the buffer slot is required (this program's id for none): eleven or ten accounts are AccountNotEnoughKeys, and nothing changes", async () => {
    // The deployed build has no Anchor handler for the uses: the fast
    // entrypoint takes every use with its twelve accounts, and the program's
    // fallback names a shorter one as Anchor's handler does.
    const s = await session();
    const trimmed = async (m: ReturnType<typeof message>, keep: number) => {
      const a = await approveSolanaMessage(fx.client, { policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, message: m });
      const ix = a.instructions.find((i) => i.programId.equals(fx.client.programId))!;
      expect(ix.keys).to.have.length(12);
      ix.keys = ix.keys.slice(0, keep);
      return fx.client.deploy(a, [s.delegate]);
    };
    for (const keep of [11, 10, 3]) {
      await expectFailsUnchanged(env().chain, [s.session], () => trimmed(message([transfer(5n)]), keep), "AccountNotEnoughKeys");
    }
    // the twelve pass
    await expectOk(trimmed(message([transfer(5n)]), 12));
    expect(toBig((await fx.client.fetchSession(s.session))!.nonce)).to.equal(1n);
  });

  it("the attack: a stolen delegate key cannot get the dWallet's balance (or its control) signed away", async () => {
    const s = await session();
    await fails(s, message([transfer(10n ** 12n)]), "AmountExceedsMax");
    await fails(s, message([transfer(1n), transfer(CAP)]), "AmountExceedsMax");
    await fails(s, message([SystemProgram.assign({ accountPubkey: D, programId: attacker })]), "ControlTransferRefused");
    const setAuthority = new TransactionInstruction({
      programId: TOKEN_PROGRAM_ID, data: Buffer.from(tokenData.setAuthority(2, attacker)),
      keys: [{ pubkey: Keypair.generate().publicKey, isSigner: false, isWritable: true }, { pubkey: D, isSigner: true, isWritable: false }],
    });
    await fails(s, message([setAuthority]), "ControlTransferRefused");
    const elsewhere = new TransactionInstruction({ programId: attacker, keys: [{ pubkey: D, isSigner: true, isWritable: true }], data: Buffer.alloc(0) });
    await fails(s, message([elsewhere]), "DestinationNotAllowed");
    // and the declared-amount path is closed to it: approve_message refuses a solana session
    await expectFailsUnchanged(env().chain, [s.session], async () => fx.client.deploy(await approveMessage(fx.client, {
      policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, message: solanaMessageBytes(message([transfer(10n ** 12n)])),
      amount: 0n, destinationProgram: SystemProgram.programId,
    }), [s.delegate]), "WrongMessageFormat");
  });

  it("the budget holds across uses: the use that would pass it is BudgetExceeded", async () => {
    const s = await session({ maxTotalAmount: CAP + 5n });
    await expectOk(use(s, message([transfer(CAP)])));
    await fails(s, message([transfer(6n)]), "BudgetExceeded");
    await expectOk(use(s, message([transfer(5n)])));
  });

  it("an SPL session counts TransferChecked of its mint; another mint, lamports and plain Transfer are refused", async () => {
    const s = await session({ assetMint: mint });
    await expectOk(use(s, message([checked(CAP)])));
    await fails(s, message([checked(CAP + 1n)]), "AmountExceedsMax");
    await fails(s, message([checked(1n, Keypair.generate().publicKey)]), "AssetNotAllowed");
    await fails(s, message([transfer(1n)]), "AssetNotAllowed");
    const plain = new TransactionInstruction({
      programId: TOKEN_PROGRAM_ID, data: Buffer.from(tokenData.transfer(1n)),
      keys: [{ pubkey: Keypair.generate().publicKey, isSigner: false, isWritable: true }, { pubkey: attacker, isSigner: false, isWritable: true },
        { pubkey: D, isSigner: true, isWritable: false }],
    });
    await fails(s, message([plain]), "TransferWithoutMint");
  });

  it("durable nonces: refused unless the session allows them", async () => {
    const nonce = Keypair.generate().publicKey;
    const advance = SystemProgram.nonceAdvance({ noncePubkey: nonce, authorizedPubkey: D });
    await fails(await session(), message([advance, transfer(1n)]), "DurableNonceNotAllowed");
    await expectOk(use(await session({ allowDurableNonce: true }), message([advance, transfer(1n)])));
  });

  it("lookup tables: accounts through a table are fine, a mint through a table is LookupTableAccountInRule", async () => {
    const s = await session({ assetMint: mint });
    const table = new AddressLookupTableAccount({ key: Keypair.generate().publicKey, state: {
      deactivationSlot: BigInt("18446744073709551615"), lastExtendedSlot: 0, lastExtendedSlotStartIndex: 0, authority: undefined,
      addresses: [mint, attacker],
    } });
    const v0 = (ixs: TransactionInstruction[]) => new TransactionMessage({ payerKey: D, recentBlockhash: blockhash(), instructions: ixs })
      .compileToV0Message([table]);
    const m = v0([checked(7n)]);
    expect(m.addressTableLookups.length, "the mint went through the table").to.equal(1);
    await fails(s, m, "LookupTableAccountInRule");
    const lamports = await session();
    const viaTable = v0([transfer(7n, attacker)]);
    expect(viaTable.addressTableLookups.length).to.equal(1);
    await expectOk(use(lamports, viaTable));
  });

  it("formats are fixed: approve_solana_message refuses an opaque session; a solana session needs Curve25519 and EdDSA only", async () => {
    const opaque = await setupSession(fx);
    await expectFailsUnchanged(env().chain, [opaque.session], () => use(opaque, message([transfer(1n)])), "WrongMessageFormat");
    const secp = await setupPolicy(env(), Curve.Secp256k1);
    const limits = await defaultLimits(env(), Keypair.generate().publicKey, { format: "solana", allowedSchemes: 1 });
    await expectError(fx.client.deploy(await createSession(secp.client, { policy: secp.policy, admin: secp.admin.publicKey, limits }), [secp.admin]), "FormatNotForCurve");
    // (on Curve25519 the only mask a session may hold is EdDSA's, so the scheme half is host-tested)
    const opaqueWithAsset = await defaultLimits(env(), Keypair.generate().publicKey, { assetMint: mint });
    await expectError(fx.client.deploy(await createSession(fx.client, { policy: fx.policy, admin: fx.admin.publicKey, limits: opaqueWithAsset }), [fx.admin]), "InvalidSessionFormat");
  });

  it("malformed messages are refused by name and change nothing (a real send of each hand-built case)", async () => {
    const s = await session();
    const ctx = {
      dwallet: D, mint, otherMint: Keypair.generate().publicKey, thirdParty: [Keypair.generate().publicKey],
      others: Array.from({ length: 4 }, () => Keypair.generate().publicKey),
    };
    const cases = malformedCases(ctx).filter((c) => c.bytes.length > 0 && c.bytes.length <= 500);
    expect(cases.length).to.be.greaterThan(20);
    for (const c of cases) await fails(s, c.bytes, c.error);
    expect((await fx.client.fetchSession(s.session))!.uses).to.equal(0);
  });

  it("replays: the same message twice and an old nonce are refused", async () => {
    const s = await session();
    const m = message([transfer(3n)]);
    await expectOk(use(s, m));
    await expectFailsUnchanged(env().chain, [s.session], () => use(s, message([transfer(4n)]), { nonce: 0n }), "NonceReplayed");
    await expectFailsUnchanged(env().chain, [s.session], () => use(s, message([transfer(4n)]), { nonce: 2n }), "NonceOutOfOrder");

  });

  it("a message too large for one transaction goes through the buffer, which closes and refunds its payer", async () => {
    const third = Keypair.generate().publicKey;
    const s = await session({ allowedPrograms: [SystemProgram.programId, third] });
    const other = await session({ allowedPrograms: [SystemProgram.programId, third] });
    const big = (n: number) => message([transfer(1n), new TransactionInstruction({ programId: third, keys: [], data: Buffer.alloc(n, 7) })]);
    // the largest legacy message one signature can carry: 1232 - 1 - 64 bytes
    let n = 1100;
    while (solanaMessageBytes(big(n + 1)).length <= MAX_MESSAGE_LEN - 65) n++;
    while (solanaMessageBytes(big(n)).length > MAX_MESSAGE_LEN - 65) n--;
    const m = big(n);
    const bytes = solanaMessageBytes(m);
    const params = { session: s.session, delegate: s.delegate.publicKey };
    const buffer = messageBufferAddress(fx.client.programId, s.session)[0];
    const payerBefore = BigInt((await env().chain.getAccountInfo(fx.client.provider.publicKey))!.lamports);
    const staged = await stageSolanaMessage(fx.client, { ...params, message: m });
    await expectOk(fx.client.deploy(staged[0], [s.delegate]));
    // incomplete: refused, nothing changes
    await expectFailsUnchanged(env().chain, [s.session, buffer], () => use(s, m, { fromBuffer: true }), "BufferIncomplete");
    await expectError(fx.client.deploy(await writeMessageBuffer(fx.client, { ...params, offset: 5, bytes: bytes.subarray(5, 10) }), [s.delegate]), "BufferWriteOutOfOrder");
    for (const a of staged.slice(1)) await expectOk(fx.client.deploy(a, [s.delegate]));
    // both sources at once, and another payer, are refused
    await expectFailsUnchanged(env().chain, [s.session, buffer], async () => fx.client.deploy(await approveSolanaMessage(fx.client, {
      ...params, policy: fx.policy, message: message([transfer(1n)]), accounts: { messageBuffer: buffer },
    }), [s.delegate]), "MessageSourceAmbiguous");
    const stranger = (await env().funded(1))[0];
    await expectFailsUnchanged(env().chain, [s.session, buffer], async () => fx.client.deploy(await approveSolanaMessage(fx.client, {
      ...params, policy: fx.policy, message: m, fromBuffer: true, payer: stranger.publicKey,
    }), [s.delegate, stranger]), "BufferPayerMismatch");
    // another session's delegate cannot write it, and it is not another session's buffer
    await expectError(fx.client.deploy(await writeMessageBuffer(fx.client, {
      session: s.session, delegate: other.delegate.publicKey, offset: bytes.length, bytes: bytes.subarray(0, 1),
    }), [other.delegate]), "NotDelegate");
    const foreign = await fx.client.program.methods.writeMessageBuffer(bytes.length, Buffer.from(bytes.subarray(0, 1)))
      .accountsStrict({ delegate: other.delegate.publicKey, session: other.session, messageBuffer: buffer }).instruction();
    await expectFailsUnchanged(env().chain, [buffer], () => fx.client.deploy({
      name: "writeMessageBuffer", instructions: [foreign], feePayer: other.delegate.publicKey, signers: [other.delegate.publicKey], watch: [buffer], creates: [],
    }, [other.delegate]), "BufferSessionMismatch");
    const r = await expectOk(use(s, m, { fromBuffer: true }));
    expect(await env().chain.getAccountInfo(buffer), "buffer closed").to.equal(null);
    console.log(`      largest message through the buffer: ${bytes.length} bytes (${staged.length - 1} writes), approve ${r.computeUnits} CU`);
    // rent came back: the payer is down only fees and the MessageApproval's rent
    const payerAfter = BigInt((await env().chain.getAccountInfo(fx.client.provider.publicKey))!.lamports);
    const approvalRent = await env().chain.getMinimumBalanceForRentExemption(312);
    expect(Number(payerBefore - payerAfter)).to.be.lessThan(approvalRent + 100_000);
  });

  it("the largest message that fits in the instruction itself", async () => {
    const third = Keypair.generate().publicKey;
    const s = await session({ allowedPrograms: [SystemProgram.programId, third] });
    const withData = (n: number) => message([transfer(1n), new TransactionInstruction({ programId: third, keys: [], data: Buffer.alloc(n, 7) })]);
    let best = 0;
    for (let n = 0; n < 1000; n += 8) {
      try {
        const a = await approveSolanaMessage(fx.client, { policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, message: withData(n) });
        const tx = fx.client.transaction(a);
        tx.recentBlockhash = blockhash();
        tx.serialize({ requireAllSignatures: false, verifySignatures: false });
        best = n;
      } catch {
        break;
      }
    }
    const m = withData(best);
    await expectOk(use(s, m));
    console.log(`      largest message in the instruction: ${solanaMessageBytes(m).length} bytes`);
    expect(solanaMessageBytes(m).length).to.be.greaterThan(300);
  });
}, { fresh: "suite" });
