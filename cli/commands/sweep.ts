/**
 * `adapt sweep SPEC [--jobs N | --queue URL] [--backend B] [--model M] [--only GLOB,...]`: runs every
 * point of a sweep spec, each in its own process (or on `adapt worker`s through a queue: `../queue/`), into `OUT/points/<id>/` (what `adapt run` writes), with
 * `OUT/sweep.json` written first, `OUT/results.jsonl` appended per finished point, and the ranked table
 * (`summary.json`, `table.md`) at the end. Every point is compiled and checked before any trains;
 * finished points are never re-run, and a stopped point resumes from its checkpoint.
 */
import { dirname, relative, resolve } from "node:path";
import { hasErrors, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import { renderAll } from "../../compiler/diagnostics/render.ts";
import { compileSweepText, type SweepOutcome } from "../../compiler/sweep/compile-sweep.ts";
import type { SelectRule } from "../../compiler/sweep/summary.ts";
import { sha256 } from "../../compiler/lower/sha256.ts";
import { FILE_START } from "../../compiler/diagnostics/diagnostic.ts";
import { isYamlSpecFile } from "../../compiler/frontend/yaml-spec.ts";
import { choice, parseFlags } from "../args.ts";
import { EXIT, UsageError, type Command, type Io } from "../command.ts";
import { modelFileLoader, usedArtifactLoader, readText } from "../files.ts";
import { runPointChild } from "../sweep/child.ts";
import { compareManifest } from "../sweep/compat.ts";
import {
  alive,
  checkWritable,
  readSweepManifest,
  readResults,
  releaseLock,
  takeLock,
  writeManifest,
  type Manifest,
} from "../sweep/folder.ts";
import { manifestPoint, runSweep } from "../sweep/runner.ts";
import { parseQueueUrl } from "../queue/jobs.ts";
import { runQueuedSweep } from "../queue/submit.ts";

const BACKENDS = ["auto", "tensorflow", "webgpu", "wasm", "cpu"] as const;

/** The `sweep` command. */
export const sweepCommand: Command = {
  name: "sweep",
  summary: "run every point of a sweep spec (resumable, N local processes) and rank them",
  usage:
    "adapt sweep SPEC [--jobs N | --queue redis://HOST:PORT[/DB]] [--backend auto|tensorflow|webgpu|wasm|cpu] [--model M] [--only GLOB,...]",
  run: async (args, io) => {
    const spec = {
      jobs: { type: "string", short: "j" },
      backend: { type: "string" },
      model: { type: "string" },
      only: { type: "string" },
      queue: { type: "string" },
      child: { type: "boolean" },
    } as const;
    if (args.includes("--child")) return runPointChild(io);
    const { flags, positionals } = parseFlags(args, spec, ["SPEC"]);
    const backend = choice(flags["backend"], BACKENDS, "auto", "backend");
    const jobs = jobsFlag(flags["jobs"]);
    const file = resolve(io.cwd, positionals[0]!);
    if (isYamlSpecFile(file))
      throw new UsageError("sweeps are written in `.adapt` files: YAML specs have no alternatives or variants yet");
    const queue = typeof flags["queue"] === "string" ? parseQueueUrl(flags["queue"]) : null;
    if (queue?.problem)
      return (io.stderr(renderAll([queue.problem], new Map(), { color: io.color })), EXIT.inputErrors);
    const text = readText(file, io.cwd, "spec");
    const model = flags["model"] === undefined ? undefined : resolve(io.cwd, flags["model"] as string);
    const only = typeof flags["only"] === "string" ? flags["only"].split(",").filter((g) => g !== "") : undefined;
    const compileOptions = {
      loader: modelFileLoader(dirname(file)),
      artifacts: usedArtifactLoader(dirname(file)),
      modelOverride: model,
      purpose: "run" as const,
    };
    const compiled = await compileSweepText(text, file, { ...compileOptions, only });
    const show = (ds: readonly Diagnostic[]) => io.stderr(renderAll(ds, new Map([[file, text]]), { color: io.color }));
    show(compiled.diagnostics);
    const { expansion, points } = compiled.value;
    if (hasErrors(compiled.diagnostics) || expansion === null || points.length === 0 || expansion.output === null)
      return EXIT.inputErrors;
    const out = resolve(dirname(file), expansion.output);
    const unwritable = checkWritable(out, file, expansion.outputSpan ?? FILE_START);
    if (unwritable) return (show([unwritable]), EXIT.inputErrors);
    const lock = takeLock(out, file);
    if (lock.problem) return (show([lock.problem]), EXIT.inputErrors);
    try {
      await waitFor(lock.previous, io);
      const manifest = prepareManifest(compiled.value, text, file, out, show);
      if (manifest === null) return EXIT.inputErrors;
      const { results, problems } = readResults(out);
      show(problems);
      const how = queue ? `on the queue ${String(flags["queue"])}` : `${jobs} at a time`;
      io.stderr(`sweep: ${manifest.points.length} points in ${out} (${results.length} finished), ${how}\n`);
      const run = {
        file,
        text,
        out,
        backend,
        model,
        jobs,
        io,
        expansion,
        points,
        select: manifest.select,
        compileOptions,
        manifest,
        results,
      };
      return queue?.address ? await runQueuedSweep(run, queue.address, String(flags["queue"])) : await runSweep(run);
    } finally {
      releaseLock(out);
    }
  },
};

function jobsFlag(v: string | boolean | undefined): number {
  if (v === undefined) return 1;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--jobs takes a positive integer, not \`${String(v)}\``);
  return n;
}

