/**
 * The files of a sweep folder that `adapt report` reads (`sweep.json`, `results.jsonl`, `summary.json`;
 * see the sweep contract in specs/LANGUAGE.md): their TypeScript types, the ajv schemas that check them
 * (only the fields the report uses; fields added later are allowed), and parsers from text to values
 * with coded diagnostics (ADAPT980-982) naming the file and, for JSONL, the line. Pure: no file access.
 */
import { Ajv, type ErrorObject, type JSONSchemaType, type ValidateFunction } from "ajv";
import { diag, FILE_START, type Diagnostic, type StageResult } from "../compiler/diagnostics/diagnostic.ts";
import type { Code } from "../compiler/diagnostics/codes.ts";

/** The plan's `select best by SPLIT.METRIC`. */
export interface SelectRule {
  readonly split: string;
  readonly metric: string;
  readonly direction: "max" | "min";
}

/** One point of the manifest. */
export interface ManifestPoint {
  readonly id: string;
  readonly variant: string;
  readonly series: string;
  readonly config: string;
  readonly seed: number;
}

/** `sweep.json`: written before anything trains. */
export interface SweepManifest {
  readonly version: 1;
  readonly specHash: string;
  readonly select: SelectRule;
  readonly points: ManifestPoint[];
}

/** Parameter counts of a point or configuration; `trainablePercent` is a percentage of `base`. */
export interface ParamCounts {
  readonly base: number;
  readonly trainable: number;
  readonly trainablePercent: number;
}

/** One line of `results.jsonl`: a finished point. */
export interface ResultLine {
  readonly id: string;
  readonly variant: string;
  readonly series: string;
  readonly config: string;
  readonly axes: Record<string, unknown>;
  readonly seed: number;
  readonly params: ParamCounts;
  readonly seconds: number;
  readonly steps: number;
  readonly backend: string;
  readonly dir: string;
}

/** A metric over the seeds of a configuration (sample standard deviation; 0 for one seed). */
export interface Stat {
  readonly mean: number;
  readonly std: number;
  readonly n: number;
}

/** One configuration of `summary.json` (the points that differ only in their seed). */
export interface SummaryConfig {
  readonly config: string;
  readonly variant: string;
  readonly series: string;
  readonly axes: Record<string, unknown>;
  readonly seeds: number[];
  readonly params: ParamCounts;
  readonly validation: Record<string, Stat>;
  readonly test?: Record<string, Stat>;
  readonly rank: number;
  readonly selected: boolean;
  readonly selectedInVariant: boolean;
}

/** `summary.json`: written when the sweep ends. */
export interface SweepSummary {
  readonly select: SelectRule;
  readonly configs: SummaryConfig[];
  readonly selected: string | null;
}

/** A statistic as written: a metric no seed had is `{ "mean": null, "std": 0, "n": 0 }` (NaN in JSON). */
interface RawStat {
  readonly mean: number | null;
  readonly std: number | null;
  readonly n: number;
}

type RawConfig = Omit<SummaryConfig, "validation" | "test"> & {
  validation: Record<string, RawStat>;
  test?: Record<string, RawStat>;
};
type RawSummary = Omit<SweepSummary, "configs"> & { configs: RawConfig[] };

const str = { type: "string", minLength: 1 } as const;
const num = { type: "number" } as const;
const NULL = { type: "null", nullable: true } as const;
const axes = { type: "object", required: [], additionalProperties: true } as const;

const SELECT: JSONSchemaType<SelectRule> = {
  type: "object",
  required: ["split", "metric", "direction"],
  properties: { split: str, metric: str, direction: { type: "string", enum: ["max", "min"] } },
};

const PARAMS: JSONSchemaType<ParamCounts> = {
  type: "object",
  required: ["base", "trainable", "trainablePercent"],
  properties: { base: num, trainable: num, trainablePercent: num },
};

const MANIFEST: JSONSchemaType<SweepManifest> = {
  type: "object",
  required: ["version", "specHash", "select", "points"],
  properties: {
    version: { type: "number", const: 1 },
    specHash: { type: "string" },
    select: SELECT,
    points: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "variant", "series", "config", "seed"],
        properties: { id: str, variant: str, series: str, config: str, seed: num },
      },
    },
  },
};

