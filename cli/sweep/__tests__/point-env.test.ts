/**
 * A sweep point's environment (runner.ts's `pointEnv`): colour off, and the wasm threads split among the
 * points that run at once unless the user chose them.
 */
import { describe, expect, it } from "vitest";
import { pointEnv } from "../runner.ts";

describe("a sweep point's environment", () => {
  it("leaves the wasm threads to the backend when one point runs at a time", () => {
    const env = pointEnv({ PATH: "/bin" }, 1, 8);
    expect(env).toEqual({ PATH: "/bin", NO_COLOR: "1" });
  });

  it("divides the cores among the points that run at once, at least one thread each", () => {
    expect(pointEnv({}, 2, 2)["ADAPT_WASM_THREADS"]).toBe("1");
    expect(pointEnv({}, 2, 8)["ADAPT_WASM_THREADS"]).toBe("4");
    expect(pointEnv({}, 3, 8)["ADAPT_WASM_THREADS"]).toBe("2");
    expect(pointEnv({}, 16, 8)["ADAPT_WASM_THREADS"]).toBe("1");
  });

  it("keeps the user's own thread count", () => {
    expect(pointEnv({ ADAPT_WASM_THREADS: "2" }, 4, 2)["ADAPT_WASM_THREADS"]).toBe("2");
  });
});
