/**
 * Reading Ika's MessageApproval after a use: its status, and the signature
 * once Ika's network has written it (`CommitSignature`, docs/ika.md).
 */
import { PublicKey } from "@solana/web3.js";
import type { Chain } from "../chain";
import { IKA_PROGRAM_ID, MessageApprovalView, readMessageApproval, SignatureScheme } from "./ika";

/** The approval at `address`, or null if there is none (or it is not Ika's). */
export async function fetchMessageApproval(chain: Chain, address: PublicKey): Promise<MessageApprovalView | null> {
  const info = await chain.getAccountInfo(address);
  if (!info || !info.owner.equals(IKA_PROGRAM_ID)) return null;
  return readMessageApproval(info.data);
}

export interface WaitOptions {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** Poll this often (default 1 s). */
  intervalMs?: number;
}

/** Polls until the approval is signed; throws on timeout or when no approval exists. */
export async function waitForSignature(chain: Chain, address: PublicKey, o: WaitOptions = {}): Promise<{ approval: MessageApprovalView; signature: Buffer }> {
  const timeoutMs = o.timeoutMs ?? 60_000;
  const intervalMs = o.intervalMs ?? 1_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const approval = await fetchMessageApproval(chain, address);
    if (!approval) throw new Error(`no MessageApproval at ${address.toBase58()}`);
    if (approval.status === "signed" && approval.signature) return { approval, signature: approval.signature };
    if (Date.now() >= deadline) throw new Error(`MessageApproval ${address.toBase58()} not signed after ${timeoutMs} ms (status ${approval.status})`);
    await new Promise((r) => setTimeout(r, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}

/** An approval as the CLI and the API show it: keys in base58, bytes in hex, the scheme by name. */
export function approvalJson(address: PublicKey, a: MessageApprovalView) {
  return {
    address: address.toBase58(), status: a.status, signature: a.signature?.toString("hex") ?? null,
    dwallet: a.dwallet.toBase58(), messageDigest: a.messageDigest.toString("hex"), messageMetadataDigest: a.messageMetadataDigest.toString("hex"),
    signatureScheme: SignatureScheme[a.signatureScheme] ?? a.signatureScheme, approver: a.approver.toBase58(),
    userPubkey: a.userPubkey.toString("hex"), epoch: a.epoch.toString(),
  };
}
