/** `leakctl list`: the playbooks and templates in the search path. */
import { loadSettings } from '../config/settings.js';
import { loadDocument } from '../documents/load.js';
import type { CommonOptions } from '../options.js';
import { PLAYBOOK_WHAT } from '../playbook/load.js';
import { listPlaybookFiles, listTemplateFiles } from '../documents/files.js';
import { readTemplate } from '../notices/templates.js';
import { LeakctlError } from '../ui/errors.js';
import { Output, table } from '../ui/output.js';
import { printableLine } from '../ui/text.js';

interface Row {
  id: string;
  title: string;
  file: string;
}

export async function run(options: CommonOptions): Promise<number> {
  const out = await Output.create(options);
  const settings = loadSettings(options);
  const broken: string[] = [];

  const playbooks = [...listPlaybookFiles(settings.playbookDirs)].map(([id, file]) => {
    try {
      const data = loadDocument(file, PLAYBOOK_WHAT).data;
      return { id, title: String(data.title ?? ''), cause: String(data.cause ?? ''), file };
    } catch (error) {
      if (!(error instanceof LeakctlError)) throw error;
      broken.push(file);
      return { id, title: '(unreadable)', cause: '', file };
    }
  });
  const templates = [...listTemplateFiles(settings.templateDirs)].map(([id, file]) => {
    try {
      const template = readTemplate(file);
      return { id, title: template.title, audience: template.audience, file };
    } catch (error) {
      if (!(error instanceof LeakctlError)) throw error;
      broken.push(file);
      return { id, title: '(unreadable)', audience: '', file };
    }
  });

  if (options.json) {
    out.json({ playbooks, templates });
  } else {
    out.result(out.style.bold('Playbooks'));
    for (const line of table(playbooks.map((p) => ['  ' + printableLine(p.id), printableLine(p.title), printableLine(p.cause), out.style.dim(printableLine(p.file))]))) out.result(line);
    out.result();
    out.result(out.style.bold('Templates'));
    for (const line of table(templates.map((t: Row & { audience: string }) => ['  ' + printableLine(t.id), printableLine(t.title), printableLine(t.audience), out.style.dim(printableLine(t.file))]))) {
      out.result(line);
    }
  }
  for (const file of broken) out.message(`warning: ${printableLine(file)} could not be read; run leakctl validate ${printableLine(file)} for details`);
  return 0;
}
