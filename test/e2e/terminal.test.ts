/**
 * The built binary in a real terminal (tmux), answered from what the screen shows: a `kill -9`
 * mid-run loses no answer that was given, `resume` finishes without recording any twice, Ctrl+C
 * at a prompt pauses with exit 130 (SPEC sections 1 and 4), and a colleague's `note` and `attach`
 * from another terminal land while a session waits at a prompt, which shows them (issue 8).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, leakctl, ROOT } from '../helpers/exec.js';
import { noSshKeygen, sealedIncident } from '../helpers/sealed.js';

const fixtures = join(import.meta.dirname, 'fixtures', 'incident');
const breach = join(fixtures, 'breach.yaml');

const tmuxWorks = spawnSync('tmux', ['-V'], { encoding: 'utf8' }).status === 0;
const socket = `leakctl-test-${randomBytes(6).toString('hex')}`;
const tmp = mkdtempSync(join(tmpdir(), 'leakctl-e2e-terminal-'));

afterAll(() => {
  if (tmuxWorks) {
    const path = spawnSync('tmux', ['-L', socket, 'display', '-p', '#{socket_path}'], { encoding: 'utf8' }).stdout.trim();
    spawnSync('tmux', ['-L', socket, 'kill-server']);
    if (path.endsWith(socket)) rmSync(path, { force: true });
  }
  rmSync(tmp, { recursive: true, force: true });
});

function tmux(...args: string[]): string {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.TMUX;
  const r = spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** A new 120x40 terminal running `leakctl ARGS; echo EXIT=$?` in /bin/sh. */
function terminal(name: string, args: string[]): void {
  tmux('new-session', '-d', '-x', '120', '-y', '40', '-s', name, '-c', ROOT, '/bin/sh');
  const command = ['env', '-u', 'FORCE_COLOR', '-u', 'LEAKCTL_DIR', '-u', 'LEAKCTL_NOW', 'NO_COLOR=1', process.execPath, BIN, ...args].map(quote).join(' ');
  tmux('send-keys', '-t', name, '-l', `${command}; echo EXIT=$?`);
  tmux('send-keys', '-t', name, 'Enter');
}

const screen = (name: string): string => tmux('capture-pane', '-p', '-J', '-t', name);

