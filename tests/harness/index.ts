/** Test harness shared by every suite. */
export * from "./env";
export * from "./errors";
export * from "./snapshot";
export * from "./cu";
export * from "./programs";
export * from "./runtime";
export * from "./fixtures";
export * from "./state";
export * from "./ika";
