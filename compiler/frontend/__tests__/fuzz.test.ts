/**
 * Property-based tests: thousands of random and mutated specs go through the parser, the checks and
 * the formatter; no exception may escape, every diagnostic has a valid span, and formatting a spec
 * that parses keeps its AST and is idempotent. 20,000+ cases in all.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { analyzeText } from "../analyze.ts";
import { formatText } from "../../format/format.ts";
import { parseSpec } from "../parse.ts";
import { KEYWORDS } from "../../../grammar/tokens.ts";
import { ADAPTER_KINDS } from "../../kinds/registry.ts";
import type { Diagnostic } from "../../diagnostics/diagnostic.ts";

const root = new URL("../../../specs/", import.meta.url).pathname;
const corpus = [
  ...readdirSync(`${root}examples`).map((f) => readFileSync(`${root}examples/${f}`, "utf8")),
  ...readdirSync(`${root}diagnostics`)
    .filter((f) => statSync(`${root}diagnostics/${f}`).isFile())
    .map((f) => readFileSync(`${root}diagnostics/${f}`, "utf8")),
];

const FRAGMENTS = [
  ...KEYWORDS,
  ...ADAPTER_KINDS,
  "d",
  "best",
  "by",
  "h",
  "x_1",
  "classifier",
  "near_identity",
  "size:",
  "rank:",
  "(",
  ")",
  "[",
  "]",
  "{",
  "}",
  ",",
  ":",
  "=",
  "/",
  "..",
  ".",
  "-",
  "\n",
  "\n",
  " ",
  "  ",
  "\t",
  "\r\n",
  '"encoder.layer.*.output.dense"',
  '"a\\"b"',
  '"unterminated',
  "/re.*/",
  "/(/",
  "#c",
  "# comment\n",
  "0",
  "7",
  "0..3",
  "3e-4",
  "1.5",
  "1e",
  "00",
  "é",
  "\u0000",
  "\\",
  "@",
  "$",
  "'",
  "`",
  "\uFFFF",
  "😀",
];

const fragmentSpec = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((xs) => xs.join(" "));
const anyText = fc.string({ unit: "binary", maxLength: 80 });

const mutated = fc
  .tuple(
    fc.constantFrom(...corpus),
    fc.nat(),
    fc.nat({ max: 30 }),
    fc.constantFrom(...FRAGMENTS),
    fc.constantFrom("delete", "insert", "replace", "dupline", "truncate"),
  )
  .map(([text, at, len, frag, op]) => {
    const i = at % (text.length + 1);
    if (op === "delete") return text.slice(0, i) + text.slice(i + len);
    if (op === "insert") return text.slice(0, i) + frag + text.slice(i);
    if (op === "replace") return text.slice(0, i) + frag + text.slice(i + len);
    if (op === "truncate") return text.slice(0, i);
    const lines = text.split("\n");
    const k = at % lines.length;
    return [...lines.slice(0, k + 1), lines[k], ...lines.slice(k + 1)].join("\n");
  });

function spanIsValid(d: Diagnostic, text: string): boolean {
  const lines = text.split("\n").length;
  const { start, end } = d.span;
  return (
    start.line >= 1 &&
    start.line <= lines &&
    start.column >= 1 &&
    end.line >= start.line &&
    (end.line > start.line || end.column >= start.column) &&
    start.offset >= 0 &&
    end.offset <= text.length + 1 &&
    end.offset >= start.offset &&
    d.message.length > 0 &&
    !d.message.includes("\n")
  );
}

function shape(text: string): unknown {
  return JSON.stringify(parseSpec(text).value.statements, (k, v) =>
    k === "span" || k === "positionSpan" ? undefined : v,
  );
}

function holds(text: string): boolean {
  for (const purpose of ["check", "run"] as const) {
    const r = analyzeText(text, "fuzz.adapt", { purpose });
    if (!r.diagnostics.every((d) => spanIsValid(d, text))) return false;
  }
  const f = formatText(text);
  if (f.value !== null) {
    expect(shape(f.value)).toBe(shape(text));
    expect(formatText(f.value).value).toBe(f.value);
  }
  return true;
}

describe("fuzzing the front end", () => {
  it("survives 8,000 specs made of language fragments", () => {
    fc.assert(fc.property(fragmentSpec, holds), { numRuns: 8000, seed: 20261129 });
  });

  it("survives 6,000 arbitrary strings", () => {
    fc.assert(fc.property(anyText, holds), { numRuns: 6000, seed: 7 });
  });

  it("survives 6,000 mutations of real specs", () => {
    fc.assert(fc.property(mutated, holds), { numRuns: 6000, seed: 42 });
  });
});
