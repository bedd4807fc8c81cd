#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Name the codes of a mshv_sim trace.

Reads the simulator's trace (debugfs mshv_sim/trace, or the qemu-trace
sections make check writes to build/test/results.log) and prints it with
hypercall, message and property names taken from include/hyperv/*.h, and
with runs of identical calls folded into one line with a count.

    dev/mshv-trace.py [FILE]        (default: build/test/results.log)
"""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HEADERS = [os.path.join(TOP, 'include/hyperv', h)
           for h in ('hvhdk.h', 'hvhdk_mini.h', 'hvgdk_mini.h', 'hvgdk.h')]
BASE = os.path.join(TOP, 'build/linux/include/hyperv')
CALL = re.compile(r'^(\d+) call 0x([0-9a-f]+) reps (\d+)/(\d+) status 0x([0-9a-f]+):(.*)$')
MSG = re.compile(r'^(\d+) msg pt (\d+) vp (\d+) type 0x([0-9a-f]+):(.*)$')


def names():
    calls, msgs, props, status = {}, {}, {}, {}
    define = re.compile(r'#define\s+(HVCALL_\w+|HV_STATUS_\w+|HV_PARTITION_PROPERTY_\w+|HVMSG_\w+)\s+(0x[0-9a-fA-F]+|\d+)\b')
    enum = re.compile(r'\s*(HVMSG_\w+|HV_PARTITION_PROPERTY_\w+)\s*=\s*(0x[0-9a-fA-F]+|\d+)')
    paths = HEADERS + [os.path.join(BASE, os.path.basename(h)) for h in HEADERS]
    paths.append(os.path.join(TOP, 'build/linux/include/asm-generic/hyperv-tlfs.h'))
    for path in paths:
        if not os.path.exists(path):
            continue
        with open(path, errors='replace') as f:
            for line in f:
                m = define.match(line) or enum.match(line)
                if not m:
                    continue
                name, val = m.group(1), int(m.group(2), 0)
                table = (calls if name.startswith('HVCALL_') else
                         status if name.startswith('HV_STATUS_') else
                         msgs if name.startswith('HVMSG_') else props)
                table.setdefault(val, name)
    return calls, msgs, props, status


def describe(line, calls, msgs, props, status):
    m = CALL.match(line)
    if m:
        code, st = int(m.group(2), 16), int(m.group(5), 16)
        words = m.group(6).split()
        text = '%s reps %s/%s %s' % (calls.get(code, '0x%04x' % code),
                                     m.group(3), m.group(4),
                                     status.get(st, '0x%x' % st))
        name = calls.get(code, '')
        if 'PARTITION_PROPERTY' in name and len(words) > 1:
            prop = int(words[1], 16) & 0xffffffff
            text += ' ' + props.get(prop, 'property 0x%x' % prop)
        return text, words
    m = MSG.match(line)
    if m:
        typ = int(m.group(4), 16)
        return ('-> pt %s vp %s %s' % (m.group(2), m.group(3),
                                       msgs.get(typ, '0x%08x' % typ)),
                m.group(5).split())
    return None, None


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        TOP, 'build/test/results.log')
    tables = names()
    last, count, seq = None, 0, ''
    with open(path, errors='replace') as f:
        for raw in f:
            line = raw.rstrip('\n')
            if line.startswith('### BEGIN qemu-trace'):
                flush(last, count, seq)
                last, count = None, 0
                print(line[len('### BEGIN '):])
                continue
            text, words = describe(line, *tables)
            if text is None:
                continue
            text += '  [' + ' '.join(w.lstrip('0') or '0'
                                     for w in words[:4]) + ']'
            if text == last:
                count += 1
                continue
            flush(last, count, seq)
            last, count, seq = text, 1, line.split()[0]
    flush(last, count, seq)


def flush(text, count, seq):
    if text is not None:
        print('  %6s %s%s' % (seq, text, ' (x%d)' % count if count > 1 else ''))

if __name__ == '__main__':
    main()
