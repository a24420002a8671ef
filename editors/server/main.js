#!/usr/bin/env node
// Starts the `.adapt` language server from the TypeScript sources through tsx (no build step):
// `node editors/server/main.js --stdio`. The VS Code extension ships a bundled build instead.
import { register } from "tsx/esm/api";

register();
await import("./main.ts");
