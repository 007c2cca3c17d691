/**
 * Drafts: the texts of the incident's notices (SPEC section 5), which the Incident writes into
 * `drafts/` and logs as `notice.rendered`. A drill's drafts carry a banner. An authority's draft
 * ends with the log's head hash at render time, which `leakctl verify --head` can later prove
 * nothing was cut after; every .eml carries it in its headers.
 */
import type { Config } from '../config/config.js';
import type { DeadlineClock } from '../deadlines/compute.js';
import { answerValues, type IncidentState } from '../evidence/state.js';
import { SENSITIVE_PLACEHOLDER } from '../evidence/describe.js';
import { evaluate } from '../playbook/conditions.js';
import { residentsStep } from '../playbook/regimes.js';
import type { Playbook } from '../playbook/types.js';
import { InvalidInput } from '../ui/errors.js';
import { htmlOf, toEml } from './eml.js';
import { createEngine, renderNotice, templateProblem } from './render.js';
import type { RenderContext, RenderedNotice } from './render.js';
import { listTemplateFiles } from '../documents/files.js';
import { readTemplate } from './templates.js';
import type { DraftFormat, Template } from './templates.js';

export const DRILL_BANNER = '*** DRILL: THIS IS AN EXERCISE. DO NOT SEND THIS NOTICE. ***';

const ORG_FIELDS = ['name', 'community', 'contact_email', 'dpo_contact', 'website', 'platform'] as const;

export interface RenderInput {
  readonly playbook: Playbook;
  readonly state: IncidentState;
  readonly config: Config;
  readonly templateDirs: readonly string[];
  readonly deadlines: readonly DeadlineClock[];
  readonly now: Date;
  /** A draft shown to others than the notice's own reader (the report, issue 15): a sensitive answer the template names reads [sensitive]. */
  readonly maskSensitive?: boolean;
}

/**
 * The context a template renders with. Answers to `sensitive: true` steps are left out unless
 * the template names them itself (`answers.<id>`, `answers["<id>"]`): a template that does not
 * ask for a secret by name cannot print it, not even by looping over `answers` (issue 7; README,
 * "Sensitive answers"). Without a template, every sensitive answer is left out.
 */
export function renderContext(input: RenderInput, template?: Template): RenderContext {
  const { state, playbook, config } = input;
  const withheld = new Set(
    playbook.phases.flatMap((phase) => phase.steps.filter((step) => step.sensitive).map((step) => step.id)),
  );
  const named = new Set<string>();
  if (template) for (const id of [...withheld]) if (namesAnswer(`${template.subject}\n${template.body}`, id) || template.each_host === id) named.add(id);
  for (const id of input.maskSensitive ? [] : named) withheld.delete(id);
  const opened = state.opened!;
  const drill = opened.drill;
  const org: Record<string, unknown> = { ...config.org };
  // A drill must render without a real organisation behind it; a real notice must not.
  if (drill) for (const field of ORG_FIELDS) org[field] ??= `[org.${field}]`;
  return {
    incident: {
      id: state.id,
      title: playbook.title,
      opened_at: opened.at.toISOString(),
      responder: opened.responder,
      drill,
      head_hash: state.head,
    },
    answers: Object.fromEntries(
      [...answerValues(state)].flatMap(([step, value]): [string, unknown][] => (!withheld.has(step) ? [[step, value]] : named.has(step) ? [[step, SENSITIVE_PLACEHOLDER]] : [])),
    ),
    skipped: [...state.skipped.keys()],
    deadlines: input.deadlines.map((d) => ({
      id: d.id,
      title: d.title,
      due: d.due?.toISOString() ?? null,
      met_at: d.met_at?.toISOString() ?? null,
      status: d.status,
    })),
    org,
    ...placesOf(playbook, state),
    decisions: decisionsOf(playbook, state),
    signatory: { ...(config.org.signatory ?? opened.signatory ?? { name: opened.responder }), named: config.org.signatory !== undefined || opened.signatory !== undefined },
    now: input.now.toISOString(),
  };
}

/**
 * A contact for members on another domain than the address notices come from (issue 14): members
 * are told to distrust look-alike addresses, so a reply address elsewhere reads like phishing.
 */