const RESULT: JSONSchemaType<ResultLine> = {
  type: "object",
  required: ["id", "variant", "series", "config", "axes", "seed", "params", "seconds", "steps", "backend", "dir"],
  properties: {
    id: str,
    variant: str,
    series: str,
    config: str,
    axes,
    seed: num,
    params: PARAMS,
    seconds: num,
    steps: num,
    backend: { type: "string" },
    dir: str,
  },
};

const STAT: JSONSchemaType<RawStat> = {
  type: "object",
  required: ["mean", "std", "n"],
  properties: { mean: { anyOf: [num, NULL] }, std: { anyOf: [num, NULL] }, n: num },
};
const stats = { type: "object", required: [], additionalProperties: STAT } as const;

const SUMMARY: JSONSchemaType<RawSummary> = {
  type: "object",
  required: ["select", "configs", "selected"],
  properties: {
    select: SELECT,
    selected: { anyOf: [str, NULL] },
    configs: {
      type: "array",
      items: {
        type: "object",
        required: [
          "config",
          "variant",
          "series",
          "axes",
          "seeds",
          "params",
          "validation",
          "rank",
          "selected",
          "selectedInVariant",
        ],
        properties: {
          config: str,
          variant: str,
          series: str,
          axes,
          seeds: { type: "array", items: num },
          params: PARAMS,
          validation: stats,
          test: { ...stats, nullable: true },
          rank: num,
          selected: { type: "boolean" },
          selectedInVariant: { type: "boolean" },
        },
      },
    },
  },
};

const ajv = new Ajv({ allErrors: false, strict: false });
const validators = new Map<object, ValidateFunction>();

function validator<T>(schema: JSONSchemaType<T>): ValidateFunction<T> {
  let v = validators.get(schema);
  if (v === undefined) validators.set(schema, (v = ajv.compile(schema)));
  return v as ValidateFunction<T>;
}

/** An ajv error as a short phrase: "`params.trainable` must be number". */
function problem(e: ErrorObject | undefined): string {
  if (e === undefined) return "it does not have the expected shape";
  const at = e.instancePath.replace(/^\//, "").replaceAll("/", ".");
  if (e.keyword === "required") return `\`${at ? `${at}.` : ""}${String(e.params["missingProperty"])}\` is missing`;
  return `\`${at || "(top)"}\` ${e.message ?? "is invalid"}`;
}

/** A diagnostic about a whole file (no caret). */
export function fileDiag(code: Code, file: string, message: string, help?: string): Diagnostic {
  return { ...diag(code, FILE_START, message, { help }), file };
}

/** Columns of a JSONL line to underline: 1-based, `to` exclusive. */
export interface Columns {
  readonly from: number;
  readonly to: number;
}

/** The columns of `"key":` (and its value, when given) in a JSON line; the first column when absent. */
export function columnsOf(text: string, key: string, value?: unknown): Columns {
  const at = text.indexOf(`"${key}":`);
  if (at < 0) return { from: 1, to: 2 };
  return { from: at + 1, to: at + 1 + key.length + 3 + (value === undefined ? 0 : JSON.stringify(value).length) };
}

/** A diagnostic about one line of a JSONL file, underlining `columns` of it. */
export function lineDiag(
  code: Code,
  file: string,
  line: number,
  columns: Columns,
  message: string,
  help?: string,
  severity?: "warning",
): Diagnostic {
  const span = {
    start: { line, column: columns.from, offset: 0 },
    end: { line, column: Math.max(columns.to, columns.from + 1), offset: 0 },
  };
  return { ...diag(code, span, message, { help, severity }), file };
}

/** Where JSON.parse stopped in a line (its reported position, else the line's end). */
function syntaxColumns(e: unknown, text: string): Columns {
  const at = /position (\d+)/.exec(e instanceof Error ? e.message : "");
  const from = at ? Math.min(Number(at[1]), text.length) + 1 : text.length + 1;
  return { from, to: from + 1 };
}

/** Where an ajv error is in a line: the offending key, or the first column for a missing one. */
function errorColumns(e: ErrorObject | undefined, text: string): Columns {
  const key = e?.keyword === "required" ? undefined : e?.instancePath.split("/").at(-1);
  return key ? columnsOf(text, key) : { from: 1, to: 2 };
}

function parseJson<T>(
  text: string,
  file: string,
  code: Code,
  what: string,
  schema: JSONSchemaType<T>,
  help: string,
): StageResult<T | null> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/\.$/, "") : "invalid JSON";
    return { value: null, diagnostics: [fileDiag(code, file, `${what} is not valid JSON: ${why}`, help)] };
  }
  const check = validator(schema);
  if (check(value)) return { value, diagnostics: [] };
  return {
    value: null,
    diagnostics: [fileDiag(code, file, `${what} is malformed: ${problem(check.errors?.[0])}`, help)],
  };
}

