/**
 * Specs written as YAML (`*.adapt.yaml`, `*.yaml`, `*.yml`): each YAML entry is turned into the
 * `.adapt` statement it stands for, the generated text goes through the same parser and checks, and
 * every span is mapped back to the YAML node it came from. The form is documented in
 * `specs/YAML-SPECS.md`:
 *
 * ```yaml
 * model: models/tiny-bert/model.json
 * adapters:
 *   houlsby: { kind: bottleneck, size: 64, activation: gelu, init: { kind: near_identity, std: 0.01 } }
 * insert:
 *   - { adapter: houlsby, after: "encoder.layer.*.output.dense", expect: 12 }
 * apply:
 *   - { adapter: lora8, to: "encoder.layer.*.attention.self.{query,value}", layers: "6..11" }
 * size:
 *   - { adapter: houlsby, value: "d / 12", layers: "4..11" }
 * rules:
 *   - train: "**.LayerNorm"
 *   - { freeze: "encoder.layer.0.**" }
 * head: { kind: classifier, classes: 2 }
 * plan: { epochs: 3, optimizer: { kind: adam, lr: 3e-4 }, select: best by validation.accuracy }
 * ```
 */
import { isMap, isScalar, LineCounter, parseDocument, type Node as YNode, type Pair, type YAMLMap } from "yaml";
import type { Span } from "../../grammar/ast.ts";
import { diag, sortDiagnostics, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import type { Analysis } from "./analyze.ts";
import { checkSpec, type CheckOptions } from "./check.ts";
import { parseSpec } from "./parse.ts";
import { Emitter } from "./yaml-emit.ts";
import { remapDiagnostics, remapSpans } from "./yaml-remap.ts";
import { emitStatements, TOP_KEYS } from "./yaml-statements.ts";

/** True for file names read as YAML specs. */
export function isYamlSpecFile(file: string): boolean {
  return /\.(ya?ml)$/i.test(file);
}

/** Translates a YAML spec to `.adapt` text plus the span map; diagnostics are in YAML coordinates. */
export function yamlToAdapt(text: string): StageResult<Emitter> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const em = new Emitter(text, lines);
  const errors = [...doc.errors, ...doc.warnings];
  if (errors.length > 0) {
    const ds = errors.map((e) =>
      diag("ADAPT004", em.span(e.pos[0], e.pos[1]), `invalid YAML: ${e.message.split("\n")[0]!.replace(/\.$/, "")}`),
    );
    return { value: em, diagnostics: ds };
  }
  const root = doc.contents;
  if (root === null) return { value: em, diagnostics: [] };
  if (!isMap(root))
    return {
      value: em,
      diagnostics: [
        diag(
          "ADAPT004",
          em.nodeSpan(root as YNode),
          "a YAML spec is a mapping with keys such as `model`, `adapters` and `insert`",
        ),
      ],
    };
  for (const pair of (root as YAMLMap).items as Pair[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (!TOP_KEYS.includes(key)) {
      em.error("ADAPT003", pair.key as YNode, `unknown YAML spec key \`${key}\``, didYouMean(key, TOP_KEYS));
      continue;
    }
    emitStatements(em, key, pair.value as YNode | null, pair.key as YNode);
  }
  return { value: em, diagnostics: em.diagnostics };
}

/** Parses and checks a YAML spec like `analyzeText` does for `.adapt` text. */
export function analyzeYamlText(text: string, file: string, opts: CheckOptions = {}): StageResult<Analysis> {
  const tag = (ds: readonly Diagnostic[]) => sortDiagnostics(ds.map((d) => ({ ...d, file })));
  const translated = yamlToAdapt(text);
  const em = translated.value;
  const parsed = parseSpec(em.text());
  const spec = remapSpans(parsed.value, em);
  const early = [...translated.diagnostics, ...remapDiagnostics(parsed.diagnostics, em)];
  if (early.some((d) => d.severity === "error")) return { value: { spec, checked: null }, diagnostics: tag(early) };
  const checked = checkSpec(spec, opts);
  return { value: { spec, checked: checked.value }, diagnostics: tag([...early, ...checked.diagnostics]) };
}

/** The generated `.adapt` text of a YAML spec (for `adapt fmt`-style conversion and debugging). */
export function yamlSpecToAdaptText(text: string): StageResult<string> {
  const r = yamlToAdapt(text);
  return { value: r.value.text(), diagnostics: r.diagnostics };
}

/** A span type re-export for the helpers. */
export type { Span };
