import { describe, expect, it } from "vitest";
import { compile, encoderManifest } from "../../__tests__/helpers.ts";
import { frozenCacheEstimate, frozenPrefix, frozenPrefixText } from "../frozen-prefix.ts";

const manifest = encoderManifest({ layers: 6, d: 32, ff: 64 });
const decide = (spec: string) => {
  const { plan, diagnostics } = compile(`${spec}\nhead classifier(classes: 2)\n`, manifest);
  expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return frozenPrefix(plan!);
};

describe("frozenPrefix", () => {
  it("top-2 fine-tuning freezes layers 0-3", () => {
    expect(decide('train "encoder.layer.*.**" in layers 4..5')).toEqual({
      prefix: { layers: 4, total: 6, d: 32 },
      reason: null,
    });
  });

  it("adapters only in the upper layers start the trained part at their lowest layer", () => {
    const d = decide('adapter a = bottleneck(size: 4)\ninsert a after "encoder.layer.*.output.dense" in layers 3..5');
    expect(d.prefix?.layers).toBe(3);
  });

  it("a trained weight below the adapters lowers k", () => {
    const d = decide(
      'adapter a = bottleneck(size: 4)\ninsert a after "encoder.layer.*.output.dense" in layers 4..5\ntrain "encoder.layer.2.output.LayerNorm"',
    );
    expect(d.prefix?.layers).toBe(2);
  });

  it("only the head trains: the whole encoder is the prefix", () => {
    const d = decide("");
    expect(d.prefix).toEqual({ layers: 6, total: 6, d: 32 });
    expect(frozenPrefixText(d, null)).toBe(
      "the whole encoder (layers 0-5) frozen and unchanged: their outputs are cached after epoch 1",
    );
  });

  it("none when layer 0 or the embeddings train", () => {
    expect(decide('train "**.LayerNorm"')).toEqual({
      prefix: null,
      reason: "`embeddings.LayerNorm/gamma` trains in the embeddings",
    });
    expect(decide('train "encoder.layer.*.**" in layers 0')).toEqual({ prefix: null, reason: "layer 0 trains" });
    const houlsby = decide('adapter a = bottleneck(size: 4)\ninsert a after "encoder.layer.*.output.dense" expect 6');
    expect(frozenPrefixText(houlsby, null)).toBe("frozen prefix: none (layer 0 trains); every layer runs every step");
  });

  it("estimates the cache's bound and placement against the memory limit", () => {
    const p = decide('train "encoder.layer.*.**" in layers 4..5').prefix!;
    const small = frozenCacheEstimate(p, 1000, 128, 1 << 30)!;
    expect(small).toMatchObject({
      examples: 1000,
      maxLength: 128,
      d: 32,
      bytes: 1000 * 128 * 32 * 4,
      placement: "memory",
    });
    const disk = frozenCacheEstimate(p, 1000, 128, 1e6)!;
    expect(frozenPrefixText({ prefix: p, reason: null }, disk)).toMatch(
      /= at most 16.4 MB, on disk if over the 1.0 MB memory bound\)$/,
    );
    const off = frozenCacheEstimate(p, 1000, 128, null);
    expect(frozenPrefixText({ prefix: p, reason: null }, off)).toBe(
      "layers 0-3 frozen and unchanged: run in inference mode every step (the cache is off)",
    );
    expect(frozenPrefixText({ prefix: p, reason: null }, small)).toBe(
      "layers 0-3 frozen and unchanged: their outputs are cached after epoch 1 (1,000 examples x at most 128 x 32 floats = at most 16.4 MB, in memory)",
    );
    expect(small.validation).toBeNull();
  });

  it("places the validation split's cache in what the training cache leaves of the memory bound", () => {
    const p = decide('train "encoder.layer.*.**" in layers 4..5').prefix!;
    const perExample = 128 * 32 * 4;
    const at = (bound: number | null): unknown => frozenCacheEstimate(p, 1000, 128, bound, 200)!.validation;
    expect(at(1200 * perExample)).toEqual({ examples: 200, bytes: 200 * perExample, placement: "memory" });
    expect(at(1200 * perExample - 1)).toMatchObject({ placement: "disk" });
    expect(at(999 * perExample)).toMatchObject({ placement: "memory" });
    expect(at(199 * perExample)).toMatchObject({ placement: "disk" });
    expect(at(null)).toMatchObject({ placement: "off" });
    expect(frozenPrefixText({ prefix: p, reason: null }, frozenCacheEstimate(p, 1000, 128, 1 << 30, 200))).toMatch(
      /in memory\), and the validation split's at its first evaluation \(200 examples, at most 3.3 MB, in memory\)$/,
    );
  });
});
