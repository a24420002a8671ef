/** A full V8 garbage collection for Node (dawn.node frees bind groups only when V8 collects their wrappers). */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** V8's `gc`, exposed through its flag at first use (or `globalThis.gc` when Node runs with --expose-gc). */
export function v8Collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === "function") return exposed;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}