export function contactWarning(config: Config, answers: ReadonlyMap<string, unknown>, incident: string): string | undefined {
  const from = domainOf(config.org.contact_email);
  const contact = answers.get('notice_contact');
  const to = typeof contact === 'string' ? domainOf(contact) : undefined;
  if (!from || !to || to === from || to.endsWith(`.${from}`)) return undefined;
  return `warning: members are asked to write to an address at ${to}, but notices come from ${from} (the config's org.contact_email); members warned about phishing may distrust it. Use an address at ${from}, or say why in the notice (leakctl amend ${incident} notice_contact)`;
}

function domainOf(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  return /[A-Za-z0-9._%+-]+@([A-Za-z0-9.-]+\.[A-Za-z]{2,})/.exec(text)?.[1]?.toLowerCase();
}

/** The steps declined and deferred, in the order they were decided, with their prompts. */
function decisionsOf(playbook: Playbook, state: IncidentState): RenderContext['decisions'] {
  const prompts = new Map(playbook.phases.flatMap((phase) => phase.steps.map((step) => [step.id, step.prompt])));
  const list = (marks: ReadonlyMap<string, { reason: string; actor: string; at: Date; seq: number }>) =>
    [...marks]
      .sort(([, a], [, b]) => a.seq - b.seq)
      .map(([step, mark]) => ({ step, prompt: prompts.get(step) ?? step, reason: mark.reason, by: mark.actor, at: mark.at.toISOString() }));
  return { declined: list(state.declined), deferred: list(state.deferred) };
}

/** The places chosen at the playbook's places step, and what their laws ask of every notice. */
function placesOf(playbook: Playbook, state: IncidentState): Pick<RenderContext, 'places' | 'law'> {
  const answers = answerValues(state);
  const chosen = playbook.regimes ? answers.get(playbook.regimes.places) : undefined;
  const places = (playbook.regime_places ?? []).filter((p) => Array.isArray(chosen) && chosen.includes(p.id));
  const months = Math.max(0, ...places.map((p) => p.identity_protection_months ?? 0));
  return {
    places: places.map((p) => {
      const residents = answers.get(residentsStep(p.id));
      return { id: p.id, label: p.label, name: p.name, people: p.people, residents: typeof residents === 'number' ? residents : null };
    }),
    law: { identity_protection_months: months > 0 ? months : null },
  };
}

/**
 * Whether Liquid source names `answers.<id>` or `answers["<id>"]` / `answers['<id>']`. Step ids
 * are `[a-z][a-z0-9_]*`, so they need no escaping in the pattern; `\b` keeps `answers.code` from
 * matching `answers.code_word`. A mention in a Liquid comment counts: it is still the template's
 * author asking for the value by name.
 */
export function namesAnswer(source: string, id: string): boolean {
  return (
    new RegExp(`\\banswers\\s*(?:\\.\\s*${id}\\b|\\[\\s*(["'])${id}\\1\\s*\\])`).test(source) ||
    // `answers | required_answer: "<id>", …` names it too.
    new RegExp(`\\brequired_answer\\s*:\\s*(["'])${id}\\1`).test(source)
  );
}

/** The templates a run renders: the playbook's notices whose conditions hold. */
export function noticesDue(playbook: Playbook, state: IncidentState): string[] {
  const answers = answerValues(state);
  return playbook.notices.filter((n) => !n.when || evaluate(n.when, answers)).map((n) => n.template);
}

export function findTemplate(id: string, templateDirs: readonly string[]): Template {
  const files = listTemplateFiles(templateDirs);
  const file = files.get(id);
  if (!file) throw new InvalidInput(`unknown template "${id}"; available: ${[...files.keys()].sort().join(', ')}`);
  return readTemplate(file);
}

/** Render every template first, so that a hole in any of them leaves no draft written. */
export async function renderAll(input: RenderInput, templateIds: readonly string[]): Promise<RenderedNotice[]> {
  const engine = createEngine(input.templateDirs, input.config.timezone ?? 'UTC');
  const rendered: RenderedNotice[] = [];
  for (const id of templateIds) {
    const template = findTemplate(id, input.templateDirs);
    const context = renderContext(input, template);
    if (template.each_host === undefined) {
      rendered.push(await renderNotice(engine, template, context));
      continue;
    }
    for (const host of hostsOf(template, context)) {
      rendered.push({ ...(await renderNotice(engine, template, { ...context, host })), name: `${template.id}.${host.name}` });
    }
  }
  return rendered;
}

