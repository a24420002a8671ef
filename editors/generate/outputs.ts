/**
 * The generated editor files: where each lives (relative to the repository root) and its text. The
 * generator script writes them; the staleness tests compare them with what is committed.
 */
import { buildTmLanguage } from "./textmate.ts";
import { buildHighlightJs, HIGHLIGHT_JS_TYPES } from "./highlightjs.ts";
import { buildMarkdownInjection } from "./markdown.ts";

/** One generated file. */
export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
}

/** Every generated editor file with its current text. */
export function generatedFiles(): GeneratedFile[] {
  return [
    { path: "editors/vscode/syntaxes/adapt.tmLanguage.json", text: `${JSON.stringify(buildTmLanguage(), null, 2)}\n` },
    {
      path: "editors/vscode/syntaxes/adapt.markdown.tmLanguage.json",
      text: `${JSON.stringify(buildMarkdownInjection(), null, 2)}\n`,
    },
    { path: "editors/web/adapt.hljs.js", text: buildHighlightJs() },
    { path: "editors/web/adapt.hljs.d.ts", text: HIGHLIGHT_JS_TYPES },
  ];
}
