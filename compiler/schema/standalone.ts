/**
 * The JSON Schema validators that scripts/gen-plan-schema.ts generates as ajv standalone code
 * (scripts/validators.ts), so that no command compiles a schema at start-up: each is used when it was
 * generated from the schema in the source, else that schema is compiled now (a stale file stays correct).
 */
import { Ajv, type Options, type ValidateFunction } from "ajv";

/** A generated validator module: its `validate` and the `schema` it was generated from. */
export interface GeneratedValidator<T> {
  readonly validate: ValidateFunction<T>;
  readonly schema: unknown;
}

/** `generated.validate` when it checks exactly `schema`, else `schema` compiled with `options`. */
export function standaloneOr<T>(
  generated: GeneratedValidator<T>,
  schema: object,
  options: Options,
): ValidateFunction<T> {
  if (JSON.stringify(generated.schema) === JSON.stringify(schema)) return generated.validate;
  return new Ajv(options).compile<T>(schema);
}
