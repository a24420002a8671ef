/**
 * Rule ADAPT983 (results of different sweeps mixed): the three files of a sweep folder must describe one
 * sweep. Every line of `results.jsonl` is a point of `sweep.json` with the same variant, series,
 * configuration and seed, at most once (an identical repeat is tolerated); `summary.json` selects on the
 * manifest's metric and names only configurations of the manifest, each with its results. A folder that
 * fails this holds results of another spec (copied or appended by hand) and is refused, never averaged.
 */
import type { Diagnostic } from "../compiler/diagnostics/diagnostic.ts";
import { suggest } from "../compiler/diagnostics/suggest.ts";
import {
  columnsOf,
  fileDiag,
  lineDiag,
  type ManifestPoint,
  type NumberedResult,
  type SweepManifest,
  type SweepSummary,
} from "./sweep-files.ts";

/** The parsed files of one sweep folder and the names under which diagnostics show them. */
export interface SweepFolder {
  readonly manifest: SweepManifest;
  readonly results: readonly NumberedResult[];
  readonly summary: SweepSummary;
  readonly files: { readonly manifest: string; readonly results: string; readonly summary: string };
}

const HELP = "a sweep folder holds the results of one spec; write each spec's sweep to its own `output` folder";
const FIELDS = ["variant", "series", "config", "seed"] as const;

function checkLine(
  r: NumberedResult,
  point: ManifestPoint | undefined,
  folder: SweepFolder,
  ids: readonly string[],
): Diagnostic | null {
  const { value, line, text } = r;
  const at = (message: string, key: string, v: unknown, help = HELP): Diagnostic =>
    lineDiag("ADAPT983", folder.files.results, line, columnsOf(text, key, v), message, help);
  if (point === undefined) {
    const near = suggest(value.id, ids);
    return at(
      `point \`${value.id}\` on line ${line} of the results is not in the sweep's manifest`,
      "id",
      value.id,
      near ? `did you mean \`${near}\`? ${HELP}` : HELP,
    );
  }
  const field = FIELDS.find((f) => point[f] !== value[f]);
  if (field === undefined) return null;
  return at(
    `point \`${value.id}\` has ${field} \`${String(value[field])}\` on line ${line} of the results but \`${String(point[field])}\` in the manifest`,
    field,
    value[field],
  );
}

/** All ADAPT983 problems of one sweep folder. */
export function checkConsistency(folder: SweepFolder): Diagnostic[] {
  const out: Diagnostic[] = [];
  const points = new Map(folder.manifest.points.map((p) => [p.id, p]));
  const ids = [...points.keys()];
  const seen = new Map<string, NumberedResult>();
  for (const r of folder.results) {
    const problem = checkLine(r, points.get(r.value.id), folder, ids);
    if (problem !== null) out.push(problem);
    const before = seen.get(r.value.id);
    if (before !== undefined && before.text !== r.text) {
      out.push(
        lineDiag(
          "ADAPT983",
          folder.files.results,
          r.line,
          columnsOf(r.text, "id", r.value.id),
          `point \`${r.value.id}\` has two different results, on lines ${before.line} and ${r.line}`,
          HELP,
        ),
      );
    }
    if (before === undefined) seen.set(r.value.id, r);
  }
  const { select, configs } = folder.summary;
  const m = folder.manifest.select;
  if (select.split !== m.split || select.metric !== m.metric || select.direction !== m.direction) {
    out.push(
      fileDiag(
        "ADAPT983",
        folder.files.summary,
        `the summary selects by ${select.split}.${select.metric} (${select.direction}) but the manifest by ${m.split}.${m.metric} (${m.direction})`,
        HELP,
      ),
    );
  }
  const known = new Set(folder.manifest.points.map((p) => p.config));
  const withResults = new Set(folder.results.map((r) => r.value.config));
  for (const c of configs) {
    if (!known.has(c.config))
      out.push(
        fileDiag(
          "ADAPT983",
          folder.files.summary,
          `the summary names configuration \`${c.config}\`, which is not in the manifest`,
          HELP,
        ),
      );
    else if (!withResults.has(c.config))
      out.push(
        fileDiag(
          "ADAPT983",
          folder.files.summary,
          `the summary names configuration \`${c.config}\`, which has no line in the results`,
          HELP,
        ),
      );
  }
  return out;
}
