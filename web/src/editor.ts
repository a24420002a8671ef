/** The spec editor: CodeMirror 6 with `.adapt` highlighting and the checker's diagnostics as lint marks. */
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { linter, lintGutter, setDiagnostics, type Diagnostic as LintDiagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";
import { adaptHighlighting } from "./highlight.ts";
import type { EditorMark } from "./protocol.ts";

/** The editor and what the page does with it. */
export interface SpecEditor {
  readonly view: EditorView;
  text(): string;
  setText(text: string): void;
  showMarks(marks: readonly EditorMark[]): void;
}

/** Creates the editor in `parent`; `onChange` gets the text after each edit, `onCursor` the cursor's line. */
export function createEditor(
  parent: HTMLElement,
  onChange: (text: string) => void,
  onCursor: (line: number) => void,
): SpecEditor {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: "",
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        lintGutter(),
        linter(null),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        adaptHighlighting,
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString());
          if (u.docChanged || u.selectionSet) onCursor(u.state.doc.lineAt(u.state.selection.main.head).number);
        }),
        EditorView.contentAttributes.of({ "aria-label": "spec editor" }),
      ],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    showMarks: (marks) => {
      const length = view.state.doc.length;
      const items: LintDiagnostic[] = marks.map((m) => ({
        from: Math.min(m.from, length),
        to: Math.min(m.to, length),
        severity: m.severity === "note" ? "info" : m.severity,
        message: m.message,
      }));
      view.dispatch(setDiagnostics(view.state, items));
    },
  };
}