const MANIFEST_HELP =
  "`adapt report` reads folders written by `adapt sweep`; give it one, or a folder of them (one per task)";

/** Parses `sweep.json` (ADAPT980 when it is not a version-1 manifest). */
export function parseManifest(text: string, file: string): StageResult<SweepManifest | null> {
  return parseJson(text, file, "ADAPT980", "the sweep manifest", MANIFEST, MANIFEST_HELP);
}

/** Only the statistics that some seed had. */
function known(stats: Record<string, RawStat> | undefined): Record<string, Stat> {
  const entries = Object.entries(stats ?? {}).filter((e) => e[1].n > 0 && e[1].mean !== null);
  return Object.fromEntries(entries.map(([k, v]) => [k, { mean: v.mean!, std: v.std ?? 0, n: v.n }]));
}

/** Parses `summary.json` (ADAPT982 when it is malformed). */
export function parseSummary(text: string, file: string): StageResult<SweepSummary | null> {
  const raw = parseJson(
    text,
    file,
    "ADAPT982",
    "the sweep summary",
    SUMMARY,
    "run `adapt sweep SPEC` again: it resumes, runs nothing finished and rewrites the summary",
  );
  if (raw.value === null) return { value: null, diagnostics: raw.diagnostics };
  const configs = raw.value.configs.map((c) => ({ ...c, validation: known(c.validation), test: known(c.test) }));
  return { value: { ...raw.value, configs }, diagnostics: raw.diagnostics };
}

/** A result with the 1-based line it came from. */
export interface NumberedResult {
  readonly line: number;
  readonly text: string;
  readonly value: ResultLine;
}

const LINE_HELP = "remove the broken line and run `adapt sweep SPEC` again: it runs only the points without a result";

/** The result that replaces a damaged line: a later line of the point whose id the damaged line begins with. */
function rerun(text: string, line: number, results: readonly NumberedResult[]): NumberedResult | undefined {
  const id = /"id":"((?:[^"\\]|\\.)*)("?)/.exec(text);
  if (id === null) return undefined;
  const complete = id[2] === '"';
  return results.find((r) => r.line > line && (complete ? r.value.id === id[1] : r.value.id.startsWith(id[1]!)));
}

/**
 * Parses `results.jsonl`: every well-formed line, and an ADAPT981 error for each other one, or a warning
 * when a later line holds the same point (`adapt sweep` runs a point with a damaged line again and appends).
 */
export function parseResults(text: string, file: string): StageResult<NumberedResult[]> {
  const value: NumberedResult[] = [];
  const bad: { line: number; text: string; columns: Columns; message: string }[] = [];
  const check = validator(RESULT);
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      const why = e instanceof Error ? e.message.replace(/\.$/, "") : "invalid JSON";
      bad.push({ line: i + 1, text: line, columns: syntaxColumns(e, line), message: `is not valid JSON: ${why}` });
      return;
    }
    if (check(parsed)) value.push({ line: i + 1, text: line, value: parsed });
    else
      bad.push({
        line: i + 1,
        text: line,
        columns: errorColumns(check.errors?.[0], line),
        message: `is malformed: ${problem(check.errors?.[0])}`,
      });
  });
  const diagnostics = bad.map((b) => {
    const again = rerun(b.text, b.line, value);
    if (again === undefined)
      return lineDiag("ADAPT981", file, b.line, b.columns, `line ${b.line} of the results ${b.message}`, LINE_HELP);
    return lineDiag(
      "ADAPT981",
      file,
      b.line,
      b.columns,
      `line ${b.line} of the results ${b.message}; its point ran again and line ${again.line} is used`,
      undefined,
      "warning",
    );
  });
  return { value, diagnostics };
}
