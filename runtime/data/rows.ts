/**
 * Streaming readers for JSONL, CSV and TSV data files: one record at a time, each with the 1-based line
 * it starts on, so a whole file never has to fit in memory. Bad rows become coded diagnostics naming
 * `file:line`; nothing here throws on bad input.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { diag, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import type { Code } from "../../compiler/diagnostics/codes.ts";

/** The data file formats. */
export type DataFormat = "jsonl" | "csv" | "tsv";

/** One record of a data file: its columns by name, and the line it starts on. */
export interface RawRow {
  readonly line: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** What a reader yields: a record or a problem with one line. */
export type RowEvent = { readonly row: RawRow } | { readonly error: Diagnostic };

/** A diagnostic about one line of a data file. */
export function dataDiag(code: Code, file: string, line: number, message: string, help?: string): Diagnostic {
  const pos = { line, column: 1, offset: 0 };
  return { ...diag(code, { start: pos, end: pos }, message, { help }), file };
}

/** The format from a file's extension, or null when it has none of the known ones. */
export function formatOf(file: string): DataFormat | null {
  const lower = file.toLowerCase();
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".tsv") || lower.endsWith(".tab")) return "tsv";
  return null;
}

async function* lines(file: string): AsyncGenerator<{ text: string; line: number }> {
  const rl = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line += 1;
    yield { text: line === 1 ? text.replace(/^\uFEFF/, "") : text, line };
  }
}

async function* jsonlRows(file: string): AsyncGenerator<RowEvent> {
  for await (const { text, line } of lines(file)) {
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      const why = e instanceof Error ? e.message.replace(/\.$/, "") : "invalid JSON";
      yield { error: dataDiag("ADAPT902", file, line, `this line is not valid JSON: ${why}`) };
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      yield { error: dataDiag("ADAPT902", file, line, "each line must be a JSON object") };
      continue;
    }
    yield { row: { line, fields: value as Record<string, unknown> } };
  }
}

/** Splits one CSV record; returns null while a quoted field is still open (it continues on the next line). */
export function splitCsv(text: string, sep: string): string[] | null {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') ((field += '"'), i++);
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === sep) (out.push(field), (field = ""));
    else field += ch;
  }
  if (quoted) return null;
  out.push(field);
  return out;
}

async function* delimitedRows(file: string, sep: string): AsyncGenerator<RowEvent> {
  let header: string[] | null = null;
  let pending = "";
  let start = 0;
  for await (const { text, line } of lines(file)) {
    if (pending === "") start = line;
    const record = pending === "" ? text : `${pending}\n${text}`;
    const fields = sep === "\t" ? text.split("\t") : splitCsv(record, sep);
    if (fields === null) {
      pending = record;
      continue;
    }
    pending = "";
    if (record.trim() === "") continue;
    if (header === null) {
      header = fields.map((f) => f.trim());
      continue;
    }
    if (fields.length !== header.length) {
      const msg = `this row has ${fields.length} fields but the header has ${header.length}`;
      yield { error: dataDiag("ADAPT902", file, start, msg) };
      continue;
    }
    yield { row: { line: start, fields: Object.fromEntries(header.map((h, i) => [h, fields[i]])) } };
  }
  if (pending !== "") yield { error: dataDiag("ADAPT902", file, start, "a quoted field is never closed") };
}

/** Reads a data file record by record. Empty lines are skipped; CSV fields may be quoted and span lines. */
export function readRows(file: string, format: DataFormat): AsyncGenerator<RowEvent> {
  if (format === "jsonl") return jsonlRows(file);
  return delimitedRows(file, format === "csv" ? "," : "\t");
}
