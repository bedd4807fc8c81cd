#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the test boot's output into one verdict.

Reads the results stream (ttyS1) with its KTAP/TAP sections, the kernel
console log (ttyS0) and the outcome of the static checks, prints every
failing case with the lines that explain it, and ends with the line
"N passed, N failed, N skipped". Exits 1 if anything failed.
"""
import re
import sys

RESULT = re.compile(r'^(\s*)(ok|not ok) (\d+)\s*(?:- )?(.*)$')
SPLAT = re.compile(
    r'(BUG: |WARNING: |Oops|KASAN|UBSAN|kernel BUG|general protection'
    r'|possible circular locking|possible recursive locking'
    r'|inconsistent lock state|suspicious RCU usage|ODEBUG'
    r'|Kernel panic|unreferenced object|new suspected memory leak'
    r'|sleeping function called'
    r'|scheduling while atomic|list_add corruption|list_del corruption)')
TIMESTAMP = re.compile(r'^\[\s*\d+\.\d+\]\s?')


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.failures = []
        self.skips = []

    def add(self, name, status, context=(), reason=''):
        if status == 'pass':
            self.passed += 1
        elif status == 'skip':
            self.skipped += 1
            self.skips.append((name, reason))
        else:
            self.failed += 1
            self.failures.append((name, list(context)))


def sections(lines):
    """Yield (kind, name, body, extra) for each ### BEGIN ... ### END."""
    cur = None
    for line in lines:
        if line.startswith('### BEGIN '):
            parts = line.split(None, 3)
            kind = parts[2]
            name = parts[3] if len(parts) > 3 else kind
            cur = (kind, name, [], {})
        elif line.startswith('### EXIT ') and cur:
            cur[3]['exit'] = int(line.split()[2])
        elif line.startswith('### END') and cur:
            yield cur
            cur = None
        elif cur is not None:
            cur[2].append(line)


def tap_cases(body, prefix, tally, case_indent=None):
    """Count the results at the case level of a (K)TAP document."""
    results = []
    for i, line in enumerate(body):
        m = RESULT.match(line)
        if m:
            results.append((len(m.group(1).expandtabs()), i, m))
    if not results:
        tally.add(prefix + ': no results', 'fail', body[-20:])
        return
    indents = sorted({r[0] for r in results})
    if case_indent is None:
        case_indent = indents[0]
        top = [r for r in results if r[0] == indents[0]]
        # A KUnit suite: one top-level line wrapping indented cases.
        if len(indents) > 1 and len(top) == 1:
            case_indent = indents[1]
    last = 0
    for indent, i, m in results:
        if indent != case_indent:
            continue
        desc = m.group(4)
        name = prefix + ': ' + re.sub(r'\s*#.*$', '', desc).strip()
        skip = re.search(r'#\s*SKIP\s*(.*)$', desc, re.I)
        reason = ''
        if skip:
            status = 'skip'
            reason = skip.group(1).strip()
        elif m.group(2) == 'ok':
            status = 'pass'
        else:
            status = 'fail'
        tally.add(name, status, body[last:i + 1][-25:], reason)
        last = i + 1


def splats(console):
    """Return one context block per kernel splat in the console log."""
    found = []
    lines = [TIMESTAMP.sub('', l) for l in console]
    i = 0
    while i < len(lines):
        if SPLAT.search(lines[i]):
            found.append(lines[max(0, i - 2):i + 30])
            i += 30
        else:
            i += 1
    return found


def main():
    results_path, console_path, qemu_rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
    static = sys.argv[4:]
    tally = Tally()
    sample_log = []
    with open(results_path, errors='replace') as f:
        res = [l.rstrip('\r\n') for l in f]
    with open(console_path, errors='replace') as f:
        console = [l.rstrip('\r\n') for l in f]

    for kind, name, body, extra in sections(res):
        if kind == 'kunit':
            tap_cases(body, 'kunit ' + name, tally)
        elif kind == 'kselftest':
            tap_cases(body, 'kselftest ' + name, tally)
            rc = extra.get('exit', 1)
            if rc not in (0, 4) and not any(
                    n.startswith('kselftest ' + name) for n, _ in tally.failures):
                tally.add('kselftest %s: exit status %d' % (name, rc), 'fail',
                          body[-20:])
        elif kind == 'qemu':
            tap_cases(body, 'qemu', tally)
        elif kind == 'harness':
            tap_cases(body, 'boot', tally)
        elif kind == 'samples':
            sample_log += body
        elif kind == 'kmemleak':
            print('kmemleak report:')
            print('\n'.join(body[:60]))

    # A failed sample run is explained by what the sample printed.
    tally.failures = [(n, sample_log[-40:] if 'samples/mshv' in n else c)
                      for n, c in tally.failures]

    if '### DONE' not in res:
        why = 'timed out' if qemu_rc == 124 else 'did not finish (crash?)'
        tally.add('guest ' + why, 'fail', [TIMESTAMP.sub('', l) for l in console[-40:]])
    for block in splats(console):
        tally.add('kernel splat: ' + block[2 if len(block) > 2 else 0].strip(),
                  'fail', block)

    for item in static:
        name, _, status = item.rpartition('=')
        tally.add('static: ' + name, 'pass' if status == '0' else 'fail',
                  ['see build/logs/static-%s.log' % name])

    for name, reason in tally.skips:
        if reason:
            print('SKIP: %s (%s)' % (name, reason))
    for name, ctx in tally.failures:
        print('FAIL: ' + name)
        for line in ctx:
            print('    | ' + line)
    print('%d passed, %d failed, %d skipped' % (tally.passed, tally.failed, tally.skipped))
    return 1 if tally.failed else 0


if __name__ == '__main__':
    sys.exit(main())
