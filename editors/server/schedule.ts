/**
 * When the language server analyses a document: changes are coalesced (one analysis after typing pauses
 * for {@link DEBOUNCE_MS}, not one per keystroke), requests analyse at once only what is stale, and a
 * document beyond {@link MAX_LIVE_CHARS} characters or {@link MAX_LIVE_LINES} lines is not analysed live
 * at all (one warning says to run `adapt check`), so every request is answered within a bound: the
 * analysis is linear in the text, and at these limits the slowest hostile documents measured (20,000 bad
 * statements, 512 KiB of one-character tokens or stray characters) take under a second of CPU, a dense
 * valid spec about half that (a 2,000-line one about 40 ms; `bench/lsp-analysis.ts`).
 */
import { diag, FILE_START, type Diagnostic } from "../../compiler/diagnostics/diagnostic.ts";

/** Quiet time after the last change before a document is analysed. */
export const DEBOUNCE_MS = 150;
/** The largest document analysed as you type, in characters. */
export const MAX_LIVE_CHARS = 512 * 1024;
/** The largest document analysed as you type, in lines. */
export const MAX_LIVE_LINES = 20_000;

/** Why a document is too large to analyse live, as a warning, or null when it is not. */
export function tooLargeForLive(text: string, file: string): Diagnostic | null {
  let lines = 1;
  for (let i = text.indexOf("\n"); i >= 0 && lines <= MAX_LIVE_LINES; i = text.indexOf("\n", i + 1)) lines++;
  if (text.length <= MAX_LIVE_CHARS && lines <= MAX_LIVE_LINES) return null;
  const what =
    text.length > MAX_LIVE_CHARS
      ? `${text.length} characters (the limit is ${MAX_LIVE_CHARS})`
      : `more than ${MAX_LIVE_LINES} lines`;
  const d = diag("ADAPT938", FILE_START, `this spec has ${what}, too large to analyse as you type`, {
    help: "run `adapt check` on it",
    severity: "warning",
  });
  return { ...d, file };
}

/** Runs one callback per document after its changes pause; flushes on demand. */
export class Debouncer {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly run: (uri: string) => void,
    private readonly delayMs: number = DEBOUNCE_MS,
  ) {}

  /** A document changed: (re)start its quiet-time timer. */
  changed(uri: string): void {
    this.cancel(uri);
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        this.run(uri);
      }, this.delayMs),
    );
  }

  /** True when a change of the document waits for its analysis. */
  pending(uri: string): boolean {
    return this.timers.has(uri);
  }

  /** Drops a document's pending analysis (it was closed, or analysed on demand). */
  cancel(uri: string): void {
    const t = this.timers.get(uri);
    if (t !== undefined) clearTimeout(t);
    this.timers.delete(uri);
  }
}
