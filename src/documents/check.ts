/**
 * JSON Schema checks with ajv, reported at source positions. ajv runs with `allErrors`, so a
 * document with five mistakes gets five lines, not one per run.
 */
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { SourceProblem } from '../ui/errors.js';
import { AJV_FORMATS, AJV_OPTIONS } from './ajv-options.js';
import { SCHEMAS } from '../schemas/index.js';
import type { SchemaName } from '../schemas/index.js';
import { problemAt } from './yaml.js';
import type { DocPath, YamlSource } from './yaml.js';


// ajv's compiler is CommonJS: require() loads it synchronously, and only when it is needed.
const requireHere = createRequire(import.meta.url);

type Validators = Record<SchemaName, ValidateFunction>;
let validators: Validators | undefined;

/**
 * The build compiles the schemas into standalone code (scripts/build.mjs), so a run never loads
 * ajv's compiler. Without that code (tests run from src/), compile them here, the same way.
 */
function validatorFor(name: SchemaName): ValidateFunction {
  validators ??= loadStandalone() ?? compileNow();
  return validators[name];
}

/**
 * In the bundle (CommonJS), `require` is the module's own and the bundler inlines the build's
 * validators here, with the few ajv runtime helpers they use. From src/ there is no `require`.
 */
function loadStandalone(): Validators | undefined {
  if (typeof require !== 'function') return undefined;
  try {
    return require('../schemas/validators.cjs') as Validators;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

function compileNow(): Validators {
  const { Ajv } = requireHere('ajv') as typeof import('ajv');
  const addFormats = (requireHere('ajv-formats') as { default: typeof import('ajv-formats').default }).default;
  const ajv = addFormats(new Ajv(AJV_OPTIONS), [...AJV_FORMATS]);
  const entries = Object.entries(SCHEMAS).map(([name, schema]) => [name, ajv.compile(schema)]);
  return Object.fromEntries(entries) as Validators;
}

/** Every schema violation in the document, each at the node it concerns. */
export function checkSchema(source: YamlSource, name: SchemaName, namedElsewhere: ReadonlySet<string> = new Set()): SourceProblem[] {
  const validate = validatorFor(name);
  if (validate(source.data)) return [];
  const problems: SourceProblem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    // `if`/`then` failures repeat the `required` error they wrap; a key's own pattern error
    // repeats the `propertyNames` error, which names the key.
    if (error.keyword === 'if') continue;
    if ((error as ErrorObject & { propertyName?: string }).propertyName !== undefined) continue;
    const path = toPath(error.instancePath, source.data);
    const { message, at, key } = describe(error, path, source.data);
    const problem = problemAt(source, at, message, key);
    // What is wrong with a value, where a semantic check names the same value in its own words
    // (a duration the pattern refuses is better named by the check that parses it). What is
    // missing or extra in a mapping is never hidden this way.
    if (VALUE_KEYWORDS.has(error.keyword) && namedElsewhere.has(`${problem.line}:${problem.col}`)) continue;
    const id = `${problem.line}:${problem.col}:${problem.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      problems.push(problem);
    }
  }
  return problems;
}

/** The schema keywords that judge a single value rather than the shape of a mapping or list. */
const VALUE_KEYWORDS = new Set(['type', 'pattern', 'format', 'enum', 'const', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength']);

function toPath(pointer: string, data: unknown): DocPath {
  if (pointer === '') return [];
  const path: (string | number)[] = [];
  let node: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      const index = Number(segment);
      path.push(index);
      node = node[index];
    } else {
      path.push(segment);
      node = (node as Record<string, unknown> | undefined)?.[segment];
    }
  }
  return path;
}

function valueAt(data: unknown, path: DocPath): unknown {
  let node = data;
  for (const segment of path) node = (node as Record<string | number, unknown> | undefined)?.[segment];
  return node;
}

function fieldName(path: DocPath): string {
  const last = path[path.length - 1];
  if (last === undefined) return 'the document';
  if (typeof last === 'string') return `"${last}"`;
  const parent = path[path.length - 2];
  return typeof parent === 'string' ? `item ${last + 1} of "${parent}"` : `item ${last + 1}`;
}

/** A message for a person, and where it belongs (a missing field: its parent; unknown: the key). */
function describe(
  error: ErrorObject,
  path: DocPath,
  data: unknown,
): { message: string; at: DocPath; key: boolean } {
  const params = error.params as Record<string, unknown>;
  const value = valueAt(data, path);
  const field = fieldName(path);
  switch (error.keyword) {
    case 'required':
      return { message: `missing required field "${String(params.missingProperty)}"`, at: path, key: false };
    case 'additionalProperties':
      return {
        message: `unknown field "${String(params.additionalProperty)}"`,
        at: [...path, String(params.additionalProperty)],
        key: true,
      };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).join(', ');
      if (path[path.length - 1] === 'kind') {
        return { message: `unknown step kind ${JSON.stringify(value)}; expected one of: ${allowed}`, at: path, key: false };
      }
      return { message: `${field} is ${JSON.stringify(value)}; expected one of: ${allowed}`, at: path, key: false };
    }
    case 'const':
      return {
        message: `${field} must be ${JSON.stringify(params.allowedValue)}, found ${JSON.stringify(value)}`,
        at: path,
        key: false,
      };
    case 'pattern':
      return {
        message: `${field} ${JSON.stringify(value)} does not match ${String(params.pattern)}`,
        at: path,
        key: false,
      };
    case 'type': {
      const expected = String(params.type).replace(',', ' or ');
      return { message: `${field} must be ${article(expected)}, found ${describeValue(value)}`, at: path, key: false };
    }
    case 'format':
      return {
        message: `${field} ${JSON.stringify(value)} is not a valid ${String(params.format)}`,
        at: path,
        key: false,
      };
    case 'minLength':
      return Number(params.limit) === 1
        ? { message: `${field} is empty; write it out`, at: path, key: false }
        : { message: `${field} must be at least ${String(params.limit)} characters long`, at: path, key: false };
    case 'minItems':
      return { message: `${field} must have at least ${String(params.limit)} item(s)`, at: path, key: false };
    case 'minProperties':
      return { message: `${field} must not be empty`, at: path, key: false };
    case 'propertyNames':
      return {
        message: `${field} has an invalid key ${JSON.stringify(params.propertyName)}`,
        at: [...path, String(params.propertyName)],
        key: true,
      };
    default:
      return { message: `${field} ${error.message ?? 'is invalid'}`, at: path, key: false };
  }
}

function article(type: string): string {
  if (type === 'array') return 'a list';
  if (type === 'object') return 'a mapping';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}
