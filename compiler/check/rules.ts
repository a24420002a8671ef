/**
 * The model-free check rules, in the order they run (like graphql-js's `specifiedRules`): a rule may
 * read what the rules before it wrote into `ctx.results` (the valid adapters, placements, sizes, head
 * and plan values). A new rule is a file with one `CheckRule` and a line here.
 */
import { adapterDeclarationsRule } from "./adapter-declarations.ts";
import { compositionsRule } from "./compositions.ts";
import type { CheckRule } from "./context.ts";
import { headRule } from "./head.ts";
import { layerRangesRule } from "./layer-ranges.ts";
import { placementsRule } from "./placements.ts";
import { planCompleteRule } from "./plan-complete.ts";
import { planKeysRule } from "./plan-keys.ts";
import { planValuesRule } from "./plan-values.ts";
import { singletonsRule } from "./singletons.ts";
import { sizesRule } from "./sizes.ts";
import { unusedAdaptersRule } from "./unused-adapters.ts";

/** Every model-free rule, in order. */
export const SPECIFIED_RULES: readonly CheckRule[] = [
  adapterDeclarationsRule,
  placementsRule,
  unusedAdaptersRule,
  compositionsRule,
  singletonsRule,
  layerRangesRule,
  sizesRule,
  headRule,
  planKeysRule,
  planValuesRule,
  planCompleteRule,
];
