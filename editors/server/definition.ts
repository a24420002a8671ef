/**
 * Go to definition: from an adapter name in `insert`, `apply` or `size` (or the declaration itself) to
 * the name in its `adapter NAME = ...` declaration.
 */
import type * as A from "../../grammar/ast.ts";
import { adapterDeclaration, locate } from "./locate.ts";

/** The span of the declaration of the adapter at `offset`, or null. */
export function definitionSpan(spec: A.Spec, offset: number): A.Span | null {
  const at = locate(spec, offset);
  if (at === null || at.kind !== "adapterName") return null;
  return adapterDeclaration(spec, at.ident.name)?.name.span ?? null;
}
