/**
 * `npm run web`: builds the playground and serves web/dist at http://127.0.0.1:5173/ (PORT overrides)
 * until Ctrl-C. A static host needs only web/dist.
 */
import { preview } from "vite";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSite } from "./build.ts";

const WEB = fileURLToPath(new URL(".", import.meta.url));
await buildSite();
const server = await preview({
  configFile: join(WEB, "vite.config.ts"),
  preview: { port: Number(process.env["PORT"] ?? 5173), host: "127.0.0.1", strictPort: true },
});
process.stdout.write(`playground: ${server.resolvedUrls?.local[0] ?? "http://127.0.0.1:5173/"} (Ctrl-C stops)\n`);
