/**
 * The shape of the house (STYLE, issue 8), checked by `npm run lint`: no import cycles; commands
 * never import other commands; only the Incident (and the evidence layer itself) touches the
 * log's writer, its lock and the attachment store; and no layer reaches up to one above it.
 */
const layers = [
  ['ui', ['ui', 'options', 'package-root']],
  // Instants, durations and zones: below everything that reads a date.
  ['time', ['time']],
  ['documents', ['ui', 'documents', 'schemas', 'package-root']],
  ['schemas', ['schemas']],
  // The regime pack: law as data, below the playbooks that refer to it.
  ['regimes', ['ui', 'documents', 'schemas', 'regimes', 'time', 'package-root']],
  ['evidence', ['ui', 'evidence']],
  ['playbook', ['ui', 'documents', 'schemas', 'regimes', 'playbook', 'config', 'time']],
  ['config', ['ui', 'documents', 'schemas', 'config', 'options', 'package-root', 'time']],
  ['deadlines', ['ui', 'documents', 'schemas', 'regimes', 'deadlines', 'playbook', 'config', 'options', 'package-root', 'time']],
  ['notices', ['ui', 'documents', 'schemas', 'regimes', 'evidence', 'playbook', 'config', 'deadlines', 'notices', 'time']],
  ['incident', ['ui', 'documents', 'schemas', 'regimes', 'evidence', 'playbook', 'config', 'deadlines', 'incident', 'options', 'time']],
  ['run', ['ui', 'documents', 'schemas', 'regimes', 'evidence', 'playbook', 'config', 'deadlines', 'notices', 'incident', 'run', 'options', 'time']],
  // What a reader who was not there reads (issue 15): the report, the register, the timeline.
  ['report', ['ui', 'documents', 'schemas', 'regimes', 'evidence', 'playbook', 'config', 'deadlines', 'notices', 'incident', 'run', 'report', 'options', 'time']],
];

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', comment: 'An import cycle: move what both sides need to a module below them.', from: {}, to: { circular: true } },
    {
      name: 'commands-do-not-import-commands',
      severity: 'error',
      comment: 'A command opens what it needs and asks it; what two commands share lives in run/, incident/ or below.',
      from: { path: '^src/commands/' },
      to: { path: '^src/commands/' },
    },
    {
      name: 'only-the-incident-writes',
      severity: 'error',
      comment: 'The log writer, the lock and the attachment store are reached through Incident (src/incident/) only.',
      from: { pathNot: '^src/(incident|evidence)/' },
      to: { path: '^src/evidence/(log|lock|attachments)\\.ts$' },
    },
    ...layers.map(([layer, allowed]) => ({
      name: `${layer}-stays-below-its-callers`,
      severity: 'error',
      comment: `src/${layer}/ may import only from ${allowed.join(', ')}: an import from above runs back up the house.`,
      from: { path: `^src/${layer}(/|\\.ts$)` },
      to: { path: '^src/', pathNot: `^src/(${allowed.join('|')})(/|\\.ts$)` },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
