/** The local Ika network's helpers live with the app's local mode (CLI/API/demo use them too). */
export * from "../../app/src/local/ika-network";
