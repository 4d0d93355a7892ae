/**
 * Verified `evm` sessions on both runtimes: the program reads the EIP-1559
 * transaction a Secp256k1 dWallet signs (docs/verified-sessions.md, "EVM
 * sessions"). Transactions are serialized by viem; each rule on both sides,
 * the stolen-delegate-key attacks (a permit, a 7702 authorization, a drain),
 * format mismatches, and the signed transaction rebuilt from Ika's signature.
 */
import { expect } from "chai";
import { secp256k1 } from "@noble/curves/secp256k1";
import { Keypair, PublicKey } from "@solana/web3.js";
import {
  encodeFunctionData, erc20Abi, Hex, hexToBytes, keccak256, parseTransaction, recoverTransactionAddress, serializeTransaction,
  toHex, TransactionSerializableEIP1559,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  approveEvmTransaction, approveMessage, bindingHash, createSession, Curve, dwalletEvmAddress, evmAddress, evmSigningHash, evmWord,
  fetchMessageApproval, fitsInOneTransaction, lastBinding, SignatureScheme, signedEvmTransaction, stageSolanaMessage, toBig,
} from "../app/src/client";
import { writeSignature } from "../app/src/local";
import {
  defaultLimits, describeOnEachRuntime, expectError, expectFailsUnchanged, expectOk, PolicyFixture, setupPolicy, setupSession,
  SessionFixture,
} from "./harness";

const CHAIN_ID = 8453n; // Base
const CAP = 10n ** 18n; // 1 ETH, or 10^18 token units
const GAS = 21_000n;
const FEE_PER_GAS = 2_000_000_000n; // 2 gwei
const FEE_CAP = GAS * FEE_PER_GAS;
const TO: Hex = "0x1111111111111111111111111111111111111111";
const TOKEN: Hex = "0x2222222222222222222222222222222222222222";
const ROUTER: Hex = "0x3333333333333333333333333333333333333333";
const ATTACKER: Hex = "0xbad0bad0bad0bad0bad0bad0bad0bad0bad0bad0";

