/**
 * The generated sections of `specs/LANGUAGE.md`: argument tables, plan keys and the diagnostics (each
 * code with its bad example from `specs/diagnostics/` and the message the compiler gives for it).
 */
import { readFileSync, existsSync } from "node:fs";
import { KINDS, type AnyKind } from "../compiler/kinds/registry.ts";
import {
  DATA_ARGS,
  HEAD_ARGS,
  INIT_KINDS,
  OPTIMIZER_ARGS,
  SCHEDULE_ARGS,
  EARLY_STOPPING_ARGS,
  CHECKPOINT_ARGS,
  type ArgTable,
  type ValueSpec,
} from "../compiler/schema/args.ts";
import { PLAN_KEYS } from "../compiler/schema/plan-keys.ts";
import { ALL_CODES, CODES } from "../compiler/diagnostics/codes.ts";
import { renderText } from "../compiler/diagnostics/render.ts";
import { compileAnyText } from "../compiler/sweep/compile-sweep.ts";
import { dirname } from "node:path";
import { modelFileLoader, usedArtifactLoader } from "../cli/files.ts";
import { reportExampleSection } from "./reference-report.ts";

const ROOT = new URL("../", import.meta.url).pathname;

function typeText(v: ValueSpec): string {
  switch (v.type) {
    case "int":
      return `integer${v.min !== undefined ? ` ≥ ${v.min}` : ""}`;
    case "number":
      return `number${v.min !== undefined ? ` ≥ ${v.min}` : ""}${v.max !== undefined ? ` ≤ ${v.max}` : ""}`;
    case "string":
      return "string";
    case "enum":
      return v.values.map((x) => `\`${x}\``).join(" \\| ");
    case "ctor":
      return Object.keys(v.table)
        .map((x) => `\`${x}\``)
        .join(" \\| ");
  }
}

function defaultText(d: unknown): string {
  if (d === undefined) return "";
  if (typeof d === "object" && d !== null) {
    const { kind, ...rest } = d as Record<string, unknown>;
    const args = Object.entries(rest)
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join(", ");
    return `\`${String(kind)}${args ? `(${args})` : ""}\``;
  }
  return `\`${String(d)}\``;
}

function argTable(title: string, table: ArgTable): string {
  const rows = Object.entries(table).map(
    ([k, a]) =>
      `| \`${k}\` | ${typeText(a.value)} | ${a.required ? "required" : defaultText(a.default) || "none"} | ${a.doc} |`,
  );
  if (rows.length === 0) return `**${title}** takes no arguments.\n`;
  return [`**${title}**`, "", "| key | type | default | meaning |", "|---|---|---|---|", ...rows, ""].join("\n");
}

/** What the registry says of a kind besides its arguments: use, size, parameters, start, merge. */
function kindFacts(k: AnyKind): string {
  const use = k.level === "module" ? `\`insert NAME ${k.positions.join("|")} SELECTOR\`` : "`apply NAME to SELECTOR`";
  const size = k.sizeArg === null ? "no size" : `size argument \`${k.sizeArg}\``;
  return `${k.doc}. Placed with ${use}; ${size}; parameters per site: ${k.formula}${k.mergeable ? "; merges into the base weights" : ""}.\n`;
}

/** The table of adapter kinds (from the registry). */
export function kindsSection(): string {
  const rows = KINDS.map((k) => {
    const use = k.level === "module" ? k.positions.map((p) => `\`insert ... ${p}\``).join(" / ") : "`apply ... to`";
    return `| \`${k.name}\` | ${use} | ${k.doc} | ${k.formula} |`;
  });
  return ["| kind | placed with | what it is | parameters per site |", "|---|---|---|---|", ...rows, ""].join("\n");
}

