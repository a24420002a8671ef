/**
 * The playground's Vite build: a static site in web/dist with relative URLs (it works from any folder of
 * a static host). `node:path` resolves to pathe (the same POSIX functions) and `#platform-files` to its
 * browser target (runtime/io/memory-files.ts), so the runtime's modules build unchanged.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "./",
  logLevel: "warn",
  resolve: { alias: { "node:path": "pathe" } },
  worker: { format: "es" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 4096,
    reportCompressedSize: false,
  },
});
