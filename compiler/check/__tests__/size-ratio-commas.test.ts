/**
 * Two small language fixes: an adapter's size argument may be a reduction factor `d / k` (checked like
 * the `size` statement's, exact division at each site), and an argument list allows one trailing comma
 * but not an empty argument (`,,`).
 */
import { describe, expect, it } from "vitest";
import { codes, compile, encoderManifest } from "../../__tests__/helpers.ts";
import { analyzeText } from "../../frontend/analyze.ts";
import { formatText } from "../../format/format.ts";

const bert = encoderManifest({ layers: 2, d: 48, ff: 96 });

describe("size: d / k in an adapter declaration", () => {
  it("sizes each site as d / k, as `adapters` users write reduction factors", () => {
    const r = compile('adapter p = bottleneck(size: d / 16)\ninsert p after "encoder.layer.*.output.dense"\n', bert);
    expect(r.diagnostics).toEqual([]);
    expect(r.plan!.operations.map((o) => o.size)).toEqual([3, 3]);
    const lora = compile('adapter l = lora(rank: d / 12)\napply l to "encoder.layer.0.attention.self.query"\n', bert);
    expect(lora.plan!.operations[0]!.size).toBe(4);
  });

  it("refuses a divisor that leaves a remainder (ADAPT210), zero (ADAPT203) or another variable (ADAPT206)", () => {
    expect(
      codes(
        compile('adapter p = bottleneck(size: d / 7)\ninsert p after "encoder.layer.*.output.dense"\n', bert)
          .diagnostics,
      ),
    ).toEqual(["ADAPT210"]);
    expect(
      codes(analyzeText('adapter p = bottleneck(size: d / 0)\ninsert p after "x"\n', "s.adapt").diagnostics),
    ).toEqual(["ADAPT203"]);
    expect(
      codes(analyzeText('adapter p = bottleneck(size: n / 4)\ninsert p after "x"\n', "s.adapt").diagnostics),
    ).toEqual(["ADAPT206"]);
  });

  it("is a type error for an argument that is not the size", () => {
    expect(
      codes(analyzeText('adapter p = parallel(scale: d / 4)\ninsert p parallel "x"\n', "s.adapt").diagnostics),
    ).toEqual(["ADAPT112"]);
  });

  it("formats back as written", () => {
    const text = "adapter p = bottleneck(size: d / 16, activation: gelu)\n";
    expect(formatText(text).value).toBe(text);
  });
});

describe("commas in argument lists", () => {
  it("allow one trailing comma", () => {
    expect(
      analyzeText('adapter p = bottleneck(size: 8, activation: relu,)\ninsert p after "x"\n', "s.adapt").diagnostics,
    ).toEqual([]);
  });

  it("refuse an empty argument between commas at the second comma", () => {
    for (const text of [
      "adapter p = bottleneck(size: 16,, activation: relu)\n",
      "adapter p = bottleneck(size: 16,,)\n",
    ]) {
      const ds = analyzeText(text, "s.adapt").diagnostics;
      expect(codes(ds)).toEqual(["ADAPT004"]);
      expect(ds[0]!.span.start.column).toBe(33);
    }
  });
});
