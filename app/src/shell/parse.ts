/**
 * Parsing and validation of user input shared by the CLI and the HTTP API.
 * Every failure is a `UsageError` with a message naming the field, which the
 * CLI prints as `{ "error": "UsageError" }` and the API turns into a 400.
 */
import * as fs from "fs";
import * as path from "path";
import { Keypair, PublicKey } from "@solana/web3.js";
import { evmWord, SessionFormat, U128_MAX, U64_MAX } from "../client";

export class UsageError extends Error {
  readonly name = "UsageError";
}

const U32_MAX = 2 ** 32 - 1;

export function parsePubkey(value: unknown, field: string): PublicKey {
  if (typeof value !== "string" || !/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(value)) {
    throw new UsageError(`${field} must be a base58 public key`);
  }
  try {
    return new PublicKey(value);
  } catch {
    throw new UsageError(`${field} must be a base58 public key`);
  }
}

/** A u64 given as a decimal string or a safe integer number (JSON). */
export function parseU64(value: unknown, field: string): bigint {
  return parseUnsigned(value, field, 20, U64_MAX, "u64");
}

/** A u128 (amounts: caps, budgets), as a decimal string or a safe integer. */
export function parseU128(value: unknown, field: string): bigint {
  return parseUnsigned(value, field, 39, U128_MAX, "u128");
}

/** An unsigned decimal of at most `digits` digits and `max`, as a string or a safe integer. */
function parseUnsigned(value: unknown, field: string, digits: number, max: bigint, type: string): bigint {
  const text = typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== "string" || !new RegExp(`^\\d{1,${digits}}$`).test(text)) throw new UsageError(`${field} must be an unsigned integer`);
  const v = BigInt(text);
  if (v > max) throw new UsageError(`${field} exceeds ${type}`);
  return v;
}

/** A session format: `opaque` (the default when absent), `solana` or `evm`. */
export function parseFormat(value: unknown): SessionFormat | undefined {
  if (value === undefined) return undefined;
  if (value === "opaque" || value === "solana" || value === "evm") return value;
  throw new UsageError(`format must be opaque, solana or evm, got ${String(value)}`);
}

/** An EVM address (0x and 40 hex digits) as the 32-byte word an `evm` session stores. */
export function parseEvmAddress(value: unknown, field: string): PublicKey {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(value)) throw new UsageError(`${field}: an EVM address is 0x and 40 hex digits (got ${String(value)})`);
  return evmWord(value);
}

/** Base64 bytes (a Solana message, a transaction). */
export function parseBase64(value: unknown, field: string): Buffer {
  if (typeof value !== "string" || !/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw new UsageError(`${field} must be base64`);
  }
  return Buffer.from(value, "base64");
}

export function parseU32(value: unknown, field: string): number {
  const v = parseU64(value, field);
  if (v > BigInt(U32_MAX)) throw new UsageError(`${field} exceeds u32`);
  return Number(v);
}

/** Exactly `bytes` bytes of hex, or without `bytes` one or more (an EVM transaction); an optional 0x prefix allowed. */
export function parseHex(value: unknown, field: string, bytes?: number): Buffer {
  const text = typeof value === "string" ? value.replace(/^0x/, "") : "";
  const digits = bytes === undefined ? "([0-9a-fA-F]{2})+" : `[0-9a-fA-F]{${bytes * 2}}`;
  if (!new RegExp(`^${digits}$`).test(text)) throw new UsageError(`${field} must be ${bytes === undefined ? "hex bytes" : `${bytes} bytes of hex`}`);
  return Buffer.from(text, "hex");
}

/**
 * An allowlist entry or an asset as a session of `format` holds it: a
 * base58 key, or in an evm session an EVM address (stored as its word).
 */
export function parseSessionAddress(format: SessionFormat | undefined, value: unknown, field: string): PublicKey {
  return format === "evm" ? parseEvmAddress(value, field) : parsePubkey(value, field);
}

/** A comma-separated list (CLI) or an array (JSON) of public keys, or of a session's addresses (`parseSessionAddress`). */
export function parsePubkeyList(value: unknown, field: string, format?: SessionFormat): PublicKey[] {
  const items = typeof value === "string" ? value.split(",").map((s) => s.trim()).filter(Boolean) : value;
  if (!Array.isArray(items) || items.length === 0) {
    throw new UsageError(`${field} must list at least one ${format === "evm" ? "EVM address" : "public key"}`);
  }
  return items.map((v, i) => parseSessionAddress(format, v, `${field}[${i}]`));
}

/** A Solana CLI keypair file: a JSON array of the 64 secret-key bytes. */
/**
 * A path as the user typed it, relative to the directory they ran the command
 * in: `npm run cli` runs in the repository, and npm passes the caller's
 * directory as INIT_CWD.
 */
export function userPath(p: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), p.replace(/^~(?=$|\/)/, process.env.HOME ?? "~"));
}

export function loadKeypair(given: string, field = "keypair"): Keypair {
  const file = userPath(given);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`${field}: cannot read keypair file ${file} (${(e as NodeJS.ErrnoException).code ?? "read error"})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // Never echo the parser's message: it quotes the bytes around the error, which are the secret key.
    throw new UsageError(`${field}: ${file} is not valid JSON (a keypair file is a JSON array of 64 numbers)`);
  }
  const bytes = Array.isArray(raw) && raw.length === 64 && raw.every((b) => Number.isInteger(b) && b >= 0 && b <= 255);
  if (!bytes) throw new UsageError(`${field}: ${file} is not a keypair file (a JSON array of 64 numbers 0..255)`);
  try {
    return Keypair.fromSecretKey(Uint8Array.from(raw as number[]));
  } catch {
    throw new UsageError(`${field}: ${file} holds 64 bytes that are not a valid ed25519 keypair`);
  }
}

/** A public key given directly, or read from a keypair file (when the secret is at hand anyway). */
export function parseKeyOrKeypairFile(value: string, field: string): PublicKey {
  if (fs.existsSync(userPath(value))) return loadKeypair(value, field).publicKey;
  return parsePubkey(value, field);
}
