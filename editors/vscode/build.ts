/**
 * `npm run package:vscode`: bundles the extension and the language server with esbuild into out/, then
 * packages this folder as a .vsix with @vscode/vsce, offline (no dependencies are fetched: the bundles
 * hold everything). `--out DIR` writes the .vsix into DIR instead of out/. Fails when the generated
 * grammars are stale.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { createVSIX } from "@vscode/vsce";
import { generatedFiles } from "../generate/outputs.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");

/** Builds the bundles and the .vsix; returns the .vsix's path. */
export async function packageExtension(outDir: string = join(here, "out")): Promise<string> {
  for (const f of generatedFiles()) {
    if (readFileSync(join(root, f.path), "utf8") !== f.text)
      throw new Error(`${f.path} is stale; run \`npx tsx scripts/gen-editor-grammars.ts\``);
  }
  const common = {
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node18",
    logLevel: "error",
    legalComments: "none",
    minify: true,
  } as const;
  await build({
    ...common,
    entryPoints: [join(here, "src", "extension.ts")],
    outfile: join(here, "out", "extension.cjs"),
    external: ["vscode"],
  });
  await build({
    ...common,
    entryPoints: [join(root, "editors", "server", "main.ts")],
    outfile: join(here, "out", "server.cjs"),
  });
  const manifest = JSON.parse(readFileSync(join(here, "package.json"), "utf8")) as { name: string; version: string };
  const packagePath = join(resolve(outDir), `${manifest.name}-${manifest.version}.vsix`);
  await createVSIX({ cwd: here, packagePath, dependencies: false, allowMissingRepository: true, skipLicense: true });
  return packagePath;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--out");
  const path = await packageExtension(i > 0 ? process.argv[i + 1] : undefined);
  console.log(`wrote ${path}`);
}
