/**
 * Streaming readers for JSONL, CSV and TSV data files: one record at a time, each with the 1-based line
 * it starts on, so a whole file never has to fit in memory. Bad rows become coded diagnostics naming
 * `file:line`; nothing here throws on bad input.
 */
import { diag, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";
import type { Code } from "../../compiler/diagnostics/codes.ts";
import { files } from "../io/files.ts";
import { bytesText, READ_LIMITS } from "../io/read-policy.ts";

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

/** One line of a file, or a line longer than the cap (its text dropped). */
type Line =
  | { readonly text: string; readonly line: number; readonly tooLong?: false }
  | { readonly line: number; readonly tooLong: true };

/**
 * The lines of a file, streamed: `\n` or `\r\n` ends a line, a leading byte order mark is dropped, and a
 * line longer than `maxChars` is reported (`tooLong`) and skipped instead of being held in memory.
 */
export async function* lines(file: string, maxChars: number = READ_LIMITS.dataLine): AsyncGenerator<Line> {
  let pending = "";
  let skipping = false;
  let line = 0;
  const emit = (text: string): Line => {
    line += 1;
    const t = text.endsWith("\r") ? text.slice(0, -1) : text;
    return { text: line === 1 ? t.replace(/^\uFEFF/, "") : t, line };
  };
  for await (const chunk of files().chunks(file)) {
    let from = 0;
    for (let nl = chunk.indexOf("\n"); nl >= 0; nl = chunk.indexOf("\n", from)) {
      if (skipping) ((skipping = false), (line += 1));
      else yield emit(pending + chunk.slice(from, nl));
      pending = "";
      from = nl + 1;
    }
    if (skipping) continue;
    pending += chunk.slice(from);
    if (pending.length > maxChars) {
      pending = "";
      skipping = true;
      yield { line: line + 1, tooLong: true };
    }
  }
  if (skipping) line += 1;
  else if (pending !== "") yield emit(pending);
}

function tooLong(file: string, line: number): RowEvent {
  return { error: dataDiag("ADAPT902", file, line, `this line is longer than ${bytesText(READ_LIMITS.dataLine)}`) };
}

async function* jsonlRows(file: string): AsyncGenerator<RowEvent> {
  for await (const l of lines(file)) {
    if (l.tooLong) {
      yield tooLong(file, l.line);
      continue;
    }
    const { text, line } = l;
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

/** A CSV record being read, line by line: the fields so far, the open field, and whether it is quoted. */
interface CsvState {
  out: string[];
  field: string;
  quoted: boolean;
}

/** Reads one more line into `st`; true when the record is complete (no quoted field left open). */
function feedCsv(st: CsvState, text: string, sep: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (st.quoted) {
      if (ch === '"' && text[i + 1] === '"') ((st.field += '"'), i++);
      else if (ch === '"') st.quoted = false;
      else st.field += ch;
    } else if (ch === '"' && st.field === "") st.quoted = true;
    else if (ch === sep) (st.out.push(st.field), (st.field = ""));
    else st.field += ch;
  }
  if (st.quoted) {
    st.field += "\n";
    return false;
  }
  st.out.push(st.field);
  return true;
}

/** Splits one CSV record; returns null while a quoted field is still open (it continues on the next line). */
export function splitCsv(text: string, sep: string): string[] | null {
  const st: CsvState = { out: [], field: "", quoted: false };
  return feedCsv(st, text, sep) ? st.out : null;
}

async function* delimitedRows(file: string, sep: string): AsyncGenerator<RowEvent> {
  let header: string[] | null = null;
  let st: CsvState | null = null;
  let chars = 0;
  let start = 0;
  for await (const l of lines(file)) {
    if (l.tooLong) {
      yield tooLong(file, l.line);
      st = null;
      continue;
    }
    const { text, line } = l;
    if (st === null) ((start = line), (chars = 0), (st = { out: [], field: "", quoted: false }));
    chars += text.length + 1;
    if (sep === "\t") st.out = text.split("\t");
    const done = sep === "\t" || feedCsv(st, text, sep);
    if (!done && chars > READ_LIMITS.dataLine) {
      yield {
        error: dataDiag(
          "ADAPT902",
          file,
          start,
          `a quoted field is still open after ${bytesText(READ_LIMITS.dataLine)}`,
        ),
      };
      st = null;
      continue;
    }
    if (!done) continue;
    const fields = st.out;
    st = null;
    if (line === start && text.trim() === "") continue;
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
  if (st !== null) yield { error: dataDiag("ADAPT902", file, start, "a quoted field is never closed") };
}

/** Reads a data file record by record. Empty lines are skipped; CSV fields may be quoted and span lines. */
export function readRows(file: string, format: DataFormat): AsyncGenerator<RowEvent> {
  if (format === "jsonl") return jsonlRows(file);
  return delimitedRows(file, format === "csv" ? "," : "\t");
}
