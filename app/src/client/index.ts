/** The session-keys client: everything the CLI, API, demo, tests and bench use. */
export * from "./client";
export * from "./instructions";
export * from "./inspect";
export * from "./binding";
export * from "./pda";
export * from "./ika";
export * from "./approval";
export * from "./solana-message";
export * from "./status";
export * from "./errors";
export * from "./wallet";
export { SESSION_KEYS_IDL, SESSION_KEYS_PROGRAM_ID } from "./idl";
export type { SessionKeys } from "./idl";