describeOnEachRuntime("verified sessions (format evm)", (env) => {
  // The dWallet's key: Ika's network would hold it in shares; here the test
  // holds it, so it can write the signature Ika would.
  const secret = secp256k1.utils.randomPrivateKey();
  const account = privateKeyToAccount(toHex(secret));
  let fx: PolicyFixture;
  let nonce = 0; // EVM nonces, so no two transactions (and MessageApprovals) are equal

  before(async () => {
    fx = await setupPolicy(env(), Curve.Secp256k1, secp256k1.getPublicKey(secret, true));
  });

  const session = (over: Parameters<typeof setupSession>[1] = {}) => setupSession(fx, {
    format: "evm", allowedPrograms: [evmWord(TO), evmWord(TOKEN), evmWord(ROUTER)], maxAmountPerTx: CAP,
    evm: { chainId: CHAIN_ID, maxFee: FEE_CAP, anyCallMask: 0b100 }, ...over,
  });
  const tx = (over: Partial<TransactionSerializableEIP1559> = {}): TransactionSerializableEIP1559 => ({
    type: "eip1559", chainId: Number(CHAIN_ID), nonce: nonce++, maxPriorityFeePerGas: 1n, maxFeePerGas: FEE_PER_GAS, gas: GAS,
    to: TO, value: 1n, ...over,
  });
  const transfer = (amount: bigint, to: Hex = ATTACKER) => encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [to, amount] });
  const use = (s: SessionFixture, transaction: Parameters<typeof approveEvmTransaction>[1]["transaction"]) =>
    approveEvmTransaction(fx.client, { policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, transaction })
      .then((a) => fx.client.deploy(a, [s.delegate]));
  const fails = (s: SessionFixture, transaction: Parameters<typeof use>[1], error: string) =>
    expectFailsUnchanged(env().chain, [s.session], () => use(s, transaction), error);

  it("the buffer slot is required (this program's id for none): eleven or ten accounts are AccountNotEnoughKeys, and nothing changes", async () => {
    const s = await session();
    const trimmed = async (keep: number) => {
      const a = await approveEvmTransaction(fx.client, { policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, transaction: tx() });
      const ix = a.instructions.find((i) => i.programId.equals(fx.client.programId))!;
      expect(ix.keys).to.have.length(12);
      ix.keys = ix.keys.slice(0, keep);
      return fx.client.deploy(a, [s.delegate]);
    };
    await expectFailsUnchanged(env().chain, [s.session], () => trimmed(11), "AccountNotEnoughKeys");
    await expectFailsUnchanged(env().chain, [s.session], () => trimmed(10), "AccountNotEnoughKeys");
    await expectOk(trimmed(12));
    expect(toBig((await fx.client.fetchSession(s.session))!.nonce)).to.equal(1n);
  });

  it("a native transfer of exactly the cap passes and binds what it read; one wei more is AmountExceedsMax", async () => {
    const s = await session();
    const t = tx({ value: CAP });
    const bytes = hexToBytes(serializeTransaction(t));
    const r = await expectOk(use(s, t));
    const ev = r.events.find((e) => e.name === "evmTransactionApproved")!;
    expect(toBig(ev.data.amount as never)).to.equal(CAP);
    expect(toHex(Uint8Array.from(ev.data.to as number[]))).to.equal(TO);
    expect(toBig(ev.data.chainId as never)).to.equal(CHAIN_ID);
    const after = (await fx.client.fetchSession(s.session))!;
    expect(toBig(after.spent)).to.equal(CAP);
    expect(lastBinding(after)).to.equal(bindingHash({
      programId: fx.client.programId, policy: fx.policy, sessionId: s.sessionId, nonce: 0n, messageDigest: evmSigningHash(bytes),
      messageMetadataDigest: Buffer.alloc(32), amount: CAP, destinationProgram: evmWord(TO), signatureNonce: Buffer.alloc(32),
      signatureScheme: SignatureScheme.EcdsaKeccak256,
    }).toString("hex"));
    await fails(s, tx({ value: CAP + 1n }), "AmountExceedsMax");
  });

  it("the approval is Ethereum's signing hash: Ika's signature makes a transaction that recovers the dWallet's address", async () => {
    const s = await session();
    const t = tx({ value: 42n });
    const a = await approveEvmTransaction(fx.client, { policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, transaction: t });
    await expectOk(fx.client.deploy(a, [s.delegate]));
    expect(toHex(a.messageDigest)).to.equal(keccak256(serializeTransaction(t)));
    // what Ika's network writes once it has signed: r ‖ s
    const sig = secp256k1.sign(a.messageDigest, secret, { lowS: true });
    await writeSignature(env().chain, a.messageApproval, sig.toCompactRawBytes());
    const approval = (await fetchMessageApproval(env().chain, a.messageApproval))!;
    const wallet = { ...fx.wallet, authority: fx.initAuthority.publicKey, state: 1 };
    expect(dwalletEvmAddress(wallet).toLowerCase()).to.equal(account.address.toLowerCase());
    const signed = await signedEvmTransaction(hexToBytes(serializeTransaction(t)), approval.signature!, account.address);
    expect(await recoverTransactionAddress({ serializedTransaction: signed as never })).to.equal(account.address);
    expect(parseTransaction(signed).value).to.equal(42n);
    // a signature by another key is refused, not attached
    const other = secp256k1.sign(a.messageDigest, secp256k1.utils.randomPrivateKey()).toCompactRawBytes();
    let refused = "";
    await signedEvmTransaction(hexToBytes(serializeTransaction(t)), other, account.address).catch((e: Error) => { refused = e.message; });
    expect(refused).to.match(/does not recover/);
  });

  it("the fee cap holds at exactly the cap and not one wei more (EvmFeeCapExceeded)", async () => {
    const s = await session();
    await expectOk(use(s, tx({ maxFeePerGas: FEE_PER_GAS, gas: GAS })));
    await fails(s, tx({ maxFeePerGas: FEE_PER_GAS, gas: GAS + 1n }), "EvmFeeCapExceeded");
    await fails(s, tx({ maxFeePerGas: FEE_PER_GAS + 1n, gas: GAS }), "EvmFeeCapExceeded");
  });

  it("an ERC-20 session counts transfer amounts: exactly the cap passes, one unit more fails; native value is AssetNotAllowed", async () => {
    const s = await session({ assetMint: evmWord(TOKEN) });
    await expectOk(use(s, tx({ to: TOKEN, value: 0n, data: transfer(CAP) })));
    await fails(s, tx({ to: TOKEN, value: 0n, data: transfer(CAP + 1n) }), "AmountExceedsMax");
    await fails(s, tx({ to: TOKEN, value: 1n, data: transfer(1n) }), "AssetNotAllowed");
    await fails(s, tx({ to: TO, value: 1n }), "AssetNotAllowed");
  });

  it("approve, increaseAllowance, permit, setApprovalForAll and transferFrom calldata are refused (EvmCallNotAllowed)", async () => {
    const s = await session({ assetMint: evmWord(TOKEN) });
    const abi = [
      { type: "function", name: "increaseAllowance", inputs: [{ type: "address" }, { type: "uint256" }], outputs: [], stateMutability: "nonpayable" },
      { type: "function", name: "setApprovalForAll", inputs: [{ type: "address" }, { type: "bool" }], outputs: [], stateMutability: "nonpayable" },
      {
        type: "function", name: "permit", stateMutability: "nonpayable", outputs: [],
        inputs: [{ type: "address" }, { type: "address" }, { type: "uint256" }, { type: "uint256" }, { type: "uint8" }, { type: "bytes32" }, { type: "bytes32" }],
      },
    ] as const;
    const zero32 = `0x${"00".repeat(32)}` as Hex;
    const calls: Hex[] = [
      encodeFunctionData({ abi: erc20Abi, functionName: "approve", args: [ATTACKER, 2n ** 256n - 1n] }),
      encodeFunctionData({ abi, functionName: "increaseAllowance", args: [ATTACKER, 2n ** 255n] }),
      encodeFunctionData({ abi, functionName: "permit", args: [account.address, ATTACKER, 2n ** 256n - 1n, 2n ** 64n, 27, zero32, zero32] }),
      encodeFunctionData({ abi, functionName: "setApprovalForAll", args: [ATTACKER, true] }),
      encodeFunctionData({ abi: erc20Abi, functionName: "transferFrom", args: [account.address, ATTACKER, 1n] }),
    ];
    for (const data of calls) await fails(s, tx({ to: TOKEN, value: 0n, data }), "EvmCallNotAllowed");
    // an entry with the any-call bit (ROUTER) takes them: only `value` counts, and it must be 0 here
    await expectOk(use(s, tx({ to: ROUTER, value: 0n, data: calls[0] })));
  });

  it("a stolen delegate key cannot get a permit, a 7702 authorization or a drain signed", async () => {
    const s = await session();
    // EIP-2612 permit: EIP-712 typed data (0x19 0x01 ‖ domain ‖ struct hash)
    const permit = new Uint8Array([0x19, 0x01, ...new Uint8Array(64).fill(7)]);
    await fails(s, permit, "EvmSignedDataRefused");
    await fails(s, new Uint8Array([0x19, 0x45, ...Buffer.from("thereum Signed Message:\n5hello")]), "EvmSignedDataRefused");
    // EIP-7702: the authorization itself (0x05 ‖ rlp([0, attacker, 0]): every chain) and a type-4 transaction
    const authorization = new Uint8Array([0x05, 0xd7, 0x80, 0x94, ...hexToBytes(ATTACKER), 0x80]);
    await fails(s, authorization, "EvmAuthorizationRefused");
    const type4 = serializeTransaction({
      type: "eip7702", chainId: Number(CHAIN_ID), nonce: nonce++, maxFeePerGas: FEE_PER_GAS, maxPriorityFeePerGas: 1n, gas: GAS, to: TO,
      authorizationList: [{ chainId: 0, address: ATTACKER, nonce: 0, r: zeroHex(32), s: zeroHex(32), yParity: 0 }],
    });
    await fails(s, hexToBytes(type4), "EvmAuthorizationRefused");
    // a drain: the whole balance to the attacker, or above the cap to an allowed address
    await fails(s, tx({ to: ATTACKER, value: CAP }), "DestinationNotAllowed");
    await fails(s, tx({ value: 100n * CAP }), "AmountExceedsMax");
    // contract creation, another chain, legacy and EIP-2930 transactions
    await fails(s, tx({ to: undefined }), "EvmContractCreationRefused");
    await fails(s, tx({ chainId: 1 }), "EvmChainNotAllowed");
    await fails(s, hexToBytes(serializeTransaction({ type: "legacy", chainId: Number(CHAIN_ID), nonce: nonce++, gasPrice: 1n, gas: GAS, to: TO, value: 1n })),
      "EvmTransactionTypeUnsupported");
    await fails(s, hexToBytes(serializeTransaction({ type: "eip2930", chainId: Number(CHAIN_ID), nonce: nonce++, gasPrice: 1n, gas: GAS, to: TO, value: 1n })),
      "EvmTransactionTypeUnsupported");
    // calldata to a plain entry (no any-call bit) in a native session
    await fails(s, tx({ data: "0xdeadbeef" }), "EvmCallNotAllowed");
  });

  it("non-canonical RLP, trailing bytes and truncation are refused, each by name", async () => {
    const s = await session();
    const good = hexToBytes(serializeTransaction(tx({ value: 5n })));
    await fails(s, Uint8Array.from([...good, 0x80]), "RlpTrailingBytes");
    await fails(s, good.subarray(0, good.length - 1), "RlpTruncated");
    // the list's length in its long form (0xf8 len) although it is short
    expect(good[1]).to.be.below(0xf8);
    const longForm = Uint8Array.from([0x02, 0xf8, good[1] - 0xc0, ...good.subarray(2)]);
    await fails(s, longForm, "RlpNonCanonical");
  });

  it("a transaction too long for one Solana transaction goes through the message buffer", async () => {
    const s = await session({ evm: { chainId: CHAIN_ID, maxFee: FEE_CAP, anyCallMask: 0b100 } });
    const t = tx({ to: ROUTER, value: 3n, data: toHex(new Uint8Array(900).fill(0xab)) });
    const bytes = hexToBytes(serializeTransaction(t));
    for (const a of await stageSolanaMessage(fx.client, { session: s.session, delegate: s.delegate.publicKey, payer: s.delegate.publicKey, message: bytes })) {
      await expectOk(fx.client.deploy(a, [s.delegate]));
    }
    const a = await approveEvmTransaction(fx.client, {
      policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, payer: s.delegate.publicKey, transaction: bytes, fromBuffer: true,
    });
    const r = await expectOk(fx.client.deploy(a, [s.delegate]));
    expect(toBig(r.events.find((e) => e.name === "evmTransactionApproved")!.data.amount as never)).to.equal(3n);
  });

  it("the largest transaction that fits in the instruction itself (fitsInOneTransaction), and one byte of calldata more does not", async () => {
    const anyCall = await session();
    const withData = (n: number) => tx({ to: ROUTER, value: 1n, data: toHex(new Uint8Array(n).fill(0xab)) });
    const build = (t: TransactionSerializableEIP1559) =>
      approveEvmTransaction(fx.client, { policy: fx.policy, session: anyCall.session, delegate: anyCall.delegate.publicKey, transaction: t }).catch(() => null);
    let n = 0;
    for (const step of [64, 8, 1]) while (await fitsInOneTransaction(fx.client, await build(withData(n + step)))) n += step;
    const largest = withData(n);
    await expectOk(use(anyCall, largest));
    console.log(`      largest transaction in the instruction: ${hexToBytes(serializeTransaction(largest)).length} bytes`);
    expect(await fitsInOneTransaction(fx.client, await build(withData(n + 1)))).to.equal(false);
    expect(n).to.be.greaterThan(300);
  });

  it("formats do not mix: an evm session refuses approve_message, an opaque one approve_evm_transaction", async () => {
    const s = await session();
    await expectFailsUnchanged(env().chain, [s.session], async () => fx.client.deploy(await approveMessage(fx.client, {
      policy: fx.policy, session: s.session, delegate: s.delegate.publicKey, messageDigest: Buffer.alloc(32, 1), amount: 1n,
      destinationProgram: evmWord(TO), signatureScheme: SignatureScheme.EcdsaKeccak256,
    }), [s.delegate]), "WrongMessageFormat");
    const opaque = await setupSession(fx, { allowedPrograms: [evmWord(TO)], allowedSchemes: 1 << SignatureScheme.EcdsaKeccak256 });
    await expectFailsUnchanged(env().chain, [opaque.session], () => use(opaque, tx()), "WrongMessageFormat");
  });

  it("creation: an evm session needs its limits, a Secp256k1 dWallet and EVM addresses", async () => {
    const d = Keypair.generate().publicKey;
    const create = async (over: Parameters<typeof defaultLimits>[2], f = fx) => f.client.deploy(await createSession(f.client, {
      policy: f.policy, admin: f.admin.publicKey, limits: await defaultLimits(env(), d, { format: "evm", allowedPrograms: [evmWord(TO)], ...over }),
    }), [f.admin]);
    const limits = { chainId: CHAIN_ID, maxFee: FEE_CAP };
    await expectError(create({}), "InvalidEvmLimits");
    await expectError(create({ evm: { ...limits, chainId: 0n } }), "InvalidEvmLimits");
    await expectError(create({ evm: { ...limits, anyCallMask: 0b10 } }), "InvalidEvmLimits");
    await expectError(create({ evm: limits, allowedPrograms: [new PublicKey(new Uint8Array(32).fill(1))] }), "InvalidEvmAddress");
    await expectError(create({ evm: limits, assetMint: Keypair.generate().publicKey }), "InvalidEvmAddress");
    await expectError(create({ evm: limits, allowDurableNonce: true }), "InvalidSessionFormat");
    await expectError(create({ format: "opaque", evm: limits }), "InvalidEvmLimits");
    const ed = await setupPolicy(env());
    await expectError(create({ evm: limits }, ed), "SchemeNotForCurve");
    await expectOk(create({ evm: { ...limits, anyCallMask: 0b1 } }));
  });
}, { fresh: "suite" });

function zeroHex(bytes: number): Hex {
  return `0x${"00".repeat(bytes)}`;
}
