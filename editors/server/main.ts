/**
 * Entry point of the language server: `node editors/server/main.js --stdio` in the repository, or the
 * bundled `dist/server.js` of the VS Code extension.
 */
import { startServer } from "./server.ts";

startServer();
