/**
 * Finds what the cursor is on in a spec's AST: an adapter name (declared or used), an adapter kind, a
 * selector, or the model path. Offsets are the compiler's (0-based, end exclusive); a cursor just after a word is on it.
 */
import type * as A from "../../grammar/ast.ts";

/** What is under the cursor. */
export type Located =
  | { readonly kind: "adapterName"; readonly ident: A.Ident; readonly stmt: A.Statement }
  | { readonly kind: "adapterKind"; readonly ident: A.Ident; readonly decl: A.AdapterDecl }
  | { readonly kind: "selector"; readonly selector: A.Selector; readonly stmt: A.InsertStmt | A.ApplyStmt | A.RuleStmt }
  | { readonly kind: "model"; readonly stmt: A.ModelStmt };

/** True when `offset` is inside `span` or right at its end. */
export function touches(span: A.Span, offset: number): boolean {
  return span.start.offset <= offset && offset <= span.end.offset;
}

/** The statement at `offset`, if any. */
export function statementAt(spec: A.Spec, offset: number): A.Statement | null {
  return spec.statements.find((s) => touches(s.span, offset)) ?? null;
}

/** The named thing at `offset`, if any. */
export function locate(spec: A.Spec, offset: number): Located | null {
  const stmt = statementAt(spec, offset);
  if (stmt === null) return null;
  switch (stmt.kind) {
    case "Model":
      return touches(stmt.path.span, offset) ? { kind: "model", stmt } : null;
    case "AdapterDecl":
      if (touches(stmt.name.span, offset)) return { kind: "adapterName", ident: stmt.name, stmt };
      if (touches(stmt.adapterKind.span, offset)) return { kind: "adapterKind", ident: stmt.adapterKind, decl: stmt };
      return null;
    case "Insert":
    case "Apply":
      if (touches(stmt.adapter.span, offset)) return { kind: "adapterName", ident: stmt.adapter, stmt };
      return touches(stmt.selector.span, offset) ? { kind: "selector", selector: stmt.selector, stmt } : null;
    case "Size":
      return touches(stmt.adapter.span, offset) ? { kind: "adapterName", ident: stmt.adapter, stmt } : null;
    case "Rule":
      return stmt.target.kind === "Selector" && touches(stmt.target.span, offset)
        ? { kind: "selector", selector: stmt.target, stmt }
        : null;
    default:
      return null;
  }
}

/** The declaration of the adapter `name`, if the spec has one. */
export function adapterDeclaration(spec: A.Spec, name: string): A.AdapterDecl | null {
  return spec.statements.find((s): s is A.AdapterDecl => s.kind === "AdapterDecl" && s.name.name === name) ?? null;
}