/** Poll the screen every 100 ms until `text` shows; after 45 s (a busy machine) fail with the screen. */
async function waitFor(name: string, text: string | RegExp): Promise<string> {
  const until = Date.now() + 45_000;
  for (;;) {
    const shown = screen(name);
    if (typeof text === 'string' ? shown.includes(text) : text.test(shown)) return shown;
    if (Date.now() > until) throw new Error(`"${text}" did not appear in terminal ${name}; the screen:\n${shown}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Wait until `question` is the prompt waiting for input (a `?` before it; one answered shows `✔`). */
function prompted(name: string, question: string): Promise<string> {
  return waitFor(name, new RegExp(`^\\? ${question.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
}

/** Wait for a question, type the answer and press Enter. */
async function answerAt(name: string, question: string, text: string): Promise<void> {
  await prompted(name, question);
  type(name, text);
  keys(name, 'Enter');
}

/** A step that records a duty starts as Not yet: choose Done, then type the time. */
async function dutyDoneAt(name: string, question: string, time: string): Promise<void> {
  await prompted(name, question);
  expect(screen(name)).toContain('❯ Not yet: keep it on the board (the clock keeps running)');
  keys(name, 'Down', 'Enter');
  await prompted(name, `${question} (e.g. 2026-03-02 09:30`);
  type(name, time);
  keys(name, 'Enter');
}

/** The shell's `echo EXIT=$?` after leakctl ended (the command line itself shows `EXIT=$?`). */
const EXITED = /^EXIT=\d+$/m;

const keys = (name: string, ...list: string[]): void => void tmux('send-keys', '-t', name, ...list);
const type = (name: string, text: string): void => void tmux('send-keys', '-t', name, '-l', '--', text);

/** The leakctl process running in a terminal: the shell's child. */
function leakctlPid(name: string): number {
  const shell = tmux('display', '-p', '-t', name, '#{pane_pid}').trim();
  const r = spawnSync('pgrep', ['-P', shell], { encoding: 'utf8' });
  const pids = r.stdout.trim().split('\n').filter(Boolean).map(Number);
  const ours = pids.filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('leakctl.js'));
  if (ours.length !== 1) throw new Error(`expected one leakctl process under shell ${shell}, found ${JSON.stringify(pids)}`);
  return ours[0]!;
}

interface Entry {
  type: string;
  data: Record<string, unknown>;
}
const entriesOf = (dir: string, id: string): Entry[] =>
  readFileSync(join(dir, id, 'evidence.jsonl'), 'utf8')
    .replace(/\n$/, '')
    .split('\n')
    .map((l) => JSON.parse(l) as Entry);
const answersIn = (entries: Entry[]) => entries.filter((e) => e.type === 'step.answered').map((e) => [e.data.step, e.data.value]);

describe.skipIf(!tmuxWorks)('leakctl in a real terminal (tmux; skipped when `tmux -V` fails)', () => {
  it('keeps every answer given before a kill -9, and resume finishes without recording any twice', async () => {
    const dir = join(tmp, 'killed');
    terminal('kill', ['start', breach, '--id', 't1', '--dir', dir, '--now', '2026-03-02T09:00:00Z', '--responder', 'dana']);

    await waitFor('kill', 'Have you verified the leak?');
    keys('kill', 'y', 'Enter');
    await answerAt('kill', 'When did you become aware of the leak?', '2026-03-02T08:30:00Z');
    await waitFor('kill', 'What was exposed?');
    keys('kill', 'Space', 'Enter');
    await answerAt('kill', 'How many members are affected?', '40');
    await waitFor('kill', 'Anything else to record?');
    // While it waits at a prompt, it holds no lock: a second writer lands (its clock may not be
    // earlier than the session's, which is set by hand to 09:00).
    const second = leakctl(['note', 't1', 'from another terminal', '--dir', dir, '--now', '2026-03-02T09:00:00Z']);
    expect(second.code, second.stderr).toBe(0);
    // Half an answer typed, then the process dies.
    type('kill', 'half a th');
    process.kill(leakctlPid('kill'), 'SIGKILL');
    expect(await waitFor('kill', EXITED)).toMatch(/^EXIT=137$/m);

    const given = [
      ['confirmed', true],
      ['discovered_at', '2026-03-02T08:30:00Z'],
      ['exposed_data', ['names']],
      ['members_affected', 40],
    ];
    expect(answersIn(entriesOf(dir, 't1'))).toEqual(given);
    expect(entriesOf(dir, 't1').filter((e) => e.type === 'note.added').map((e) => e.data.text)).toEqual(['from another terminal']);

    terminal('resume', ['resume', 't1', '--dir', dir, '--now', '2026-03-02T10:00:00Z']);
    await answerAt('resume', 'Anything else to record?', 'Reported on the forum');
    await answerAt('resume', 'Attach the access log', join(fixtures, 'access-log.txt'));
    await dutyDoneAt('resume', 'When was the supervisory authority notified?', 'now');
    expect(await waitFor('resume', EXITED)).toMatch(/^EXIT=0$/m);

    const entries = entriesOf(dir, 't1');
    const answered = answersIn(entries);
    const steps = answered.map(([step]) => step);
    expect(steps).toEqual([...new Set(steps)]);
    expect(answered.slice(0, 4)).toEqual(given);
    expect(answered.slice(4).map(([step]) => step)).toEqual(['remarks', 'evidence', 'authority_notified_at']);
    expect(Object.fromEntries(answered)).toMatchObject({ remarks: 'Reported on the forum', authority_notified_at: '2026-03-02T10:00:00.000Z' });
    expect(entries.every((e) => e.type !== 'step.answered' || e.data.source === 'prompt')).toBe(true);
    expect(leakctl(['verify', 't1', '--dir', dir]).code).toBe(0);
  }, 180_000);

  it("lands a colleague's note and attach while a session waits at a prompt; the session shows them and goes on", async () => {
    const dir = join(tmp, 'team');
    terminal('team', ['start', breach, '--id', 't3', '--dir', dir, '--responder', 'dana']);
    await waitFor('team', 'Have you verified the leak?');
    const note = leakctl(['note', 't3', 'Provider confirmed the fix at 14:00', '--responder', 'lee', '--dir', dir]);
    expect(note.code, note.stderr).toBe(0);
    const attach = leakctl(['attach', 't3', join(fixtures, 'access-log.txt'), '--responder', 'lee', '--dir', dir]);
    expect(attach.code, attach.stderr).toBe(0);
    keys('team', 'y', 'Enter');
    const shown = await waitFor('team', 'When did you become aware of the leak?');
    expect(shown).toContain('+ note added by lee: Provider confirmed the fix at 14:00');
    expect(shown).toMatch(/\+ evidence attached by lee: .*access-log\.txt \(sha256 [0-9a-f]{12}…, modified 20[\d-]+T[\d:.]+Z\); collected by lee/);
    type('team', 'now');
    keys('team', 'Enter');
    await waitFor('team', 'What was exposed?');
    keys('team', 'Space', 'Enter');
    await answerAt('team', 'How many members are affected?', '12');
    await answerAt('team', 'Anything else to record?', 'Two responders on it');
    await answerAt('team', 'Attach the access log', join(fixtures, 'access-log.txt'));
    await dutyDoneAt('team', 'When was the supervisory authority notified?', 'now');
    expect(await waitFor('team', EXITED)).toMatch(/^EXIT=0$/m);

    const entries = entriesOf(dir, 't3');
    expect(entries.filter((e) => e.type === 'note.added').map((e) => e.data.text)).toEqual(['Provider confirmed the fix at 14:00']);
    expect(entries.filter((e) => e.type === 'evidence.attached')).toHaveLength(1);
    expect(answersIn(entries).map(([step]) => step)).toEqual(['confirmed', 'discovered_at', 'exposed_data', 'members_affected', 'remarks', 'evidence', 'authority_notified_at']);
    const verify = leakctl(['verify', 't3', '--dir', dir]);
    expect(verify.code, verify.stderr).toBe(0);
  }, 180_000);

  it('works the board from the prompts: ? opens the choices; Not yet, Back, Jump, a note, files attached, the board and a draft on demand', async () => {
    const dir = join(tmp, 'board');
    terminal('board', ['start', join(fixtures, 'board.yaml'), '--id', 't4', '--dir', dir, '--templates', join(fixtures, 'templates'), '--responder', 'dana']);
    await prompted('board', 'Have you verified the leak? (y/n, ? for more)');
    keys('board', 'y', 'Enter');
    await answerAt('board', 'When did you become aware of the leak?', '-1h');
    await prompted('board', 'Read as');
    keys('board', 'Enter');
    // The clock runs from the first answer that starts it, on the next screen.
    await prompted('board', 'What was exposed?');
    expect(screen('board')).toMatch(/⏱ Notify the supervisory authority: 2d 2[23]h left/);
    keys('board', 'Space', 'Enter');
    // Back: the previous step again.
    await answerAt('board', 'How many members are affected?', '?');
    await prompted('board', 'What now with "How many members are affected?"?');
    keys('board', 'Down', 'Down', 'Down', 'Enter');
    // Back answers the step again, with the earlier answer ticked already.
    expect(await prompted('board', 'What was exposed?')).toMatch(/◉ Member names/);
    keys('board', 'Enter');
    // Not yet, with a reason.
    await answerAt('board', 'How many members are affected?', '?');
    await prompted('board', 'What now with "How many members are affected?"?');
    keys('board', 'Down', 'Enter');
    await answerAt('board', 'Why not yet?', 'the provider is counting');
    // A note, then the board, without leaving the question.
    await answerAt('board', 'Anything else to record?', '?');
    await prompted('board', 'What now with "Anything else to record?"?');
    keys('board', 'Down', 'Down', 'Down', 'Down', 'Down', 'Enter');
    await answerAt('board', 'Note (kept in the evidence log)', 'Moderators told to expect questions');
    // Files for the evidence log, dropped at the menu's prompt.
    await answerAt('board', 'Anything else to record?', '?');
    await prompted('board', 'What now with "Anything else to record?"?');
    keys('board', 'Down', 'Down', 'Down', 'Down', 'Down', 'Down', 'Enter');
    await answerAt('board', 'Files to attach', join(fixtures, 'access-log.txt'));
    await answerAt('board', 'Anything else to record?', '?');
    await prompted('board', 'What now with "Anything else to record?"?');
    keys('board', 'Down', 'Down', 'Down', 'Down', 'Down', 'Down', 'Down', 'Enter');
    const board = await waitFor('board', /Board: \d+ answered/);
    expect(board).toContain('not yet: members_affected (the provider is counting)');
    // Jump to the deferred step, answer it, and the walk comes back to where it was.
    await answerAt('board', 'Anything else to record?', '?');
    await prompted('board', 'What now with "Anything else to record?"?');
    keys('board', 'Down', 'Down', 'Down', 'Down', 'Enter');
    await prompted('board', 'Which step?');
    type('board', 'How many');
    keys('board', 'Enter');
    await answerAt('board', 'How many members are affected?', '12');
    // A draft on demand: it needs the remarks, asks for them, then writes the notice.
    await answerAt('board', 'Anything else to record?', '?');
    await prompted('board', 'What now with "Anything else to record?"?');
    keys('board', 'Down', 'Down', 'Down', 'Down', 'Down', 'Down', 'Down', 'Down', 'Enter');
    await prompted('board', 'Which notice?');
    keys('board', 'Enter');
    await answerAt('board', 'Anything else to record?', 'Reported by a member on the forum');
    await waitFor('board', 'Draft written:');
    // The duty is not done yet: Not yet, and the walk ends with it on the board.
    await answerAt('board', 'Attach the access log', join(fixtures, 'access-log.txt'));
    await prompted('board', 'When was the supervisory authority notified?');
    expect(screen('board')).toContain('❯ Not yet: keep it on the board (the clock keeps running)');
    keys('board', 'Enter');
    const end = await waitFor('board', EXITED);
    expect(end).toMatch(/^EXIT=0$/m);
    expect(end).toContain('Not yet: authority_notified_at. When you can: leakctl next t4');

    const entries = entriesOf(dir, 't4');
    const kinds = entries
      .filter((e) => e.type.startsWith('step.') || e.type === 'note.added' || e.type === 'notice.rendered' || e.type === 'evidence.attached')
      .map((e) => `${e.type} ${String(e.data.step ?? e.data.template ?? e.data.text ?? (e.data.files as { original?: string }[] | undefined)?.[0]?.original?.split('/').pop())}`);
    expect(kinds).toEqual([
      'step.answered confirmed',
      'step.answered discovered_at',
      'step.answered exposed_data',
      'step.skipped processor_told',
      'step.answered exposed_data',
      'step.deferred members_affected',
      'note.added Moderators told to expect questions',
      'evidence.attached access-log.txt',
      'step.answered members_affected',
      'step.answered remarks',
      'notice.rendered member-update',
      'step.answered evidence',
      'step.deferred authority_notified_at',
      // The end of the run renders the notices due, as ever: this one has every answer.
      'notice.rendered member-update',
    ]);
    expect(leakctl(['verify', 't4', '--dir', dir]).code).toBe(0);

    // Resumed later, the step put off is offered again (once); this time the duty is done.
    terminal('board2', ['resume', 't4', '--dir', dir, '--templates', join(fixtures, 'templates'), '--responder', 'dana']);
    await dutyDoneAt('board2', 'When was the supervisory authority notified?', 'now');
    expect(await waitFor('board2', EXITED)).toMatch(/^EXIT=0$/m);
    expect(answersIn(entriesOf(dir, 't4')).map(([step]) => step)).toContain('authority_notified_at');
  }, 240_000);

  it('asks the responder\'s name and who signs once when nothing names them, offering what the system knows to edit', async () => {
    const dir = join(tmp, 'named');
    terminal('named', ['start', breach, '--id', 't5', '--dir', dir]);
    await prompted('named', 'Your name, as the evidence log');
    expect(screen('named')).toContain('Set `responder:` in leakctl.config.yaml, or pass --responder');
    type('named', ' (lead)');
    keys('named', 'Enter');
    // No signatory in a config: who signs is asked too, the responder offered.
    await prompted('named', 'Who signs the notices?');
    keys('named', 'Enter');
    await answerAt('named', 'Their role, as the notices show it', 'Incident lead');
    await prompted('named', 'Have you verified the leak?');
    keys('named', 'C-c');
    expect(await waitFor('named', EXITED)).toMatch(/^EXIT=130$/m);
    const opened = entriesOf(dir, 't5')[0]!;
    expect(String(opened.data.responder)).toMatch(/^\S.* \(lead\)$/);
    expect(opened.data.signatory).toEqual({ name: opened.data.responder, role: 'Incident lead' });
  }, 180_000);

  it('attach asks on a terminal for the custody it was not given: what the files are, from where, when', async () => {
    const dir = join(tmp, 'custody');
    expect(leakctl(['start', breach, '--answers', join(fixtures, 'complete.yaml'), '--id', 't9', '--dir', dir]).code).toBe(0);
    terminal('custody', ['attach', 't9', join(fixtures, 'access-log.txt'), '--dir', dir, '--responder', 'dana', '--how', 'scp from the server']);
    await answerAt('custody', 'What is it?', 'The web server access log of 2 March');
    await answerAt('custody', 'Collected from where?', 'web-01:/var/log/nginx/access.log');
    await prompted('custody', 'Collected when?');
    expect(screen('custody')).not.toContain('Collected how?');
    type('custody', '2026-03-02T08:00:00Z');
    keys('custody', 'Enter');
    const shown = await waitFor('custody', EXITED);
    expect(shown).toMatch(/^EXIT=0$/m);
    expect(shown).toContain('Attached to incident t9');
    expect(shown).not.toContain('Custody not stated');
    const attached = entriesOf(dir, 't9').filter((e) => e.type === 'evidence.attached');
    expect(attached.map((e) => e.data.custody)).toEqual([
      { collected_by: 'dana', description: 'The web server access log of 2 March', from: 'web-01:/var/log/nginx/access.log', how: 'scp from the server', collected_at: '2026-03-02T08:00:00Z' },
    ]);
    // When is not known: Enter leaves it unstated; nothing offers "now" as if it were known.
    terminal('custody-2', ['attach', 't9', join(fixtures, 'access-log.txt'), '--dir', dir, '--responder', 'dana', '--description', 'The same log, again', '--from', 'web-01', '--how', 'scp']);
    await prompted('custody-2', 'Collected when?');
    expect(screen('custody-2')).not.toMatch(/Collected when\?.*\(now\)/);
    keys('custody-2', 'Enter');
    expect(await waitFor('custody-2', EXITED)).toMatch(/^EXIT=0$/m);
    const again = entriesOf(dir, 't9').filter((e) => e.type === 'evidence.attached');
    expect(again.at(-1)!.data.custody).toEqual({ collected_by: 'dana', description: 'The same log, again', from: 'web-01', how: 'scp' });
  }, 180_000);

  // Guard: a paste of several lines kept only its first line.
  it('keeps a pasted answer of several lines whole, blank lines included', async () => {
    const dir = join(tmp, 'pasted');
    terminal('pasted', ['start', join(fixtures, 'longtext.yaml'), '--id', 't6', '--dir', dir, '--responder', 'dana']);
    await prompted('pasted', 'What happened?');
    tmux('set-buffer', '-b', 'story', 'A change to the export feature\nlet members download private messages.\n\nFixed on 2 March.\n');
    tmux('paste-buffer', '-b', 'story', '-t', 'pasted');
    await waitFor('pasted', 'Fixed on 2 March.');
    type('pasted', '.');
    keys('pasted', 'Enter');
    await answerAt('pasted', 'Provider ticket number?', 'T-4471');
    expect(await waitFor('pasted', EXITED)).toMatch(/^EXIT=0$/m);
    expect(answersIn(entriesOf(dir, 't6'))).toEqual([
      ['story', 'A change to the export feature\nlet members download private messages.\n\nFixed on 2 March.'],
      ['ticket', 'T-4471'],
    ]);
  }, 180_000);

  it('pauses on Ctrl+C at a prompt: exit 130, run.paused logged last, answers kept', async () => {
    const dir = join(tmp, 'interrupted');
    terminal('ctrlc', ['start', breach, '--id', 't2', '--dir', dir, '--now', '2026-03-02T09:00:00Z', '--responder', 'dana']);
    await waitFor('ctrlc', 'Have you verified the leak?');
    keys('ctrlc', 'y', 'Enter');
    await waitFor('ctrlc', 'When did you become aware of the leak?');
    keys('ctrlc', 'C-c');
    const shown = await waitFor('ctrlc', EXITED);
    expect(shown).toMatch(/^EXIT=130$/m);
    expect(shown).toContain('leakctl resume t2');

    const entries = entriesOf(dir, 't2');
    expect(entries.at(-1)).toMatchObject({ type: 'run.paused', data: { at_step: 'discovered_at' } });
    expect(answersIn(entries)).toEqual([['confirmed', true]]);
    expect(leakctl(['verify', 't2', '--dir', dir]).code).toBe(0);
  }, 180_000);

  it.skipIf(noSshKeygen !== null)('Ctrl+C leaves at once even when sessions are sealed: no passphrase asked, and it says how to seal', async () => {
    const cwd = join(tmp, 'seal-ctrlc');
    const sealed = await sealedIncident(cwd);
    const config = join(cwd, 'leakctl.config.yaml');
    writeFileSync(config, `${readFileSync(config, 'utf8')}seal_at_session_end: true\n`);
    terminal('sealc', ['--config', config, 'start', breach, '--id', 't10', '--dir', sealed.dir, '--responder', 'dana']);
    await waitFor('sealc', 'Have you verified the leak?');
    keys('sealc', 'C-c');
    const shown = await waitFor('sealc', EXITED);
    expect(shown).toMatch(/^EXIT=130$/m);
    expect(shown).toContain('Not sealed, since the session was interrupted: leakctl seal t10 seals it.');
    expect(existsSync(join(sealed.dir, 't10', 'checkpoints'))).toBe(false);
  }, 180_000);
});
