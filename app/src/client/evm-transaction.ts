/**
 * The `evm` use path (docs/verified-sessions.md, "EVM sessions"): from an
 * EIP-1559 transaction (viem's fields, or its serialized unsigned bytes) to
 * the `approve_evm_transaction` transaction, and from Ika's signature back to
 * the signed transaction, ready to broadcast. Serialization and parsing are
 * viem's; this file never encodes RLP itself.
 */
import { secp256k1 } from "@noble/curves/secp256k1";
import { PublicKey } from "@solana/web3.js";
import {
  Hex, hexToBytes, keccak256, parseTransaction, recoverAddress, serializeTransaction, Signature, toHex,
  TransactionSerializableEIP1559,
} from "viem";
import { publicKeyToAddress } from "viem/accounts";
import { SessionKeysClient } from "./client";
import { DwalletView, SignatureScheme } from "./ika";
import { VerifiedAction, verifiedUse, VerifiedUseParams } from "./verified-use";

/** An EVM address as the 32-byte word an `evm` session stores: 12 zero bytes, then the address. */
export function evmWord(address: string): PublicKey {
  const bytes = hexToBytes(address as Hex);
  if (bytes.length !== 20) throw new Error(`an EVM address is 20 bytes (got ${bytes.length}): ${address}`);
  const word = new Uint8Array(32);
  word.set(bytes, 12);
  return new PublicKey(word);
}

/** The address in an EVM word (`evmWord`'s inverse). */
export function evmAddress(word: PublicKey): Hex {
  return toHex(word.toBytes().subarray(12));
}

export type EvmTransactionInput = Uint8Array | Hex | TransactionSerializableEIP1559;

/** The bytes the dWallet signs: the unsigned serialized transaction (`0x02 || rlp([...])`). */
export function evmTransactionBytes(tx: EvmTransactionInput): Buffer {
  if (tx instanceof Uint8Array) return Buffer.from(tx);
  if (typeof tx === "string") return Buffer.from(hexToBytes(tx));
  return Buffer.from(hexToBytes(serializeTransaction({ ...tx, type: "eip1559" })));
}

/** Ethereum's signing hash of the transaction: the digest Ika signs and the MessageApproval is named by. */
export function evmSigningHash(bytes: Uint8Array): Buffer {
  return Buffer.from(hexToBytes(keccak256(bytes)));
}

/** The dWallet's Ethereum address: from its public key (33 bytes compressed; Secp256k1 dWallets only). */
export function dwalletEvmAddress(wallet: DwalletView): Hex {
  const uncompressed = secp256k1.ProjectivePoint.fromHex(wallet.publicKey).toRawBytes(false);
  return publicKeyToAddress(toHex(uncompressed));
}

export interface ApproveEvmParams extends VerifiedUseParams {
  transaction: EvmTransactionInput;
}

export async function approveEvmTransaction(c: SessionKeysClient, p: ApproveEvmParams): Promise<VerifiedAction> {
  const bytes = evmTransactionBytes(p.transaction);
  return verifiedUse(c, p, {
    name: "approveEvmTransaction", scheme: SignatureScheme.EcdsaKeccak256, digest: evmSigningHash(bytes),
    instruction: (fixed, accounts) => c.program.methods.approveEvmTransaction({ ...fixed, transaction: p.fromBuffer ? Buffer.alloc(0) : bytes })
      .accountsStrict(accounts).instruction(),
  });
}

/**
 * The signed transaction, ready to broadcast: the unsigned one with Ika's
 * signature (r ‖ s, 64 bytes, or r ‖ s ‖ v) attached. The recovery bit is
 * the one under which the signature recovers the dWallet's address; a
 * signature that recovers it under neither is refused.
 */
export async function signedEvmTransaction(unsigned: Uint8Array, signature: Uint8Array, dwallet: Hex): Promise<Hex> {
  if (signature.length !== 64 && signature.length !== 65) throw new Error(`an ECDSA signature is 64 or 65 bytes (got ${signature.length})`);
  const tx = parseTransaction(toHex(unsigned));
  if (tx.type !== "eip1559") throw new Error(`not an EIP-1559 transaction (${tx.type})`);
  const r = toHex(signature.subarray(0, 32));
  const s = toHex(signature.subarray(32, 64));
  const hash = keccak256(unsigned);
  for (const yParity of [0, 1]) {
    const sig: Signature = { r, s, yParity };
    if ((await recoverAddress({ hash, signature: sig })).toLowerCase() === dwallet.toLowerCase()) {
      return serializeTransaction(tx, sig);
    }
  }
  throw new Error(`the signature does not recover the dWallet's address ${dwallet}`);
}
