/**
 * The generated editor files: where each lives (relative to the repository root) and its text. The
 * generator script writes them; the staleness tests compare them with what is committed.
 */
import { buildTmLanguage } from "./textmate.ts";
import {
  buildHighlightJs,
  buildHighlightJsCommonJs,
  buildHighlightJsScript,
  HIGHLIGHT_JS_FILES,
  HIGHLIGHT_JS_TYPES,
} from "./highlightjs.ts";
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
    { path: HIGHLIGHT_JS_FILES.esm, text: buildHighlightJs() },
    { path: HIGHLIGHT_JS_FILES.cjs, text: buildHighlightJsCommonJs() },
    { path: HIGHLIGHT_JS_FILES.script, text: buildHighlightJsScript() },
    { path: HIGHLIGHT_JS_FILES.types, text: HIGHLIGHT_JS_TYPES },
  ];
}
