/**
 * The only file that touches the build's generated IDL and types
 * (`anchor build` / scripts/build.sh output). Everything else imports from here.
 */
import { PublicKey } from "@solana/web3.js";
import type { SessionKeys } from "../../../target/types/session_keys";
import idlJson from "../../../target/idl/session_keys.json";

export type { SessionKeys };
/**
 * The IDL as the build wrote it (snake_case); `Program` converts it to the
 * camelCase shape of the `SessionKeys` type. Error names here are the Rust
 * ones, as the program logs them.
 */
export const SESSION_KEYS_IDL = idlJson as unknown as SessionKeys;
export const SESSION_KEYS_ERRORS: { code: number; name: string; msg?: string }[] = idlJson.errors ?? [];
export const SESSION_KEYS_PROGRAM_ID = new PublicKey(idlJson.address);
