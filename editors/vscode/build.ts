/**
 * `npm run package:vscode`: bundles the extension and the language server with esbuild into out/, then
 * packages this folder as a .vsix with @vscode/vsce, offline (no dependencies are fetched: the bundles
 * hold everything). `--out DIR` writes the .vsix into DIR instead of out/. Fails when the generated
 * grammars are stale or when vsce's checks fail (licence, repository, README images, icon).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { createVSIX } from "@vscode/vsce";
import { generatedFiles } from "../generate/outputs.ts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");

/** The fields of the extension's manifest that the build reads. */
interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly repository: { readonly url: string; readonly directory: string };
}

/**
 * Where the README's relative links and images point once published: the extension's folder in the
 * repository (vsce itself would point them at the repository's root, ignoring `repository.directory`).
 */
function readmeBase(manifest: Manifest): { baseContentUrl: string; baseImagesUrl: string } {
  const repo = manifest.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");
  return {
    baseContentUrl: `${repo}/blob/HEAD/${manifest.repository.directory}`,
    baseImagesUrl: `${repo}/raw/HEAD/${manifest.repository.directory}`,
  };
}

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
  const manifest = JSON.parse(readFileSync(join(here, "package.json"), "utf8")) as Manifest;
  mkdirSync(resolve(outDir), { recursive: true });
  const packagePath = join(resolve(outDir), `${manifest.name}-${manifest.version}.vsix`);
  await createVSIX({ cwd: here, packagePath, dependencies: false, ...readmeBase(manifest) });
  return packagePath;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--out");
  const path = await packageExtension(i > 0 ? process.argv[i + 1] : undefined);
  console.log(`wrote ${path}`);
}
