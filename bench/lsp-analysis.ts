/**
 * bench/lsp-analysis: what one keystroke costs the language server on a 2,000-line spec. For a realistic
 * generated spec (`generateModelSpec`: adapters, inserts and applies with glob and regex selectors,
 * sizes, rules, a head and a plan; no errors, so every stage runs) against the tiny BERT fixture and the
 * bundled MiniLM, it times `analyzeDocument` (the server's whole analysis, model cached) on texts that
 * differ by one keystroke, and its stages: lexing, parsing (lex, CST, AST), the model-free checks and the
 * model-aware compile (resolve, lower, trainability). Times are CPU milliseconds of this process
 * (`process.cpuUsage`, so other load on the machine counts less than in wall time), median, minimum and
 * mean of the repetitions; the ratio column divides by lexing alone, measured in the same run, so runs on
 * machines of different speed or load compare. The load average is printed: on a loaded machine the
 * medians rise (garbage collection and shared caches), the minima much less.
 * Run: `npx tsx bench/lsp-analysis.ts` (`--reps N`, default 40). The target of issue 13 is an analysis
 * under 50 ms of CPU on a 2,000-line spec. The VS Code extension starts the server with
 * `--max-semi-space-size=64` (`SERVER_EXEC_ARGV`), which takes about a third off each analysis (fewer
 * young-generation collections); to measure under it, run
 * `node --max-semi-space-size=64 --import tsx bench/lsp-analysis.ts`.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { analyzeDocument } from "../editors/server/analysis.ts";
import { compileSpec, readManifest } from "../compiler/compile.ts";
import { checkSpec } from "../compiler/frontend/check.ts";
import { parseSpec } from "../compiler/frontend/parse.ts";
import { lexSpec } from "../grammar/lexer.ts";
import { generateModelSpec } from "./gen-spec.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const at = process.argv.indexOf("--reps");
const REPS = at > 0 ? Number(process.argv[at + 1]) : 40;
const LINES = 2000;

const MODELS = [
  { name: "tiny BERT (12 blocks)", file: "compiler/__tests__/fixtures/tiny-bert/model.json", blocks: 12 },
  { name: "MiniLM (6 blocks)", file: "examples/sentiment/model/model.json", blocks: 6 },
] as const;

interface Timing {
  readonly median: number;
  readonly min: number;
  readonly mean: number;
}

/** CPU milliseconds of `f(i)` over `REPS` repetitions after a few warm-up runs. */
function cpuTime(f: (i: number) => unknown): Timing {
  for (let i = 0; i < 5; i++) f(i);
  const xs: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = process.cpuUsage();
    f(i);
    const t = process.cpuUsage(t0);
    xs.push((t.user + t.system) / 1000);
  }
  xs.sort((a, b) => a - b);
  return { median: xs[xs.length >> 1]!, min: xs[0]!, mean: xs.reduce((a, b) => a + b, 0) / xs.length };
}

/** The spec with one keystroke: a space typed at the end of the middle line on odd `i`. */
function keystroke(text: string): (i: number) => string {
  const lines = text.split("\n");
  const mid = lines.findIndex((l, k) => k >= lines.length / 2 && l.startsWith("insert"));
  const edited = lines.map((l, k) => (k === mid ? `${l} ` : l)).join("\n");
  return (i) => (i % 2 === 0 ? text : edited);
}

function row(label: string, t: Timing, base: Timing): string {
  const ratio = (t.median / base.median).toFixed(1);
  const cells = [t.median, t.min, t.mean].map((x) => x.toFixed(1).padStart(9)).join("");
  return `${label.padEnd(44)}${cells}${ratio.padStart(8)}`;
}

function benchModel(m: (typeof MODELS)[number]): string[] {
  const modelPath = join(root, m.file);
  const text = generateModelSpec(LINES, m.blocks, modelPath);
  const uri = pathToFileURL(join(root, "bench", "generated.adapt")).href;
  const typed = keystroke(text);
  const first = analyzeDocument(uri, text);
  const errors = first.diagnostics.filter((d) => d.severity === "error").length;
  const spec = parseSpec(text).value;
  const checked = checkSpec(spec).value;
  const manifest = readManifest(readFileSync(modelPath, "utf8"), m.file).value!;
  const opts = { file: "generated.adapt", text, modelPath };
  const lex = cpuTime(() => lexSpec(text));
  const out = [
    `${m.name}: ${text.split("\n").length - 1} lines, ${spec.statements.length} statements, ${first.sites.length} sites, ${errors} errors`,
    `${"".padEnd(44)}${"median".padStart(9)}${"min".padStart(9)}${"mean".padStart(9)}${"/ lex".padStart(8)}`,
    row("lex (baseline)", lex, lex),
    row(
      "parse (lex, CST, AST)",
      cpuTime(() => parseSpec(text)),
      lex,
    ),
    row(
      "check (model-free rules)",
      cpuTime(() => checkSpec(spec)),
      lex,
    ),
    row(
      "compile (resolve, lower, trainability)",
      cpuTime(() => compileSpec(checked, manifest, opts)),
      lex,
    ),
    row(
      "analyzeDocument, same text",
      cpuTime(() => analyzeDocument(uri, text)),
      lex,
    ),
    row(
      "analyzeDocument, one keystroke apart",
      cpuTime((i) => analyzeDocument(uri, typed(i))),
      lex,
    ),
  ];
  return out;
}

const load = loadavg()
  .map((x) => x.toFixed(2))
  .join(", ");
const flags = process.execArgv.filter((a) => a.startsWith("--max")).join(" ") || "none";
const out = [`load average ${load}; CPU ms per call, ${REPS} repetitions; heap flags: ${flags}`];
for (const m of MODELS) out.push("", ...benchModel(m));
process.stdout.write(`${out.join("\n")}\n`);
