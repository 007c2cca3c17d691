#!/usr/bin/env python3
"""Checks a leakctl incident without leakctl: its evidence log, its attachments, its checkpoints.

    python3 verify.py INCIDENT_DIR [--json] [--drafts] [--checkpoint FILE]... [--head HEX]

INCIDENT_DIR holds evidence.jsonl, and attachments/ and checkpoints/ when it has them; its name is
the incident's id. An incident worked by several responders also has chains/W.jsonl, the chain of
each copy other than the opener's: each is checked like evidence.jsonl, then the links between
them (sees): each responder's chain had read the incident's opening, and no chain wrote after
reading another's incident.closed; the entries are counted over all chains, and the head is that
of the last entry in their merged order. --checkpoint FILE holds the log to a copy of a checkpoint received apart from
it (by mail, in a ticket), and --head HEX to a head hash received so: a log cut back to before
its seals, its checkpoints removed, fails them. Exit 0 when everything holds, 3 when something
does not (each problem is printed), 2 when it cannot run. --drafts also holds every file in
drafts/ to the SHA-256 its latest notice.rendered entry recorded (an export bundle carries only
such drafts; in a working incident a responder may have edited one). The Python standard library only, and nothing but the directory
is read. It is the second implementation of the rules in leakctl's README ("The evidence log,
byte by byte"); read it before you trust it. Signatures and timestamps are checked by ssh-keygen
and openssl themselves (VERIFY.md gives the commands); of a timestamp token this only checks that
it stamps its checkpoint (the checkpoint's SHA-256 is its message imprint).
"""
import base64
import hashlib
import json
import os
import re
import stat
import sys

TYPES = {
    'incident.opened', 'step.answered', 'step.skipped', 'step.deferred', 'step.declined',
    'module.joined', 'evidence.attached', 'note.added', 'deadline.started', 'deadline.met',
    'notice.rendered', 'notice.withdrawn', 'run.paused', 'run.resumed', 'incident.closed',
    'checkpoint.sealed', 'step.assigned', 'lead.handed', 'responder.joined',
}
MEMBERS = ['seq', 'at', 'type', 'actor', 'data', 'prev', 'hash']
# ASCII digits only: in Python, \d would match any Unicode digit.
AT = re.compile(r'[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\.[0-9]{3}Z')
HEX64 = re.compile(r'[0-9a-f]{64}')
# What ends every line: `,"hash":"` and 64 hex digits, then `"}`.
HASH_OPEN = b',"hash":"'
HASH_SUFFIX = len(HASH_OPEN) + 64 + 2
MAX_SAFE = 2 ** 53 - 1
# A checkpoint or its signature is a few hundred bytes: anything far larger is not one.
MAX_SMALL = 64 * 1024
NOFOLLOW = getattr(os, 'O_NOFOLLOW', 0) | getattr(os, 'O_NONBLOCK', 0)
CHECKPOINT_NAME = re.compile(r'checkpoints/[^/\x00-\x1f]+\.checkpoint')
# A responder's chain is chains/W.jsonl, W of these characters (leakctl's writerKey).
WRITER = re.compile(r'[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?')
# A checkpoint's extension line sealing such a chain: `chain W N HEAD`, HEAD in base64.
CHAIN_LINE = re.compile(r'chain ([a-z0-9-]{1,80}) (0|[1-9][0-9]{0,15}) (\S+)')
LOG = 'evidence.jsonl'


def shown(text):
    """Text from the files, safe to print: control characters and the like escaped."""
    return ''.join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def read_small(path):
    """A small regular file's bytes, never through a link nor blocking on a FIFO, or why not."""
    try:
        fd = os.open(path, os.O_RDONLY | NOFOLLOW)
    except OSError as e:
        return 'is missing' if e.errno == 2 else 'cannot be read (%s)' % (e.strerror or e)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return 'is not a regular file'
        if st.st_size > MAX_SMALL:
            return 'is %d bytes, far larger than a checkpoint' % st.st_size
        return os.read(fd, st.st_size)
    finally:
        os.close(fd)


def unique_members(pairs):
    """Objects as json builds them, refusing a member name written twice (the last would win)."""
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise ValueError('member %s written twice' % json.dumps(key))
        seen.add(key)
    return dict(pairs)


def refuse_constant(name):
    raise ValueError('%s is not JSON' % name)


def is_number(v):
    return type(v) in (int, float)


def is_entry_number(v):
    """A whole number >= 0 that a double holds exactly (1.0 is 1, as JSON readers take it; true is no number)."""
    return (type(v) is int or (type(v) is float and v.is_integer())) and 0 <= v <= MAX_SAFE


