import { describe, expect, it } from "vitest";
import { codes, compile, fixtureManifest } from "../../__tests__/helpers.ts";

const bert = fixtureManifest("tiny-bert");
const residual = fixtureManifest("residual");
const mlp = fixtureManifest("mlp");

describe("sites", () => {
  it("`after` and `before` take the output and input feature sizes", () => {
    const r = compile(
      'adapter a = bottleneck(size: 4)\ninsert a after "block.dense1"\ninsert a before "block.dense2"\n',
      residual,
    );
    // The same adapter twice at a site is an error; two sites here: dense1 (after, d 24), dense2 (before, d 24).
    expect(r.diagnostics).toEqual([]);
    expect(r.plan!.operations.map((o) => [o.site, o.position, o.d])).toEqual([
      ["block.dense1", "after", 24],
      ["block.dense2", "before", 24],
    ]);
  });

  it("`before` a layer with several inputs is ADAPT214 saying so", () => {
    const r = compile('adapter a = bottleneck(size: 4)\ninsert a before "block.add"\n', residual);
    expect(codes(r.diagnostics)).toEqual(["ADAPT214"]);
    expect(r.diagnostics[0]!.message).toContain("has 2 inputs");
  });

  it("weight-level adapters need a dense layer (ADAPT213)", () => {
    const r = compile('adapter l = lora(rank: 2)\napply l to "block.LayerNorm"\n', residual);
    expect(codes(r.diagnostics)).toEqual(["ADAPT213"]);
  });

  it("the same adapter twice at one site is ADAPT128", () => {
    const r = compile('adapter a = bottleneck(size: 4)\ninsert a after "fc1"\ninsert a after "fc*"\n', mlp);
    expect(codes(r.diagnostics)).toEqual(["ADAPT128"]);
    expect(r.diagnostics[0]!.message).toBe("`a` is already placed at `fc1` by line 2");
  });

  it("a parallel adapter needs equal input and output sizes (ADAPT217)", () => {
    const ok = compile('adapter p = parallel(size: 4, scale: 2)\ninsert p parallel "fc2"\n', mlp);
    expect(ok.plan!.operations[0]).toMatchObject({
      position: "parallel",
      d: 16,
      config: { scale: 2 },
      params: 2 * 4 * 16 + 16 + 4,
    });
    expect(codes(compile('adapter p = parallel(size: 4)\ninsert p parallel "out"\n', mlp).diagnostics)).toEqual([
      "ADAPT217",
    ]);
  });
});

describe("sizes", () => {
  const spec = (sizes: string) =>
    `adapter a = bottleneck(size: 6)\ninsert a after "encoder.layer.*.output.dense"\n${sizes}`;

  it("later statements override earlier ones where their layers overlap", () => {
    const r = compile(
      spec("size a = 2 in layers 0..5\nsize a = d / 4 in layers 4..11\nsize a = 1 in layers 11\n"),
      bert,
    );
    expect(r.plan!.operations.map((o) => o.size)).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1]);
    const r2 = compile(spec("size a = 3 in layers 0..5\n"), bert);
    expect(r2.plan!.operations.map((o) => o.size)).toEqual([3, 3, 3, 3, 3, 3, 6, 6, 6, 6, 6, 6]);
    expect(r2.diagnostics).toEqual([]);
    const big = compile(spec("size a = 9 in layers 2\n"), bert);
    expect(codes(big.diagnostics)).toEqual(["ADAPT216"]);
    expect(big.diagnostics[0]!.severity).toBe("warning");
  });

  it("`d / k` with a remainder is ADAPT210", () => {
    const r = compile(spec("size a = d / 3\n"), bert);
    expect(codes(r.diagnostics)).toEqual(["ADAPT210"]);
    expect(r.diagnostics[0]!.message).toContain("where d is 8");
  });

  it("lists give one value per layer and must match the layer count (ADAPT211)", () => {
    const r = compile(spec("size a = [1, 2, 3, 4] in layers 8..11\nsize a = 5 in layers 0..7\n"), bert);
    expect(r.plan!.operations.map((o) => o.size)).toEqual([5, 5, 5, 5, 5, 5, 5, 5, 1, 2, 3, 4]);
    expect(codes(compile(spec("size a = [1, 2, 3]\n"), bert).diagnostics)).toEqual(["ADAPT211"]);
  });

  it("the LoRA rank comes from `size` too, and sets the scale alpha / r", () => {
    const r = compile(
      'adapter l = lora(rank: 8, alpha: 16)\napply l to "encoder.layer.0.attention.self.query"\nsize l = 4\n',
      bert,
    );
    expect(r.plan!.operations[0]).toMatchObject({
      kind: "lora",
      position: "weight",
      size: 4,
      config: { kernelShape: [8, 8], scale: 4 },
      params: 4 * (8 + 8),
    });
  });
});

describe("bounded suggestions", () => {
  it("names closest paths for the first 200 failing selectors of a compilation, then stops", () => {
    const lines = Array.from({ length: 201 }, (_, i) => `insert a after "nope${i}"`).join("\n");
    const r = compile(`adapter a = bottleneck(size: 2)\n${lines}\n`, mlp);
    const misses = r.diagnostics.filter((d) => d.code === "ADAPT120");
    expect(misses).toHaveLength(201);
    expect(misses[199]!.notes?.[0]).toMatch(/^the closest paths are/);
    expect(misses[200]!.notes).toBeUndefined();
    const again = compile('adapter a = bottleneck(size: 2)\ninsert a after "fc"\n', mlp);
    expect(again.diagnostics[0]!.notes?.[0]).toMatch(/^the closest paths are `fc1`/);
  });
});
