/**
 * Names a failed transaction the way a person would: the Anchor error name
 * (`SessionExpired`, `ConstraintSeeds`), a foreign program's error name
 * (the Ika stand-in, the System program), or the runtime's own variant
 * (`MissingRequiredSignature`).
 */
import { SystemProgram } from "@solana/web3.js";
import type { ChainError } from "../chain";

/** Custom error codes of one program, code → name. */
export type ErrorTable = Map<number, string>;

/** System program's `SystemError`, in declaration order. */
const SYSTEM_ERRORS = [
  "AccountAlreadyInUse", "ResultWithNegativeLamports", "InvalidProgramId", "InvalidAccountDataLength",
  "MaxSeedLengthExceeded", "AddressWithSeedMismatch", "NonceNoRecentBlockhashes", "NonceBlockhashNotExpired",
  "NonceUnexpectedBlockhashValue",
];

/** Registry of known programs' error tables; the client adds ours from the IDL. */
export class ErrorRegistry {
  private readonly tables = new Map<string, ErrorTable>([
    [SystemProgram.programId.toBase58(), new Map(SYSTEM_ERRORS.map((n, i) => [i, n]))],
  ]);

  register(programId: string, table: ErrorTable | { code: number; name: string }[]): this {
    this.tables.set(programId, Array.isArray(table) ? new Map(table.map((e) => [e.code, e.name])) : table);
    return this;
  }

  lookup(programId: string | undefined, code: number): string | undefined {
    return programId ? this.tables.get(programId)?.get(code) : undefined;
  }
}

export interface NamedFailure {
  /** The error's name, e.g. "SessionExpired", "ConstraintSeeds", "MissingRequiredSignature". */
  name: string;
  /** The program that raised it, when the logs say. */
  programId?: string;
  /** Its numeric code, for custom program errors. */
  code?: number;
  /** The human message Anchor logged, if any. */
  message?: string;
}

/**
 * The program a failure belongs to. In a CPI chain the callee's "failed" line
 * comes first and every caller then fails with the *same* custom code, so the
 * first "failed" line carrying `code` is the innermost program that raised it
 * (e.g. the Ika program CPI'd by session_keys, not session_keys itself).
 * Without a code, the first "failed" line.
 */
export function failingProgram(logs: string[], code?: number): { programId: string; text: string } | undefined {
  for (const line of logs) {
    const m = /^Program (\w+) failed: (.*)$/.exec(line);
    if (!m) continue;
    if (code === undefined) return { programId: m[1], text: m[2] };
    const c = /custom program error: 0x([0-9a-f]+)/i.exec(m[2]);
    if (c && parseInt(c[1], 16) === code) return { programId: m[1], text: m[2] };
  }
  return undefined;
}

export function nameFailure(logs: string[], error: ChainError, registry: ErrorRegistry): NamedFailure {
  // Anchor logs "AnchorError … Error Code: X. Error Number: N. Error Message: M." for its own and user errors.
  for (const line of logs) {
    const m = /Error Code: (\w+)\. Error Number: (\d+)\. Error Message: (.*?)\.?$/.exec(line);
    if (m) {
      const failing = failingProgram(logs, Number(m[2]));
      return { name: m[1], code: Number(m[2]), message: m[3], programId: failing?.programId };
    }
  }
  if (error.name === "Custom" && error.customCode !== undefined) {
    const failing = failingProgram(logs, error.customCode);
    const name = registry.lookup(failing?.programId, error.customCode);
    return { name: name ?? `Custom(${error.customCode})`, code: error.customCode, programId: failing?.programId };
  }
  return { name: error.name, programId: failingProgram(logs)?.programId };
}