def shape_error(o):
    """Why the parsed line is not an entry, or None. Members keep the order they are written in."""
    keys = list(o)
    if keys != MEMBERS:
        return 'has members %s; expected exactly %s in that order' % (', '.join(keys) or '(none)', ', '.join(MEMBERS))
    seq = o['seq']
    if not is_entry_number(seq):
        return 'seq %s is not a whole number >= 0' % json.dumps(seq)
    if not isinstance(o['at'], str) or not AT.fullmatch(o['at']):
        return 'at %s is not an RFC 3339 UTC time with milliseconds' % json.dumps(o['at'])
    if o['type'] not in TYPES:
        return 'type %s is not an entry type' % json.dumps(o['type'])
    if not isinstance(o['actor'], str):
        return 'actor is not a string'
    if not isinstance(o['data'], dict):
        return 'data is not a JSON object'
    if o['prev'] is not None and not (isinstance(o['prev'], str) and HEX64.fullmatch(o['prev'])):
        return 'prev is neither null nor a SHA-256 hex hash'
    if not isinstance(o['hash'], str) or not HEX64.fullmatch(o['hash']):
        return 'hash is not a SHA-256 hex hash'
    return None


def parse_line(raw):
    """The entry on one line (bytes, without its newline), or why it is not one."""
    try:
        text = raw.decode('utf-8')  # strict: an invalid byte is an error, never U+FFFD
    except UnicodeDecodeError:
        return None, 'is not valid UTF-8 (a byte was changed?)'
    try:
        value = json.loads(text, parse_constant=refuse_constant, object_pairs_hook=unique_members)
    except ValueError as e:
        return None, 'not valid JSON (%s)' % e
    except RecursionError:
        return None, 'not valid JSON (nested too deeply)'
    if not isinstance(value, dict):
        return None, 'not a JSON object'
    if text.endswith('\r'):
        return None, 'ends with a carriage return (saved with Windows line endings?)'
    why = shape_error(value)
    return (None, why) if why else (value, None)


class EmptyLog(Exception):
    pass


def check_log(path, joined=False):
    """(entries verified, head, hash of each entry by position, the entries, problems).

    joined: a responder's chain under chains/, which begins with responder.joined rather than
    incident.opened, and holds no incident.opened.
    """
    fd = os.open(path, os.O_RDONLY | NOFOLLOW)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, 'not a regular file')
        with os.fdopen(os.dup(fd), 'rb') as f:
            data = f.read()
    finally:
        os.close(fd)
    if not data:
        raise EmptyLog()
    lines = data.split(b'\n')
    complete, rest = lines[:-1], lines[-1]
    entries, head, last_at, closed = 0, None, None, False
    hash_at, kept, problems = {}, [], []
    for i, raw in enumerate(complete):
        n = i + 1
        entry, why = parse_line(raw)
        if entry is None and why.startswith('not valid JSON') and n == len(complete) and not rest:
            problems.append((n, 'line %d: torn last line (a crash while writing?)' % n))
            break
        if why is None:
            # The hash covers the line's own bytes up to the hash member, with the object closed.
            start = len(raw) - HASH_SUFFIX
            if start < 0 or raw[start:start + len(HASH_OPEN)] != HASH_OPEN or raw[-2:] != b'"}' or raw[-66:-2] != entry['hash'].encode():
                why = 'does not end with its hash the way leakctl writes it (edited by hand?)'
            elif hashlib.sha256(raw[:start] + b'}').hexdigest() != entry['hash']:
                why = 'hash does not match its content (entry edited?)'
            elif entry['seq'] != n - 1:
                why = 'seq %s where %d was expected (a line deleted or swapped?)' % (json.dumps(entry['seq']), n - 1)
            elif entry['prev'] != head:
                why = ('prev should be null in the first entry (lines deleted from the start?)' if n == 1
                       else "prev does not link to line %d's hash (a line deleted, inserted or swapped?)" % (n - 1))
            elif closed:
                why = 'entry after the incident was closed on line %d (appended later?)' % (n - 1)
            elif joined and n == 1 and entry['type'] != 'responder.joined':
                why = "the first entry is %s; a responder's chain begins with responder.joined (its start was cut off or replaced?)" % entry['type']
            elif joined and entry['type'] == 'incident.opened':
                why = "incident.opened in a responder's chain: an incident is opened once, in evidence.jsonl"
            elif joined and n > 1 and entry['type'] == 'responder.joined':
                why = 'responder.joined where only the first entry may be one (two chains joined together?)'
            elif not joined and n == 1 and entry['type'] != 'incident.opened':
                why = 'the first entry is %s; a log begins with incident.opened' % entry['type']
            elif not joined and n > 1 and entry['type'] == 'incident.opened':
                why = 'incident.opened where only the first entry may be one (two logs joined together?)'
            elif not joined and entry['type'] == 'responder.joined':
                why = "responder.joined in the opener's log: it begins a responder's own chain, under chains/"
            elif last_at is not None and entry['at'] < last_at:
                # One fixed-width form, so comparing the text compares the times.
                why = 'at %s is earlier than the entry before it (%s)' % (entry['at'], last_at)
        if why is not None:
            problems.append((n, 'line %d: %s' % (n, why)))
            break
        entries, head, last_at = n, entry['hash'], entry['at']
        closed = entry['type'] == 'incident.closed'
        hash_at[n] = head
        kept.append((n, entry))
    else:
        if rest:
            problems.append((len(complete) + 1, 'line %d: torn last line (a crash while writing?)' % (len(complete) + 1)))
    return entries, head, hash_at, kept, problems


