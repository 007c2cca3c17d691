/**
 * `leakctl completion bash|zsh|fish` (issue 10): a script for the shell that completes commands,
 * options, incident ids, playbook ids and step ids. The script asks leakctl itself
 * (`leakctl __complete WORD…`), so what it offers is always the installed version's: the commands
 * and options from the command line's own definition, the incidents in the incidents directory,
 * the steps of the incident's playbook (open ones first).
 */
import { loadSettings } from '../config/settings.js';
import { listPlaybookFiles, listTemplateFiles } from '../documents/files.js';
import { answerValues } from '../evidence/state.js';
import { incidentIds } from '../incident/locate.js';
import { readIncident } from '../incident/open.js';
import { playbookOf } from '../incident/playbook.js';
import type { CommandSpec, CommonOptions } from '../options.js';
import { placedSteps, stepStanding } from '../run/steps.js';
import { printable } from '../ui/text.js';

const SCRIPTS = {
  bash: `# leakctl completion for bash: add to ~/.bashrc
#   source <(leakctl completion bash)
_leakctl() {
  local IFS=$'\\n'
  COMPREPLY=($(leakctl __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _leakctl leakctl
`,
  zsh: `#compdef leakctl
# leakctl completion for zsh: add to ~/.zshrc
#   source <(leakctl completion zsh)
_leakctl() {
  local -a candidates
  candidates=("\${(@f)$(leakctl __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  candidates=(\${candidates:#})
  if (( \${#candidates} )); then compadd -a candidates; else _files; fi
}
compdef _leakctl leakctl
`,
  fish: `# leakctl completion for fish: save as ~/.config/fish/completions/leakctl.fish
#   leakctl completion fish > ~/.config/fish/completions/leakctl.fish
complete -c leakctl -a '(leakctl __complete (commandline -opc | tail -n +2) (commandline -ct) 2>/dev/null)'
`,
} as const;

export async function run(options: CommonOptions, shell: keyof typeof SCRIPTS): Promise<number> {
  options.stdout.write(SCRIPTS[shell]);
  return 0;
}

/**
 * The candidates for the last of `words` (the words after `leakctl`, the last one being typed),
 * one per line, those starting with what was typed. Nothing is ever written; a problem (no
 * incidents directory, a log that does not verify) means fewer candidates, not an error.
 */
export async function complete(options: CommonOptions, specs: readonly CommandSpec[], words: readonly string[]): Promise<number> {
  const typed = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  const candidates = await candidatesFor(options, specs, before, typed);
  // Only what shows as it is: an id from a file name could hold terminal codes.
  const shown = [...new Set(candidates)].filter((c) => c.startsWith(typed) && c !== '' && printable(c) === c && !/\s/.test(c));
  if (shown.length > 0) options.stdout.write(`${shown.join('\n')}\n`);
  return 0;
}

async function candidatesFor(options: CommonOptions, specs: readonly CommandSpec[], before: readonly string[], typed: string): Promise<string[]> {
  // Options that take a value, as the command line defines them: the word after one is its value.
  const TAKES_VALUE = new Set(specs.flatMap((s) => s.valued));
  // The words so far: options (and their values) apart, the command and its arguments in order.
  const positional: string[] = [];
  for (let i = 0; i < before.length; i++) {
    const word = before[i]!;
    if (word.startsWith('-')) {
      if (TAKES_VALUE.has(word)) i += 1;
      continue;
    }
    positional.push(word);
  }
  const global = specs.find((s) => s.name === '')!;
  const command = specs.find((s) => s.name !== '' && s.name === positional[0]);
  if (typed.startsWith('-')) return [...(command?.options ?? []), ...global.options];
  if (before.length > 0 && TAKES_VALUE.has(before.at(-1)!)) return valuesFor(options, before.at(-1)!);
  if (!command) return positional.length === 0 ? specs.filter((s) => s.name !== '' && s.name !== 'help').map((s) => s.name) : [];
  const arg = command.args[positional.length - 1];
  switch (arg) {
    case 'incident':
    case 'incident-or-file':
      return safely(() => incidentIds(options.incidentsDir));
    case 'playbook':
      return safely(() => [...listPlaybookFiles(loadSettings(options).playbookDirs).keys()]);
    case 'step':
      return stepsOf(options, positional[1]);
    case 'shell':
      return Object.keys(SCRIPTS);
    case 'kind':
      return ['playbook', 'answers', 'config', 'template', 'calendar'];
    default:
      return [];
  }
}

function valuesFor(options: CommonOptions, flag: string): string[] {
  if (flag === '--template' || flag === '--stdout') return safely(() => [...listTemplateFiles(loadSettings(options).templateDirs).keys()]);
  if (flag === '--format') return ['txt', 'md', 'eml'];
  if (flag === '--until') return ['+1h', '+4h', '+1d'];
  return [];
}

/** The incident's steps, the open and deferred ones first, then the rest. */
async function stepsOf(options: CommonOptions, id: string | undefined): Promise<string[]> {
  if (id === undefined) return [];
  try {
    const incident = await readIncident(options, id, () => undefined);
    try {
      const playbook = playbookOf(incident.state, { settings: loadSettings(options), cwd: options.cwd, warn: () => undefined, checkTemplates: false });
      const answers = answerValues(incident.state);
      const steps = placedSteps(playbook).map(({ step }) => ({ id: step.id, standing: stepStanding(step, incident.state, answers) }));
      const first = steps.filter((s) => s.standing === 'open' || s.standing === 'deferred' || s.standing === 'declined');
      return [...first, ...steps.filter((s) => !first.includes(s) && s.standing !== 'condition_false')].map((s) => s.id);
    } finally {
      incident.close();
    }
  } catch {
    return [];
  }
}

function safely(list: () => string[]): string[] {
  try {
    return list();
  } catch {
    return [];
  }
}
