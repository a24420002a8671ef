/**
 * Test helper: reads highlight.js's HTML back into the scope that covers each character of the source
 * (`hljs-title function_` is `title.function`), so its output can be compared with the TextMate grammar.
 */

/** The highlight.js scope of a span's class attribute. */
function scopeOf(classes: string): string {
  const [first = "", ...rest] = classes.split(" ");
  return [first.replace(/^hljs-/, ""), ...rest.map((c) => c.replace(/_+$/, ""))].join(".");
}

/** For each character of the highlighted text, the innermost highlight.js scope, or null (an entity is one character). */
export function scopesByOffset(html: string): (string | null)[] {
  const out: (string | null)[] = [];
  const stack: string[] = [];
  for (const m of html.matchAll(/<span class="([^"]+)">|<\/span>|&[a-z#0-9]+;|[^<&]/g)) {
    if (m[1] !== undefined) stack.push(scopeOf(m[1]));
    else if (m[0] === "</span>") stack.pop();
    else out.push(stack.at(-1) ?? null);
  }
  return out;
}