def is_file_ref(f, need_bytes):
    return (isinstance(f, dict) and isinstance(f.get('path'), str) and isinstance(f.get('sha256'), str)
            and (not need_bytes or is_number(f.get('bytes'))))


def attachment_refs(n, e):
    """The files an entry names as evidence: (line, path, sha256, bytes or None)."""
    if e['type'] == 'evidence.attached':
        files = e['data'].get('files')
        if not isinstance(files, list):
            return 'line %d: evidence.attached has no files list' % n
        if not all(is_file_ref(f, False) for f in files):
            return 'line %d: evidence.attached lists a file without a path and sha256' % n
        return [(n, f['path'], f['sha256'], f['bytes'] if is_number(f.get('bytes')) else None) for f in files]
    if e['type'] == 'step.answered':
        v = e['data'].get('value')
        if isinstance(v, list) and v and all(is_file_ref(f, True) for f in v):
            return [(n, f['path'], f['sha256'], f['bytes']) for f in v]
    return []


def check_attachment(root, n, rel, sha256, size):
    parts = rel.split('/')
    if os.path.isabs(rel) or any(p in ('', '.', '..') for p in parts):
        return 'line %d: attachment path %s points outside the incident directory' % (n, json.dumps(rel))
    # Every directory on the way and the file itself as they are: a link is refused, as leakctl refuses it.
    for k in range(1, len(parts) + 1):
        try:
            st = os.lstat(os.path.join(root, *parts[:k]))
        except OSError:
            return 'line %d: attachment %s is missing' % (n, shown(rel))
        if stat.S_ISLNK(st.st_mode):
            return 'line %d: attachment %s: %s is a symbolic link' % (n, shown(rel), shown('/'.join(parts[:k])))
    if not stat.S_ISREG(st.st_mode):
        return 'line %d: attachment %s is no longer a regular file' % (n, shown(rel))
    h, count = hashlib.sha256(), 0
    with open(os.path.join(root, rel), 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
            count += len(chunk)
    if h.hexdigest() != sha256:
        return 'line %d: attachment %s has changed (its sha256 is now %s; the log recorded %s)' % (n, shown(rel), h.hexdigest(), shown(sha256))
    if size is not None and count != size:
        return 'line %d: attachment %s is %d bytes; the log recorded %d' % (n, shown(rel), count, size)
    return None


def parse_checkpoint(text):
    """(origin, size, head in hex, extension lines), or why the text is not a checkpoint."""
    if not text.endswith('\n'):
        return 'a checkpoint ends with a newline'
    lines = text[:-1].split('\n')
    if len(lines) < 3:
        return 'a checkpoint has an origin, a size and a head'
    origin, size, head = lines[0], lines[1], lines[2]
    if not origin or re.search(r'[\s+]', origin):
        return 'the first line (the origin) is empty or holds a space or a plus sign'
    if not re.fullmatch(r'0|[1-9][0-9]{0,15}', size):
        return 'the second line is not a number of entries'
    try:
        raw = base64.b64decode(head, validate=True)
    except ValueError:
        raw = b''
    if len(raw) != 32 or base64.b64encode(raw).decode() != head:
        return 'the third line is not a SHA-256 hash in base64'
    if any(line == '' for line in lines[3:]):
        return 'a blank line inside the checkpoint'
    return origin, int(size), raw.hex(), lines[3:]


def sealed_total(parsed):
    """The entries a checkpoint seals in every chain: evidence.jsonl's, and each `chain` line's."""
    chains = sealed_chains(parsed[3])
    return parsed[1] + (0 if isinstance(chains, str) else sum(c[1] for c in chains))


def sealed_chains(extensions):
    """The chains a checkpoint seals besides evidence.jsonl, from its `chain W N HEAD` lines:
    (writer, entries, head in hex) each, or why one such line is not one. Other lines are ignored."""
    out = []
    for line in extensions:
        if not line.startswith('chain '):
            continue
        m = CHAIN_LINE.fullmatch(line)
        raw = b''
        if m:
            try:
                raw = base64.b64decode(m.group(3), validate=True)
            except ValueError:
                raw = b''
        if not m or len(raw) != 32 or base64.b64encode(raw).decode() != m.group(3):
            return 'the extension line "%s" is not "chain WRITER ENTRIES HEAD"' % shown(line)
        out.append((m.group(1), int(m.group(2)), raw.hex()))
    return out


def load_checkpoint(path, rel):
    """(origin, size, head, extension lines), or why the file is not a checkpoint."""
    raw = read_small(path)
    if isinstance(raw, str):
        return '%s %s' % (rel, raw)
    try:
        parsed = parse_checkpoint(raw.decode('utf-8'))
    except UnicodeDecodeError:
        parsed = 'not UTF-8 text'
    return '%s is not a checkpoint: %s' % (rel, parsed) if isinstance(parsed, str) else parsed


def head_problem(rel, parsed, incident, entries, hash_at, chain_hash=None):
    """Why the log, or a responder's chain it seals, no longer leads to what a checkpoint sealed, or None.

    chain_hash(writer, n): the hash of entry n - 1 of chains/writer.jsonl, None when it has no such entry.
    """
    origin, size, head, extensions = parsed
    if incident is not None and origin != 'leakctl/incident/' + incident:
        return '%s is a checkpoint of "%s", not of this incident (leakctl/incident/%s)' % (rel, shown(origin), shown(incident))
    if size > entries:
        return '%s sealed %d entries, and only the first %d of the log verify: the entries it sealed were removed or changed' % (rel, size, entries)
    if hash_at.get(size) != head:
        return ('%s sealed the first %d entries with head %s; entry #%d of the log now hashes to %s: the log was rewritten after it was sealed'
                % (rel, size, head, size - 1, hash_at.get(size, '(none)')))
    # The other responders' chains it sealed: each must still lead to its head.
    chains = sealed_chains(extensions)
    if isinstance(chains, str):
        return '%s: %s' % (rel, chains)
    for writer, n, sealed in chains:
        now = chain_hash(writer, n) if chain_hash else None
        if now != sealed:
            return ('%s sealed the first %d entries of chains/%s.jsonl with head %s; %s' % (rel, n, writer, sealed,
                    'that chain no longer has them (cut short or removed?)' if now is None
                    else 'its entry #%d now hashes to %s: the chain was rewritten after it was sealed' % (n - 1, now)))
    return None


def check_checkpoints(root, incident, entries, hash_at, sealed_files, chain_hash=None):
    """Each checkpoint against the log (and the chains it seals); the names of those that hold, and the problems.

    sealed_files: (the chain file's name and a space, or '' for evidence.jsonl; line; checkpoint named) of each checkpoint.sealed entry.
    """
    where = os.path.join(root, 'checkpoints')
    held, problems = [], []
    if os.path.islink(where) or (os.path.exists(where) and not os.path.isdir(where)):
        return held, ['checkpoints is not a directory']
    names = sorted(n for n in os.listdir(where) if n.endswith('.checkpoint')) if os.path.isdir(where) else []
    for name in names:
        rel = 'checkpoints/' + shown(name)
        parsed = load_checkpoint(os.path.join(where, name), rel)
        if isinstance(parsed, str):
            problems.append(parsed)
            continue
        sig = read_small(os.path.join(where, name + '.sig'))
        if isinstance(sig, str):
            problems.append('%s.sig, its signature, %s' % (rel, sig))
        token_ok = True
        token = read_small(os.path.join(where, name + '.tsr'))
        if isinstance(token, str) and token != 'is missing':
            problems.append('%s.tsr, its timestamp, %s' % (rel, token))
            token_ok = False
        elif not isinstance(token, str):
            # The imprint is DER: an OCTET STRING of 32 bytes (04 20), the checkpoint's SHA-256.
            imprint = b'\x04\x20' + hashlib.sha256(read_small(os.path.join(where, name))).digest()
            if imprint not in token:
                problems.append("%s.tsr: its timestamp is not good: it does not stamp this checkpoint's SHA-256" % rel)
                token_ok = False
        why = head_problem(rel, parsed, incident, entries, hash_at, chain_hash)
        if why:
            problems.append(why)
        elif not isinstance(sig, str) and token_ok:
            held.append((rel, sealed_total(parsed), parsed[2]))
    for chain, n, rel in sealed_files:
        if not CHECKPOINT_NAME.fullmatch(rel):
            problems.append('%sline %d: it names %s as its checkpoint; a checkpoint is checkpoints/NAME.checkpoint' % (chain, n, json.dumps(rel)))
        elif not os.path.isfile(os.path.join(root, rel)):
            problems.append('%sline %d: the checkpoint it sealed, %s, is missing' % (chain, n, shown(rel)))
    return held, problems


def kind_of(st):
    if stat.S_ISLNK(st.st_mode):
        return 'a symbolic link'
    if stat.S_ISREG(st.st_mode):
        return 'a file'
    if stat.S_ISFIFO(st.st_mode):
        return 'a named pipe (FIFO)'
    return 'not a directory'


def chain_names(root):
    """The responders' chain files under chains/ (their names, in code-point order), and why
    chains is not their directory, or None. Names beginning with a dot, or not ending in .jsonl,
    are not chains. No chains/: no names."""
    where = os.path.join(root, 'chains')
    try:
        st = os.lstat(where)
    except OSError:
        return [], None
    if not stat.S_ISDIR(st.st_mode):
        return [], "chains is %s, not the directory of the responders' chains" % kind_of(st)
    return sorted(n for n in os.listdir(where) if n.endswith('.jsonl') and not n.startswith('.')), None


def writer_of(first):
    """The chain an incident.opened or responder.joined entry names as its own ('' when none)."""
    w = first['data'].get('writer')
    return w if isinstance(w, str) else ''


def sees_of(e):
    """What an entry says its writer had read of the other chains ({writer: {seq, hash}}), None
    when it says nothing, or why it is not a list of heads."""
    if 'sees' not in e['data']:
        return None
    sees = e['data']['sees']
    if not isinstance(sees, dict):
        return 'its sees is not an object of heads'
    for seen in sees.values():
        if not isinstance(seen, dict) or not isinstance(seen.get('hash'), str) or not is_number(seen.get('seq')):
            return 'its sees names a head without a seq and a hash'
    return sees


def link_problem(chain, n, sees, by_writer):
    """Why an entry's sees (line n of chain) does not name an entry of another chain as it is, or None."""
    where = '%s line %d' % (chain['file'], n)
    for other, seen in sees.items():
        seq, them = seen['seq'], shown(other)
        if other == chain['writer']:
            return "%s: its sees names its own chain (%s); an entry sees only the other responders' chains" % (where, them)
        if not is_entry_number(seq):
            return "%s: it has seen entry %s of %s's chain, which is not an entry number" % (where, json.dumps(seq), them)
        target = by_writer.get(other)
        if target is None:
            return "%s: it has seen entry #%d of %s's chain, and the incident has no chain of %s (removed?)" % (where, seq, them, them)
        if seq >= len(target['entries']):
            return ("%s: it has seen entry #%d of %s's chain (%s), which has only %d entries (entries cut from it, or not yet synced?)"
                    % (where, seq, them, shown(target['file']), len(target['entries'])))
        now = target['entries'][int(seq)]['hash']
        if now != seen['hash']:
            return ("%s: it has seen entry #%d of %s's chain (%s) with hash %s; that entry now hashes to %s (rewritten?)"
                    % (where, seq, them, shown(target['file']), shown(seen['hash']), now))
    return None


def merge_order(chains, sees):
    """The one order of the incident's entries, [(chain, seq)], or why no order satisfies the links.

    Each entry comes after the entry before it in its chain and after every entry it sees; among
    the entries ready, the earliest at, then the writer's name by code points (leakctl's mergeChains).
    sees[i][s]: what entry s of chain i sees, or None.
    """
    if len(chains) == 1:
        return [(0, s) for s in range(len(chains[0]['entries']))]
    by_writer = {c['writer']: i for i, c in enumerate(chains)}
    nxt = [0] * len(chains)
    total = sum(len(c['entries']) for c in chains)
    order = []

    def ready(i):
        seen = sees[i][nxt[i]]
        return seen is None or all(nxt[by_writer[w]] > head['seq'] for w, head in seen.items())

    while len(order) < total:
        best = -1
        for i, c in enumerate(chains):
            if nxt[i] >= len(c['entries']) or not ready(i):
                continue
            if best >= 0:
                a, b = c['entries'][nxt[i]], chains[best]['entries'][nxt[best]]
                # at is ASCII of fixed width: comparing the text compares the times.
                if not (a['at'] < b['at'] or (a['at'] == b['at'] and c['writer'] < chains[best]['writer'])):
                    continue
            best = i
        if best < 0:
            stuck = ', '.join('%s line %d' % (shown(c['file']), nxt[i] + 1) for i, c in enumerate(chains) if nxt[i] < len(c['entries']))
            return ("the chains' cross-links form a cycle (%s each wait on an entry of another chain that waits on them): "
                    'no order satisfies them, which only an edited chain can cause' % stuck)
        order.append((best, nxt[best]))
        nxt[best] += 1
    return order


def merge_chains(opener, joined):
    """The incident's entries in merged order, or the first rule the chains together break.

    opener: evidence.jsonl; joined: the chains under chains/, each verified on its own already.
    """
    for c in joined:
        key = c['name'][:-len('.jsonl')]
        if not WRITER.fullmatch(key):
            return "%s: not a name leakctl gives a responder's chain (lower-case letters, digits and hyphens)" % shown(c['file'])
        if c['entries'] and writer_of(c['entries'][0]) != key:
            named = writer_of(c['entries'][0])
            return ('%s line 1: responder.joined names no writer' % c['file'] if named == ''
                    else '%s line 1: it begins the chain %s, whose file is chains/%s.jsonl (renamed or copied?)' % (c['file'], shown(named), shown(named)))
    # A chain file created and not yet written to (a crash between the two) holds nothing.
    chains = [opener] + [c for c in joined if c['entries']]
    if len(chains) > 1 and opener['writer'] == '':
        return ("%s line 1: incident.opened names no writer (an incident opened before chains), yet chains/ holds chains: "
                "they are not this incident's" % LOG)
    for c in chains[1:]:
        if c['writer'] == opener['writer']:
            return '%s is a second chain of %s, who opened the incident and writes %s' % (c['file'], shown(c['writer']), LOG)
    sees = []
    for c in chains:
        sees.append([])
        for e in c['entries']:
            s = sees_of(e)
            if isinstance(s, str):
                return '%s line %d: %s' % (shown(c['file']), e['seq'] + 1, s)
            sees[-1].append(s)
    by_writer = {c['writer']: c for c in chains}
    for c, said in zip(chains, sees):
        for k, s in enumerate(said):
            why = link_problem(c, k + 1, s, by_writer) if s is not None else None
            if why:
                return why
    order = merge_order(chains, sees)
    if isinstance(order, str):
        return order
    if len(chains) > 1:
        why = causal_problem(chains, sees, order)
        if why:
            return why
    return [(chains[i], seq) for i, seq in order]


def happened_before(chains, sees, order):
    """before((chain, seq), (chain, seq)): whether the first entry happened before the second, that
    is, the second's writer had seen it, through their own chain or what they read (and what the
    writers they read had read). A vector clock per entry, computed once in merge order (leakctl's
    happenedBefore): clocks[i][s][j], the last entry of chain j that entry s of chain i knows of (-1: none)."""
    k = len(chains)
    by_writer = {c['writer']: i for i, c in enumerate(chains)}
    clocks = [[None] * len(c['entries']) for c in chains]
    for i, seq in order:
        clock = list(clocks[i][seq - 1]) if seq > 0 else [-1] * k
        for other, head in (sees[i][seq] or {}).items():
            j, s = by_writer[other], int(head['seq'])
            # What they knew when they wrote it, which merge order has already computed.
            clock = [max(x, y) for x, y in zip(clock, clocks[j][s])]
            clock[j] = max(clock[j], s)
        clock[i] = seq
        clocks[i][seq] = clock

    def before(a, b):
        return a[1] < b[1] if a[0] == b[0] else clocks[b[0]][b[1]][a[0]] >= a[1]
    return before


def causal_problem(chains, sees, order):
    """Why the chains, merged, break a rule that holds across them, or None (leakctl's mergeRead):
    a responder joins an incident they have read the opening of; nothing is written after reading
    its close. chains[0] is evidence.jsonl; the others, the responders' chains with entries."""
    before = happened_before(chains, sees, order)
    opener = chains[0]
    for i, c in enumerate(chains):
        if i == 0 or not c['entries']:
            continue
        if not before((0, 0), (i, 0)):
            return ("%s line 1: responder.joined does not say it had read the incident's opening (sees names no entry of %s's writer %s)"
                    % (shown(c['file']), LOG, shown(opener['writer'])))
    for i, c in enumerate(chains):
        if not c['entries'] or c['entries'][-1]['type'] != 'incident.closed':
            continue
        closing = len(c['entries']) - 1
        for j, other in enumerate(chains):
            if j == i:
                continue
            after = next((s for s in range(len(other['entries'])) if before((i, closing), (j, s))), None)
            if after is not None:
                return ('%s line %d: written after reading that the incident was closed (%s line %d); a closed incident takes no entry'
                        % (shown(other['file']), after + 1, shown(c['file']), closing + 1))
    return None


def check_drafts(root, kept):
    """(drafts that are what the log recorded rendering, problems) for every file under drafts/."""
    recorded = {}
    for _, e in kept:
        d = e['data']
        if e['type'] == 'notice.rendered':
            recorded[str(d.get('file'))] = str(d.get('sha256'))
        elif e['type'] == 'notice.withdrawn':
            sha = recorded.pop(str(d.get('file')), None)
            if sha is not None:
                recorded[str(d.get('moved_to'))] = sha
    good, problems = 0, []
    where = os.path.join(root, 'drafts')
    if os.path.islink(where):
        return 0, ['drafts is a symbolic link']
    for top, dirs, files in os.walk(where):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(top, d))]
        for name in sorted(files):
            full = os.path.join(top, name)
            rel = os.path.relpath(full, root).replace(os.sep, '/')
            if not os.path.isfile(full) or os.path.islink(full):
                problems.append('%s is not a regular file' % shown(rel))
                continue
            with open(full, 'rb') as f:
                sha = hashlib.sha256(f.read()).hexdigest()
            if recorded.get(rel) == sha:
                good += 1
            else:
                problems.append('%s is not the draft the log recorded rendering (its sha256 is %s; the log recorded %s)' % (shown(rel), sha, recorded.get(rel, 'none for it')))
    return good, problems


