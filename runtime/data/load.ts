/**
 * Loads the plan's data splits: the columns picked per the plan's `data` entry, texts checked, labels
 * mapped to class indices from the training split (a label seen only in validation or test is an
 * error naming file:line), regression targets parsed as numbers.
 */
import { accessSync, constants } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { Diagnostic, StageResult } from "../../compiler/diagnostics/diagnostic.ts";
import type { TrainingPlanIR } from "../../compiler/ir/types.ts";
import { didYouMean } from "../../compiler/diagnostics/suggest.ts";
import { dataDiag, formatOf, readRows, type DataFormat, type RawRow } from "./rows.ts";

/** One example: its text (and second text), and its label as a class index or a regression target. */
export interface Example {
  readonly text: string;
  readonly pair: string | null;
  readonly label: number;
  readonly line: number;
}

/** What the head needs from the data. */
export interface TaskShape {
  readonly kind: "classifier" | "regression";
  /** Number of classes (1 for regression). */
  readonly classes: number;
}

/** The loaded splits with the label names (index to name; empty for regression). */
export interface Datasets {
  readonly train: Example[];
  readonly validation: Example[] | null;
  readonly test: Example[] | null;
  readonly labelNames: string[];
}

/** The column mapping of the plan. */
export type DataColumns = Pick<TrainingPlanIR["data"], "text" | "textPair" | "label" | "format">;

const MAX_ERRORS = 20;

interface RawExample {
  text: string;
  pair: string | null;
  label: string;
  line: number;
}

function pick(row: RawRow, cols: DataColumns, file: string, errors: Diagnostic[]): RawExample | null {
  const get = (name: string): unknown => row.fields[name];
  for (const name of [cols.text, cols.label, ...(cols.textPair ? [cols.textPair] : [])]) {
    if (get(name) === undefined || get(name) === null) {
      const keys = Object.keys(row.fields);
      const hint = didYouMean(name, keys) ?? `its columns are ${keys.map((k) => `\`${k}\``).join(", ")}`;
      errors.push(dataDiag("ADAPT903", file, row.line, `this row has no column \`${name}\``, hint));
      return null;
    }
  }
  const text = String(get(cols.text));
  const pair = cols.textPair ? String(get(cols.textPair)) : null;
  if (text.trim() === "" || (pair !== null && pair.trim() === "")) {
    errors.push(
      dataDiag(
        "ADAPT904",
        file,
        row.line,
        `the text in column \`${text.trim() === "" ? cols.text : cols.textPair}\` is empty`,
      ),
    );
    return null;
  }
  return { text, pair, label: String(get(cols.label)).trim(), line: row.line };
}

/** Reads one file into raw examples, collecting at most a few errors. */
export async function readSplit(file: string, cols: DataColumns): Promise<StageResult<RawExample[]>> {
  const errors: Diagnostic[] = [];
  try {
    accessSync(file, constants.R_OK);
  } catch {
    return { value: [], diagnostics: [dataDiag("ADAPT901", file, 1, "the data file cannot be read")] };
  }
  const format: DataFormat | null = cols.format ?? formatOf(file);
  if (format === null) {
    const msg = "the data format cannot be told from the file name";
    return {
      value: [],
      diagnostics: [dataDiag("ADAPT909", file, 1, msg, "use .jsonl, .csv or .tsv, or set `format` in `data`")],
    };
  }
  const out: RawExample[] = [];
  for await (const event of readRows(file, format)) {
    if ("error" in event) errors.push(event.error);
    else {
      const ex = pick(event.row, cols, file, errors);
      if (ex) out.push(ex);
    }
    if (errors.length >= MAX_ERRORS) break;
  }
  if (out.length === 0 && errors.length === 0)
    errors.push(dataDiag("ADAPT908", file, 1, "the data file has no examples"));
  return { value: out, diagnostics: errors };
}

const isIntLike = (s: string): boolean => /^-?\d+$/.test(s);

/** Builds the label names from the training labels: integers 0..C-1 keep their meaning, others sort. */
export function labelNamesOf(labels: readonly string[], classes: number): string[] {
  const unique = [...new Set(labels)];
  if (unique.every(isIntLike) && unique.every((l) => Number(l) >= 0 && Number(l) < classes)) {
    return Array.from({ length: classes }, (_, i) => String(i));
  }
  return unique.sort();
}

function mapLabels(raw: RawExample[], file: string, task: TaskShape, names: string[], errors: Diagnostic[]): Example[] {
  const index = new Map(names.map((n, i) => [n, i]));
  const out: Example[] = [];
  for (const r of raw) {
    let label: number | undefined;
    if (task.kind === "regression") {
      label = Number(r.label);
      if (r.label === "" || !Number.isFinite(label)) {
        errors.push(dataDiag("ADAPT906", file, r.line, `the label \`${r.label}\` is not a number`));
        continue;
      }
    } else {
      label = index.get(r.label);
      if (label === undefined) {
        const known = names
          .slice(0, 8)
          .map((n) => `\`${n}\``)
          .join(", ");
        errors.push(
          dataDiag(
            "ADAPT905",
            file,
            r.line,
            `the label \`${r.label}\` never occurs in the training data (labels: ${known})`,
          ),
        );
        continue;
      }
    }
    out.push({ text: r.text, pair: r.pair, label, line: r.line });
  }
  return out;
}

/** A path relative to the spec's folder. */
export function specRelative(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** Loads the train, validation and test splits of a plan. `labelNames` fixes the mapping (for eval). */
export async function loadDatasets(
  data: TrainingPlanIR["data"],
  baseDir: string,
  task: TaskShape,
  labelNames?: string[],
): Promise<StageResult<Datasets | null>> {
  const errors: Diagnostic[] = [];
  const trainFile = specRelative(baseDir, data.train);
  const train = await readSplit(trainFile, data);
  errors.push(...train.diagnostics);
  let names = labelNames ?? [];
  if (task.kind === "classifier" && labelNames === undefined) {
    names = labelNamesOf(
      train.value.map((r) => r.label),
      task.classes,
    );
    if (names.length > task.classes) {
      const msg = `the training data has ${names.length} distinct labels but the head has ${task.classes} classes`;
      errors.push(dataDiag("ADAPT907", trainFile, 1, msg));
    }
  }
  const splitOf = async (path: string | null): Promise<Example[] | null> => {
    if (path === null) return null;
    const file = specRelative(baseDir, path);
    const r = await readSplit(file, data);
    errors.push(...r.diagnostics);
    return mapLabels(r.value, file, task, names, errors);
  };
  const trainEx = mapLabels(train.value, trainFile, task, names, errors);
  const validation = await splitOf(data.validation);
  const test = await splitOf(data.test);
  const value = errors.some((e) => e.severity === "error")
    ? null
    : { train: trainEx, validation, test, labelNames: names };
  return { value, diagnostics: errors };
}
