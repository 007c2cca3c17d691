/**
 * `leakctl validate FILE…`: check playbooks, templates, answers files and config files, each
 * recognised by its `schema:` tag (templates by their .liquid extension). Every problem in every
 * file is reported in one run; exit 2 when any file has one.
 */
import { resolve } from 'node:path';
import { loadConfigFile } from '../config/config.js';
import { loadSettings } from '../config/settings.js';
import { loadDocument } from '../documents/load.js';
import { problemAt, readSourceFile } from '../documents/yaml.js';
import { loadCalendarFile } from '../deadlines/calendars.js';
import { loadRegimeFile } from '../regimes/pack.js';
import { TEMPLATE_EXTENSION } from '../documents/files.js';
import { readTemplate } from '../notices/templates.js';
import type { CommonOptions } from '../options.js';
import { knownIds } from '../playbook/discover.js';
import { loadPlaybookFile } from '../playbook/load.js';
import { loadAnswersFile } from '../run/answers-file.js';
import { formatProblem, InvalidDocument, LeakctlError } from '../ui/errors.js';
import type { SourceProblem } from '../ui/errors.js';
import { Output } from '../ui/output.js';

type Kind = 'playbook' | 'answers' | 'config' | 'template' | 'calendar' | 'regime';

interface FileResult {
  file: string;
  kind?: Kind;
  id?: string;
  ok: boolean;
  problems: SourceProblem[];
  error?: string;
}

const TAGS: Readonly<Record<string, Kind>> = {
  'leakctl/playbook@1': 'playbook',
  'leakctl/playbook@2': 'playbook',
  'leakctl/answers@1': 'answers',
  'leakctl/config@1': 'config',
  'leakctl/calendar@1': 'calendar',
  'leakctl/regime@1': 'regime',
};

export async function run(options: CommonOptions, files: string[]): Promise<number> {
  const out = await Output.create(options);
  const settings = loadSettings(options);
  const known = knownIds(settings);
  const results: FileResult[] = [];

  for (const given of files) {
    const file = resolve(options.cwd, given);
    const result: FileResult = { file: given, ok: false, problems: [] };
    try {
      if (file.endsWith(TEMPLATE_EXTENSION)) {
        result.kind = 'template';
        result.id = await checkTemplate(file, given, settings.templateDirs);
      } else {
        const kind = detectKind(file, given);
        result.kind = kind;
        if (kind === 'playbook') result.id = loadPlaybookFile(given === file ? file : given, known).id;
        else if (kind === 'answers') loadAnswersFile(given);
        else if (kind === 'calendar') result.id = loadCalendarFile(given).id;
        else if (kind === 'regime') result.id = loadRegimeFile(given).id;
        else loadConfigFile(given);
      }
      result.ok = true;
    } catch (error) {
      if (error instanceof InvalidDocument) result.problems = [...error.problems];
      else if (error instanceof LeakctlError) result.error = error.message;
      else throw error;
    }
    results.push(result);
  }

  if (options.json) {
    out.json({ ok: results.every((r) => r.ok), files: results });
  } else {
    for (const r of results) {
      if (r.ok) out.result(`${out.style.green('OK')}  ${r.file}  ${out.style.dim(`(${r.kind}${r.id ? ` ${r.id}` : ''})`)}`);
      for (const problem of r.problems) out.message(formatProblem(problem));
      if (r.error) out.message(r.error);
    }
    const bad = results.filter((r) => !r.ok).length;
    if (bad > 0) out.message(`${bad} of ${results.length} file(s) invalid`);
  }
  return results.every((r) => r.ok) ? 0 : 2;
}

function detectKind(file: string, given: string): Kind {
  const source = loadDocument(given === file ? file : given, 'a leakctl document with a schema: tag');
  const tag = source.data.schema;
  const kind = typeof tag === 'string' ? TAGS[tag] : undefined;
  if (!kind) {
    const known = Object.keys(TAGS).join(', ');
    const message =
      tag === undefined
        ? `missing "schema:" tag; a leakctl document starts with schema: and one of ${known}`
        : `unknown schema tag ${JSON.stringify(tag)}; expected one of ${known}`;
    throw new InvalidDocument([problemAt(source, ['schema'], message)]);
  }
  return kind;
}

/**
 * Front matter, then the Liquid syntax of the subject and the body with the same engine as
 * rendering (so an unknown filter is caught here, not when the notice is due), at their lines.
 */
async function checkTemplate(file: string, given: string, templateDirs: readonly string[]): Promise<string> {
  readSourceFile(file, 'a notice template (.liquid)');
  const template = readTemplate(given);
  const { createEngine, templateProblem } = await import('../notices/render.js');
  const engine = createEngine(templateDirs);
  const problems = [];
  for (const [text, isSubject] of [[template.subject, true], [template.body, false]] as const) {
    try {
      engine.parse(text, given);
    } catch (error) {
      problems.push(...templateProblem(template, error, isSubject).problems);
    }
  }
  if (problems.length > 0) throw new InvalidDocument(problems);
  return template.id;
}