def options(argv):
    """(incident directory, --json, --drafts, checkpoint copies, head), or a usage error."""
    rest, copies, head, as_json, drafts = [], [], None, False, False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == '--json':
            as_json = True
        elif a == '--drafts':
            drafts = True
        elif a in ('--checkpoint', '--head'):
            if i + 1 >= len(argv):
                raise ValueError('%s needs a value' % a)
            i += 1
            if a == '--checkpoint':
                copies.append(argv[i])
            else:
                head = argv[i].strip().lower()
                if not HEX64.fullmatch(head):
                    raise ValueError('--head must be a SHA-256 hash (64 hex digits)')
        elif a.startswith('--'):
            raise ValueError('unknown option %s' % a)
        else:
            rest.append(a)
        i += 1
    if len(rest) != 1:
        raise ValueError('name one incident directory')
    return rest[0], as_json, drafts, copies, head


def main(argv):
    try:
        root, as_json, with_drafts, copies, want = options(argv)
    except ValueError as e:
        print('verify.py: %s\nusage: python3 verify.py INCIDENT_DIR [--json] [--drafts] [--checkpoint FILE]... [--head HEX]' % e, file=sys.stderr)
        return 2
    log = os.path.join(root, 'evidence.jsonl') if os.path.isdir(root) else root
    if os.path.isdir(root) is False:
        root = os.path.dirname(log) or '.'
    copied = []
    for c in copies:
        parsed = load_checkpoint(c, shown(c))
        if isinstance(parsed, str):
            print('--checkpoint: %s' % parsed, file=sys.stderr)
            return 2
        # Its signature is ssh-keygen's to check; one that is there but cannot be read is the reader's to fix.
        sig = read_small(c + '.sig')
        if isinstance(sig, str) and sig != 'is missing':
            print('--checkpoint: %s.sig, its signature, %s' % (shown(c), sig), file=sys.stderr)
            return 2
        copied.append((shown(c), parsed))
    try:
        entries, head, hash_at, kept, problems = check_log(log)
    except OSError as e:
        print('cannot read %s: %s' % (shown(log), e.strerror or e), file=sys.stderr)
        return 2
    except EmptyLog:
        print('%s is empty: there is nothing to verify' % shown(log), file=sys.stderr)
        return 2
    opener = {'file': LOG, 'prefix': '', 'writer': writer_of(kept[0][1]) if kept else '',
              'entries': [e for _, e in kept], 'kept': kept, 'hash_at': hash_at}
    # With several responders, each other copy's chain beside the opener's: chains/W.jsonl.
    joined = []
    if os.path.basename(log) == LOG:
        where = os.path.join(root, 'chains')
        try:
            names, why = chain_names(root)
        except OSError as e:
            print('cannot read %s: %s' % (shown(where), e.strerror or e), file=sys.stderr)
            return 2
        if why:
            problems.append((0, why))
        for name in names:
            rel = 'chains/' + name
            try:
                n, _, at, k, ps = check_log(os.path.join(where, name), joined=True)
            except OSError as e:
                print('cannot read %s: %s' % (shown(os.path.join(where, name)), e.strerror or e), file=sys.stderr)
                return 2
            except EmptyLog:
                # Created empty, then given its first entry: a crash between the two leaves it empty, holding nothing.
                continue
            problems += [(line, '%s %s' % (shown(rel), p)) for line, p in ps]
            joined.append({'file': rel, 'prefix': shown(rel) + ' ', 'name': name, 'writer': name[:-len('.jsonl')],
                           'entries': [e for _, e in k], 'kept': k, 'hash_at': at})
    chains = [opener] + joined
    total = sum(len(c['kept']) for c in chains)
    refs, seen = [], set()
    for c in chains:
        for n, e in c['kept']:
            found = attachment_refs(n, e)
            if isinstance(found, str):
                problems.append((n, c['prefix'] + found))
                continue
            for ref in found:
                if (ref[1], ref[2]) not in seen:
                    seen.add((ref[1], ref[2]))
                    refs.append((c['prefix'], ref))
    for prefix, ref in refs:
        try:
            why = check_attachment(root, *ref)
        except OSError as e:
            why = 'line %d: attachment %s cannot be read (%s)' % (ref[0], shown(ref[1]), e.strerror or e)
        if why:
            problems.append((ref[0], prefix + why))
    sealed = [(c['prefix'], n, str(e['data'].get('checkpoint'))) for c in chains for n, e in c['kept'] if e['type'] == 'checkpoint.sealed']
    by_name = {c['writer']: c['hash_at'] for c in joined}

    def chain_hash(writer, size):
        return by_name.get(writer, {}).get(size) if size >= 1 else None

    incident = os.path.basename(os.path.abspath(root))
    held, cp_problems = check_checkpoints(root, incident, entries, hash_at, sealed, chain_hash)
    problems += [(0, p) for p in cp_problems]
    # Copies received apart from the log: their origin names the incident they were sealed for.
    for rel, parsed in copied:
        why = head_problem(rel, parsed, incident, entries, hash_at, chain_hash)
        if why:
            problems.append((0, why))
        else:
            held.append((rel, sealed_total(parsed), parsed[2]))
    # The chains together: named for their writers, and every entry one sees as it is, in an order
    # that satisfies every link; each joined after reading the opening, and none wrote after reading
    # the close. Checked once each chain verifies on its own (as leakctl does).
    merged = None
    if not problems:
        merged = merge_chains(opener, joined)
        if isinstance(merged, str):
            problems.append((0, merged))
            merged = None
    if merged is not None and joined:
        # The incident's head: the last entry in merged order.
        last, seq = merged[-1]
        head = last['entries'][seq]['hash']
    in_order = ([(c['kept'][seq][0], c['kept'][seq][1]) for c, seq in merged] if merged is not None
                else [x for c in chains for x in c['kept']])
    drafts_good = None
    if with_drafts:
        drafts_good, draft_problems = check_drafts(root, in_order)
        problems += [(0, p) for p in draft_problems]
    found = [(c, k) for c in chains for k, v in c['hash_at'].items() if v == want] if want is not None else []
    if want is not None and not found:
        problems.append((0, 'the given head %s is not in this log: entries were cut from its end, or the hash belongs to another log' % want if not joined
                         else "the given head %s is in none of this incident's chains: entries were cut from one, or the hash belongs to another incident" % want))
    ok = not problems
    if as_json:
        print(json.dumps({'ok': ok, 'entries': total, 'head': head, 'attachments': len(refs),
                          'checkpoints': [{'file': f, 'size': s, 'head': h} for f, s, h in held],
                          **({'chains': [{'file': shown(c['file']), 'entries': len(c['kept'])} for c in chains]} if joined else {}),
                          **({'drafts': drafts_good} if drafts_good is not None else {}),
                          'problems': [p for _, p in problems]}))
    elif ok:
        print('OK  %d entries, head %s' % (total, head or '-'))
        if joined:
            print('%d chains: %s; taken in one order, their cross-links hold.' % (len(chains), '; '.join('%s, %d entries' % (shown(c['file']), len(c['kept'])) for c in chains)))
        print('%d attachment(s) intact.' % len(refs))
        for rel, size, _ in held:
            print("%s: sealed the first %d entries, still the log's." % (rel, size))
        if drafts_good is not None:
            print('%d draft(s) as the log recorded them.' % drafts_good)
        if want is not None:
            c, k = found[0]
            print('The given head %s is entry #%d of %s.' % (want, k - 1, 'the log' if not joined else shown(c['file'])))
    else:
        for _, p in problems:
            print(p)
        print('%s: the evidence log does not verify (%d entries intact before the first problem).' % (shown(log), total))
    return 0 if ok else 3


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