/** The *Arguments* section. */
export function argumentsSection(): string {
  const parts: string[] = [];
  for (const k of KINDS) parts.push(`${argTable(`adapter \`${k.name}(...)\``, k.args)}\n${kindFacts(k)}\n`);
  for (const [kind, t] of Object.entries(INIT_KINDS)) parts.push(argTable(`init \`${kind}\``, t));
  for (const [kind, t] of Object.entries(HEAD_ARGS)) parts.push(argTable(`head \`${kind}(...)\``, t));
  for (const [kind, t] of Object.entries(OPTIMIZER_ARGS)) parts.push(argTable(`optimizer \`${kind}(...)\``, t));
  for (const [kind, t] of Object.entries(SCHEDULE_ARGS)) parts.push(argTable(`schedule \`${kind}(...)\``, t));
  parts.push(
    argTable("plan `data`", DATA_ARGS),
    argTable("plan `early_stopping`", EARLY_STOPPING_ARGS),
    argTable("plan `checkpoint`", CHECKPOINT_ARGS),
  );
  return parts.join("\n");
}

/** The *Plan keys* section. */
export function planKeysSection(): string {
  const rows = Object.entries(PLAN_KEYS).map(([k, s]) => `| \`${k}\` | ${s.doc} | \`${s.example}\` |`);
  return ["| key | meaning | example |", "|---|---|---|", ...rows, ""].join("\n");
}

/** A fixture's example text without its header and expectation lines. */
function exampleBody(text: string): string {
  return text
    .split("\n")
    .filter((l) => !/^# (Diagnostic ADAPT|purpose:|model:|only:|expect:)/.test(l))
    .join("\n")
    .trim();
}

/** Where codes without a spec fixture are reported, when it is not at run time: a code pattern and the text. */
const REPORTED_BY: readonly (readonly [RegExp, string])[] = [
  [
    /^ADAPT99[0-4]$/,
    "Reported by the browser playground (`web/`) about the backend, the files the user gave it, or its workers.",
  ],
  [
    /^ADAPT938$/,
    "Reported by the language server on a document over 512 KiB or 20,000 lines, at its start: the document is not analysed as you type (`adapt check` reads specs up to 512 KiB).",
  ],
];

/** The *Diagnostics* section: one entry per code, with its fixture rendered through the compiler. */
export async function diagnosticsSection(): Promise<string> {
  const parts: string[] = [];
  for (const code of ALL_CODES) {
    const { title, severity } = CODES[code];
    parts.push(`### ${code}: ${title} (${severity})`, "");
    const path = `${ROOT}specs/diagnostics/${code}.adapt`;
    const reportedBy = REPORTED_BY.find(([pattern]) => pattern.test(code))?.[1];
    if (reportedBy !== undefined) {
      parts.push(reportedBy, "");
      continue;
    }
    const folder = reportExampleSection(code, `${ROOT}specs/diagnostics`);
    if (folder !== null) {
      parts.push(...folder);
      continue;
    }
    if (!existsSync(path)) {
      parts.push(
        "Reported at run time (`adapt run`, `eval`, `verify`, `import`, backend selection) with the file, weight or backend concerned.",
        "",
      );
      continue;
    }
    const text = readFileSync(path, "utf8");
    const purpose = text.includes("# purpose: run") ? "run" : "check";
    const body = `${exampleBody(text)}\n`;
    const only = /^# only: (.*)$/m.exec(text)?.[1]?.split(",");
    const found = await compileAnyText(body, "spec.adapt", {
      purpose,
      loader: modelFileLoader(dirname(path)),
      artifacts: usedArtifactLoader(dirname(path)),
      only,
    });
    const d = found.find((x) => x.code === code);
    parts.push("```adapt", body.trimEnd(), "```", "");
    if (d) parts.push("```text", renderText(d, body), "```", "");
    else parts.push(`(the example above no longer produces ${code}: run the tests)`, "");
  }
  return parts.join("\n");
}

/** `doc` with every generated section replaced by its current content. */
export async function renderReference(doc: string): Promise<string> {
  const sections: Record<string, string> = {
    kinds: kindsSection(),
    arguments: argumentsSection(),
    "plan-keys": planKeysSection(),
    diagnostics: await diagnosticsSection(),
  };
  let out = doc;
  for (const [name, body] of Object.entries(sections)) {
    const re = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    out = out.replace(re, (_m, a: string, b: string) => `${a}${body.trimEnd()}\n${b}`);
  }
  return out;
}
