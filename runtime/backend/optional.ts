/**
 * Dynamic import of optional packages, telling "not installed" apart from "installed but failed to load".
 */

/** The outcome of importing an optional package. */
export type Optional<T> =
  | { readonly ok: true; readonly module: T }
  | { readonly ok: false; readonly missing: boolean; readonly reason: string };

/**
 * Imports `name` (through `load` when given: a literal `import("pkg")` that bundlers can see); never
 * throws. `missing` is true when the package itself is not installed.
 */
export async function importOptional<T>(name: string, load?: () => Promise<unknown>): Promise<Optional<T>> {
  try {
    return { ok: true, module: (await (load ?? (() => import(name)))()) as T };
  } catch (e) {
    const err = e as { code?: string; message?: string };
    const message = firstLine(err.message ?? String(e));
    const missing =
      (err.code === "ERR_MODULE_NOT_FOUND" || err.code === "MODULE_NOT_FOUND") && message.includes(`'${name}'`);
    return { ok: false, missing, reason: missing ? `the \`${name}\` package is not installed` : message };
  }
}

/** The first line of an error message, without a final period. */
export function firstLine(message: string): string {
  const line = (message.split("\n")[0] ?? "").trim();
  return line.endsWith(".") ? line.slice(0, -1) : line;
}
