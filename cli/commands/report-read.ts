/**
 * The file side of `adapt report`: finds the sweep folders under DIR (DIR itself, or its subfolders
 * holding a `sweep.json`, one per task) and reads `sweep.json`, `results.jsonl`, `summary.json` and the
 * selected runs' `log.jsonl`. The parsing and checking are `report/`'s; this only reads, and turns
 * missing files into coded diagnostics (ADAPT980-982).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join, relative, resolve, sep } from "node:path";
import { hasErrors, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { checkConsistency, type SweepFolder } from "../../report/consistency.ts";
import type { ReportTask, TaskSection } from "../../report/model.ts";
import { fileDiag, parseManifest, parseResults, parseSummary } from "../../report/sweep-files.ts";
import { parseTrainingLog, type TrainingCurves } from "../../report/training-log.ts";
import { UsageError } from "../command.ts";
import { reason } from "../files.ts";

/** What was read: the tasks, every problem, and the text of each file that a diagnostic points into. */
export interface ReadSweeps {
  readonly tasks: ReportTask[];
  readonly diagnostics: Diagnostic[];
  readonly sources: Map<string, string>;
  /** Each task's folder, by task name. */
  readonly dirs: Map<string, string>;
}

/** A task: its name and folder. */
interface TaskDir {
  readonly name: string;
  readonly dir: string;
}

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** The sweep folders of DIR: itself when it has a `sweep.json`, else its subfolders that have one, by name. */
function findTasks(dir: string, shown: string): TaskDir[] | Diagnostic {
  if (!isDir(dir))
    throw new UsageError(
      `cannot read folder \`${shown}\`: ${existsSync(dir) ? "it is not a folder" : "no such file or folder"}`,
    );
  if (existsSync(join(dir, "sweep.json"))) return [{ name: basename(dir), dir }];
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (e) {
    throw new UsageError(`cannot read folder \`${shown}\`: ${reason(e)}`);
  }
  const tasks = names
    .filter((n) => isDir(join(dir, n)) && existsSync(join(dir, n, "sweep.json")))
    .map((n) => ({ name: n, dir: join(dir, n) }));
  if (tasks.length > 0) return tasks;
  return fileDiag(
    "ADAPT980",
    shown,
    `\`${shown}\` has no sweep.json, and neither has any folder in it`,
    "give `adapt report` the `output` folder of a sweep (`adapt sweep SPEC` writes it), or a folder of such folders, one per task",
  );
}

/** Reads DIR's sweeps. File paths in diagnostics are relative to `cwd`. */
export function readSweeps(dirArg: string, cwd: string): ReadSweeps {
  const dir = resolve(cwd, dirArg);
  const found = findTasks(dir, dirArg);
  const out: ReadSweeps = { tasks: [], diagnostics: [], sources: new Map(), dirs: new Map() };
  if (!Array.isArray(found)) {
    out.diagnostics.push(found);
    return out;
  }
  for (const t of found) {
    const folder = readFolder(t.dir, cwd, out);
    out.dirs.set(t.name, t.dir);
    if (folder !== null) out.tasks.push({ name: t.name, folder });
  }
  return out;
}

function readFolder(dir: string, cwd: string, out: ReadSweeps): SweepFolder | null {
  const files = {
    manifest: relative(cwd, join(dir, "sweep.json")),
    results: relative(cwd, join(dir, "results.jsonl")),
    summary: relative(cwd, join(dir, "summary.json")),
  };
  const read = (file: string): string | Error => {
    try {
      return readFileSync(resolve(cwd, file), "utf8");
    } catch (e) {
      return new Error(reason(e));
    }
  };
  const texts = { manifest: read(files.manifest), results: read(files.results), summary: read(files.summary) };
  if (texts.manifest instanceof Error)
    out.diagnostics.push(
      fileDiag("ADAPT980", files.manifest, `the sweep manifest cannot be read: ${texts.manifest.message}`),
    );
  if (texts.results instanceof Error)
    out.diagnostics.push(
      fileDiag(
        "ADAPT981",
        files.results,
        `the sweep's results cannot be read: ${texts.results.message}`,
        "a sweep writes results.jsonl as its first point finishes; run `adapt sweep SPEC`",
      ),
    );
  if (texts.summary instanceof Error) {
    out.diagnostics.push(
      fileDiag(
        "ADAPT982",
        files.summary,
        `the sweep has no summary: ${texts.summary.message}`,
        "the sweep has not finished: run `adapt sweep SPEC` again, it resumes where it stopped and writes the summary at the end",
      ),
    );
  }
  if (texts.manifest instanceof Error || texts.results instanceof Error || texts.summary instanceof Error) return null;
  out.sources.set(files.results, texts.results);
  const manifest = parseManifest(texts.manifest, files.manifest);
  const results = parseResults(texts.results, files.results);
  const summary = parseSummary(texts.summary, files.summary);
  out.diagnostics.push(...manifest.diagnostics, ...results.diagnostics, ...summary.diagnostics);
  if (manifest.value === null || summary.value === null || hasErrors(results.diagnostics)) return null;
  const folder = { manifest: manifest.value, results: results.value, summary: summary.value, files };
  const mixed = checkConsistency(folder);
  out.diagnostics.push(...mixed);
  return mixed.length > 0 ? null : folder;
}

/**
 * The training logs of a task's selected runs, by point id. A log that cannot be read, or a point folder
 * outside the sweep folder, is left out with an ADAPT981 warning.
 */
export function readLogs(
  task: TaskSection,
  dir: string,
  cwd: string,
  out: { diagnostics: Diagnostic[]; sources: Map<string, string> },
): Map<string, TrainingCurves> {
  const logs = new Map<string, TrainingCurves>();
  const root = resolve(dir);
  for (const run of task.rows.flatMap((r) => r.runs)) {
    const path = resolve(root, run.dir, "log.jsonl");
    const shown = relative(cwd, path);
    if (!path.startsWith(root + sep)) {
      out.diagnostics.push({
        ...fileDiag(
          "ADAPT981",
          relative(cwd, join(root, "results.jsonl")),
          `point \`${run.id}\` has its folder \`${run.dir}\` outside the sweep folder; its curves are left out`,
        ),
        severity: "warning",
      });
      continue;
    }
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      out.diagnostics.push({
        ...fileDiag(
          "ADAPT981",
          shown,
          `the training log of point \`${run.id}\` cannot be read: ${reason(e)}; its curves are left out`,
        ),
        severity: "warning",
      });
      continue;
    }
    const parsed = parseTrainingLog(text, shown);
    if (parsed.diagnostics.length > 0) out.sources.set(shown, text);
    out.diagnostics.push(...parsed.diagnostics);
    logs.set(run.id, parsed.value);
  }
  return logs;
}
