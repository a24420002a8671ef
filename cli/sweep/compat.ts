/**
 * Rule `sweep-folder` (ADAPT970): a sweep folder is resumed only by a spec that trains its started
 * points exactly as before. Points may be added (more alternatives, seeds or variants: an extension);
 * a started point (with a result or a folder) that the spec no longer has, or would train differently,
 * or another base model, is refused, naming the point and the first line of the spec that changed.
 */
import { existsSync } from "node:fs";
import { diag, FILE_START, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import type { Span } from "../../grammar/ast.ts";
import type { ResultLine } from "../../compiler/sweep/summary.ts";
import { sweepPaths, type Manifest, type ManifestPoint } from "./folder.ts";

/** What the current spec makes of the folder. */
export interface FreshSweep {
  readonly specText: string;
  readonly baseFingerprint: string;
  readonly points: readonly ManifestPoint[];
  readonly stage2Seeds: readonly number[];
  /** Every stage-1 point id of the spec, including those `--only` left out. */
  readonly allIds: ReadonlySet<string>;
}

/** ADAPT970 when `old` (the folder's manifest) cannot be resumed by `fresh`; null when it can. */
export function compareManifest(
  old: Manifest,
  fresh: FreshSweep,
  results: readonly ResultLine[],
  out: string,
  file: string,
): Diagnostic | null {
  const changed = firstChange(old.specText ?? "", fresh.specText);
  const notes = changed ? [changed.note] : [];
  const span = changed?.span ?? FILE_START;
  const refuse = (message: string): Diagnostic => ({
    ...diag("ADAPT970", span, message, {
      notes,
      help: "use another `output` folder for a different experiment, or restore the spec",
    }),
    file,
  });
  if (old.baseFingerprint !== fresh.baseFingerprint)
    return refuse(`the sweep folder \`${out}\` was made with another base model`);
  const started = old.points.filter(
    (p) => results.some((r) => r.id === p.id) || existsSync(sweepPaths(out).point(p.id)),
  );
  for (const p of started) {
    if (p.stage === 2) {
      const config = fresh.points.some((q) => q.config === p.config);
      if (!config || !fresh.stage2Seeds.includes(p.seed))
        return refuse(`the sweep folder \`${out}\` holds point \`${p.id}\`, which the spec no longer has`);
      continue;
    }
    const now = fresh.points.find((q) => q.id === p.id);
    if (now === undefined && fresh.allIds.has(p.id)) continue;
    if (now === undefined)
      return refuse(`the sweep folder \`${out}\` holds point \`${p.id}\`, which the spec no longer has`);
    if (now.planHash !== p.planHash)
      return refuse(
        `point \`${p.id}\` in the sweep folder \`${out}\` was trained with another plan than the spec now gives it`,
      );
  }
  return null;
}

/** The first line where the spec differs from the one that made the folder. */
function firstChange(before: string, after: string): { note: string; span: Span } | null {
  const a = before.split("\n");
  const b = after.split("\n");
  let offset = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      const now = b[i] ?? "";
      const was = a[i] === undefined ? "absent" : `\`${a[i]!.trim()}\``;
      const span = {
        start: { line: i + 1, column: 1, offset },
        end: { line: i + 1, column: now.length + 1, offset: offset + now.length },
      };
      return { note: `line ${i + 1} of the spec was ${was} when the folder was made`, span };
    }
    offset += (b[i] ?? "").length + 1;
  }
  return null;
}
