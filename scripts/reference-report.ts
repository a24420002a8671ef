/**
 * Bad examples of `adapt report`'s codes for the generated reference: a code whose example is a folder,
 * `specs/diagnostics/CODE/sweeps/` (sweep folders, one per task, with the fault in them), is shown as the
 * command, the files it reads and the diagnostic it prints.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { renderText } from "../compiler/diagnostics/render.ts";
import { readSweeps } from "../cli/commands/report-read.ts";
import type { Diagnostic } from "../compiler/diagnostics/diagnostic.ts";

/** The files under `dir`, relative to it, sorted. */
function listing(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => (e.isDirectory() ? listing(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

/** The folder example of `code` and the diagnostic `adapt report` gives for it, or null when it has none. */
export function reportExample(
  code: string,
  diagnosticsDir: string,
): { files: string[]; diagnostic: Diagnostic | undefined; text: string } | null {
  const dir = join(diagnosticsDir, code);
  if (!existsSync(join(dir, "sweeps"))) return null;
  const read = readSweeps("sweeps", dir);
  const diagnostic = read.diagnostics.find((d) => d.code === code);
  return {
    files: listing(join(dir, "sweeps")).map((f) => `sweeps/${f}`),
    diagnostic,
    text: diagnostic ? renderText(diagnostic, read.sources.get(diagnostic.file ?? "")) : "",
  };
}

/** The reference entry of a folder example, or null when `code` has none. */
export function reportExampleSection(code: string, diagnosticsDir: string): string[] | null {
  const example = reportExample(code, diagnosticsDir);
  if (example === null) return null;
  const files = example.files.map((f) => `\`${f}\``).join(", ");
  if (example.diagnostic === undefined)
    return [`(the example \`specs/diagnostics/${code}/\` no longer produces ${code}: run the tests)`, ""];
  return [
    `\`adapt report sweeps\` where \`sweeps/\` holds ${files} (\`specs/diagnostics/${code}/\`):`,
    "",
    "```text",
    example.text,
    "```",
    "",
  ];
}