/**
 * The hosts of the locations a step lists, one per line, in the order first named: a URL's host
 * name (without "www."); a line that is not a URL goes with the others under "other-locations".
 * A missing answer is a missing answer, as `answers.<id>` would be.
 */
/** Where the locations that name no web host go together (a chat group, a description): never a host name, which has a dot. */
export const OTHER_LOCATIONS = 'other-locations';

export function hostsOf(template: Template, context: RenderContext): { name: string; locations: string[] }[] {
  const step = template.each_host!;
  const value = context.answers[step];
  if (typeof value !== 'string' || value.trim() === '') {
    throw templateProblem(template, new Error(`undefined variable: answers.${step} (one draft per host of the locations it lists)`), false);
  }
  const hosts = new Map<string, string[]>();
  for (const line of value.split('\n').map((l) => l.trim()).filter(Boolean)) {
    // The first http(s) URL on the line, wherever it stands ("- https://…", "mirror: https://…").
    const found = /https?:\/\/[^\s<>"']+/i.exec(line)?.[0];
    let name = OTHER_LOCATIONS;
    if (found) {
      try {
        const host = new URL(found).hostname.replace(/\.$/, '').replace(/^www\./, '');
        if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host)) name = host;
      } catch {
        // Not a URL after all: kept with the other locations.
      }
    }
    hosts.set(name, [...(hosts.get(name) ?? []), line]);
  }
  return [...hosts].map(([name, locations]) => ({ name, locations }));
}

// C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings, overrides and
// isolates. Marks (LRM, RLM, ALM) stay: mixed-direction names need them and they reorder nothing.
const HIDDEN_IN_DRAFT = /\r\n|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text as a draft carries it: a notice goes to members and authorities, so it must not carry
 * terminal escapes or text that a bidi override shows in another order than it reads (issue 7).
 * They are made visible as `\u{1b}` rather than removed, so the draft still shows that the
 * answer held something, and the evidence log keeps the answer as given. CRLF (a template
 * saved on Windows) becomes LF.
 */
export function visibleInDraft(text: string): string {
  return text.replace(HIDDEN_IN_DRAFT, (ch) => (ch === '\r\n' ? '\n' : `\\u{${ch.codePointAt(0)!.toString(16)}}`));
}

/** The full text of one draft in one format. */
export function draftText(notice: RenderedNotice, format: DraftFormat, input: RenderInput): string {
  const { state, config } = input;
  const drill = state.opened!.drill;
  const subject = visibleInDraft(drill ? `[DRILL - DO NOT SEND] ${notice.subject}` : notice.subject);
  const body = [drill ? DRILL_BANNER : '', visibleInDraft(notice.body), drill ? DRILL_BANNER : ''].filter(Boolean).join('\n\n');
  // Only an authority's draft ends with the log's head: to a member or the public it means nothing
  // and shows internals (issue 14). The .eml headers carry it for every reader.
  const footer = notice.template.reader === 'authority' || notice.template.reader === 'record' ? `-- \nleakctl evidence: incident ${state.id}, log head ${state.head ?? '(empty)'} at ${input.now.toISOString()}` : '';
  const end = footer ? `\n\n${footer}` : '';
  switch (format) {
    case 'txt':
      return `${drill ? `${DRILL_BANNER}\n` : ''}Subject: ${subject}\n\n${body}${end}\n`;
    case 'md':
      return `# ${subject}\n\n${body}${end.replace('-- \n', '---\n\n')}\n`;
    case 'eml':
      return toEml({
        subject,
        body: `${body}${end}`,
        // Members and the public read it in a mail client: a title and headings they can see.
        ...(notice.template.reader === 'members' || notice.template.reader === 'public' ? { html: htmlOf(subject, body, notice.template.headings, drill ? DRILL_BANNER : undefined) } : {}),
        date: input.now,
        ...(config.org.contact_email ? { from: config.org.contact_email } : {}),
        headers: { 'X-Leakctl-Incident': state.id, 'X-Leakctl-Log-Head': state.head ?? '' },
      });
  }
}

/** Every format of every notice, as the files a draft is written to. */
export function draftFiles(notices: readonly RenderedNotice[], input: RenderInput): { template: string; name?: string; format: DraftFormat; text: string }[] {
  return notices.flatMap((notice) =>
    notice.template.formats.map((format) => ({ template: notice.template.id, ...(notice.name ? { name: notice.name } : {}), format, text: draftText(notice, format, input) })),
  );
}