/** The points of an earlier sweep that may still be running after it was killed. */
async function waitFor(pids: readonly number[], io: Io): Promise<void> {
  if (pids.length === 0) return;
  io.stderr(
    `waiting for ${pids.length} point process${pids.length === 1 ? "" : "es"} of the previous sweep to save and exit\n`,
  );
  while (pids.some(alive)) await new Promise((r) => setTimeout(r, 200));
}

/** The manifest: a new one, or the folder's, checked against the spec (ADAPT970) and extended. */
function prepareManifest(
  outcome: SweepOutcome,
  text: string,
  file: string,
  out: string,
  show: (ds: readonly Diagnostic[]) => void,
): Manifest | null {
  const points = outcome.points.map(manifestPoint);
  const first = outcome.points[0]!.plan;
  const select: SelectRule = first.plan?.select
    ? { split: first.plan.select.split, metric: first.plan.select.metric, direction: first.plan.select.mode }
    : {
        split: "validation",
        metric: first.plan?.metrics[0] ?? "loss",
        direction: (first.plan?.metrics[0] ?? "loss") === "loss" ? "min" : "max",
      };
  const fresh: Manifest = {
    version: 1,
    spec: relativeSpec(out, file),
    specHash: sha256(text),
    specText: text,
    baseFingerprint: first.model.fingerprint,
    select,
    points,
  };
  const old = readSweepManifest(out);
  if (old.problem) return (show([old.problem]), null);
  if (old.manifest === null) {
    writeManifest(out, fresh);
    return fresh;
  }
  const { results } = readResults(out);
  const all = outcome.expansion!.points.map((p) => p.id);
  const comparable = {
    specText: text,
    baseFingerprint: fresh.baseFingerprint,
    points,
    stage2Seeds: outcome.expansion!.stage2Seeds,
  };
  const kept = old.manifest.points.filter(
    (p) => !points.some((q) => q.id === p.id) && (all.includes(p.id) || p.stage === 2),
  );
  const refused = compareManifest(old.manifest, { ...comparable, allIds: new Set(all) }, results, out, file);
  if (refused) return (show([refused]), null);
  const merged: Manifest = { ...fresh, points: [...points, ...kept] };
  writeManifest(out, merged);
  return merged;
}

function relativeSpec(out: string, file: string): string {
  return relative(out, file);
}
