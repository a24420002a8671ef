import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { formatText } from "../format.ts";
import { parseSpec } from "../../frontend/parse.ts";

const root = new URL("../../../specs/", import.meta.url).pathname;
const specs = [
  ...readdirSync(`${root}examples`).map((f) => `${root}examples/${f}`),
  ...readdirSync(`${root}diagnostics`).map((f) => `${root}diagnostics/${f}`),
].filter((f) => f.endsWith(".adapt"));

/** The AST without spans and comments: what formatting must preserve. */
function shape(text: string): unknown {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(
        Object.entries(v)
          .filter(([k]) => k !== "span" && k !== "positionSpan" && k !== "comments")
          .map(([k, x]) => [k, strip(x)]),
      );
    }
    return v;
  };
  return strip(parseSpec(text).value);
}

const comments = (text: string) => parseSpec(text).value.comments.map((c) => c.text);

describe("adapt fmt", () => {
  for (const file of specs) {
    const text = readFileSync(file, "utf8");
    if (formatText(text).value === null) continue;
    it(`keeps the AST and the comments of ${file.slice(root.length)}, and is idempotent`, () => {
      const once = formatText(text).value!;
      expect(shape(once)).toEqual(shape(text));
      expect(comments(once).sort()).toEqual(comments(text).sort());
      expect(formatText(once).value).toBe(once);
    });
  }

  it("keeps the bundled examples in the canonical layout", () => {
    const dir = new URL("../../../examples/", import.meta.url).pathname;
    const specsOf = (d: string) =>
      readdirSync(`${dir}${d}`)
        .filter((f) => f.endsWith(".adapt"))
        .map((f) => `${dir}${d}/${f}`);
    const files = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .flatMap((e) => specsOf(e.name));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(formatText(readFileSync(f, "utf8")).value, f).toBe(readFileSync(f, "utf8"));
  });

  it("lays out the contract's example as documented", () => {
    const out = formatText(
      'adapter  a=bottleneck( size:8 ,activation:gelu)\nadapter bb = lora(rank: 4)\ninsert a after "x"   # site\napply bb to "y" in layers 0..2,5\nplan{\nepochs 3\nmax_length 64\n}\n',
    ).value;
    expect(out).toBe(
      [
        "adapter a  = bottleneck(size: 8, activation: gelu)",
        "adapter bb = lora(rank: 4)",
        'insert a  after "x" # site',
        'apply  bb to    "y" in layers 0..2, 5',
        "plan {",
        "  epochs     3",
        "  max_length 64",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("lays out use, stack, fuse and named rules", () => {
    const out = formatText('use   "runs/a"   as a\nstack  a ,t\nfuse a,b   as  mix # both\ntrain   mix\n').value;
    expect(out).toBe('use "runs/a" as a\nstack a, t\nfuse a, b as mix # both\ntrain mix\n');
  });

  it("keeps one blank line where there were several, and leading and trailing comments", () => {
    const out = formatText('# top\n\n\n\nmodel "m"\n# end\n').value;
    expect(out).toBe('# top\n\nmodel "m"\n# end\n');
  });

  it("moves a comment inside a multi-line argument list above its statement", () => {
    const out = formatText("adapter a = bottleneck(\n  size: 8, # m\n)\n").value;
    expect(out).toBe("# m\nadapter a = bottleneck(size: 8)\n");
  });

  it("refuses to format a spec with syntax errors", () => {
    const r = formatText('insert a aftr "x"\n');
    expect(r.value).toBeNull();
    expect(r.diagnostics[0]!.code).toBe("ADAPT004");
  });
});
