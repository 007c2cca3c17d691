/**
 * JSON Schema checks with ajv, reported at source positions. ajv runs with `allErrors`, so a
 * document with five mistakes gets five lines, not one per run.
 */
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { SourceProblem } from '../ui/errors.js';
import { SCHEMAS } from '../schemas/index.js';
import type { SchemaName } from '../schemas/index.js';
import { problemAt } from './yaml.js';
import type { DocPath, YamlSource } from './yaml.js';


// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

let ajv: Ajv | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

function validatorFor(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    ajv ??= addFormats(new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }), [
      'date',
      'date-time',
      'email',
      'uri',
    ]);
    validate = ajv.compile(SCHEMAS[name]);
    compiled.set(name, validate);
  }
  return validate;
}

/** Every schema violation in the document, each at the node it concerns. */
export function checkSchema(source: YamlSource, name: SchemaName): SourceProblem[] {
  const validate = validatorFor(name);
  if (validate(source.data)) return [];
  const problems: SourceProblem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    // `if`/`then` failures repeat the `required` error they wrap.
    if (error.keyword === 'if') continue;
    const path = toPath(error.instancePath, source.data);
    const { message, at, key } = describe(error, path, source.data);
    const problem = problemAt(source, at, message, key);
    const id = `${problem.line}:${problem.col}:${problem.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      problems.push(problem);
    }
  }
  return problems;
}

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
    case 'minItems':
      return { message: `${field} must have at least ${String(params.limit)} item(s)`, at: path, key: false };
    case 'minProperties':
      return { message: `${field} must not be empty`, at: path, key: false };
    case 'propertyNames':
      return { message: `${field} has an invalid key`, at: path, key: false };
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
