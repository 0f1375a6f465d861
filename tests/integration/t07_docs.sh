#!/bin/bash
# The man pages cannot rot: each one formats without a warning; every command
# linetimectl offers is documented in linetimectl.1; every setting
# linetime.conf accepts (the name tables in platform/config.c) is in
# linetime.conf.5 and nothing else is; what needs a restart there is what
# linetimed's restart_only() reports; the page's example is a valid file.
# No lab, no network, no root: a few seconds.
. "$(dirname "$0")/lib.sh"
# Nothing of the lab is used here, so leave it alone on exit.
cleanup() { rm -rf "$TMPD"; }

MAN="$ROOT/docs/man"
DOCS_PY="$TMPD/docs.py"

# expect_empty DESCRIPTION OUTPUT: passes when the check printed no problem.
expect_empty() {
	if [ -z "$2" ]; then
		ok "$1"
	else
		sed 's/^/    /' <<<"$2"
		fail "$1"
	fi
}

cat >"$DOCS_PY" <<'EOF'
"""Read the roff pages and the sources the t07 checks compare them with.
Prints one problem per line; no output means the check passed."""
import re
import sys

SETTING = re.compile(r'^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$')
# Name tables that belong to an entry of a list rather than to a group read
# with get_group(): the list each sits in.
LIST_TABLES = {'server': 'servers', 'pool': 'pools', 'port': 'dataplane.ports'}


def plain(line):
    """The text of a roff line: no macro name, fonts, quotes or escapes."""
    s = re.sub(r'^\.[A-Za-z]+\s*', '', line.strip())
    s = re.sub(r'\\f(\[[^\]]*\]|\(..|.)', '', s)
    s = s.replace('\\-', '-').replace('\\&', '').replace('\\(dq', '"')
    s = s.replace('\\e', '\\').replace('"', '')
    return ' '.join(s.split())


def items(path, section):
    """(tag, body) of every .TP item under .SH section, in order."""
    out, cur_sh, tag, body, want_tag = [], None, None, [], False
    lines = open(path, encoding='ascii').read().split('\n')

    def close():
        if tag is not None:
            out.append((tag, ' '.join(body)))
    for line in lines:
        if line.startswith('.\\"'):
            continue
        if line.startswith('.SH'):
            close()
            tag, body = None, []
            cur_sh = plain(line)
            continue
        if cur_sh != section:
            continue
        if want_tag:
            tag, body, want_tag = plain(line), [], False
            continue
        if line.startswith(('.TP', '.SS', '.PP', '.LP', '.P\n')) or line == '.P':
            close()
            tag, body = None, []
            want_tag = line.startswith('.TP')
            continue
        if tag is not None:
            body.append(plain(line))
    close()
    return out


def accepted(config_c):
    """Every setting name config.c accepts, as a dotted path."""
    src = open(config_c).read()
    tables = dict(re.findall(r'static const char \*const (\w+)_names\[\] = \{(.*?)\};', src, re.S))
    where = {'top': ''}
    for parent, group, table in re.findall(r'get_group\(p, (\w+), "(\w+)", (\w+)_names', src):
        if parent == 'root':
            where[table] = group
    where.update(LIST_TABLES)
    names, problems = set(), []
    for table, body in tables.items():
        if table not in where:
            problems.append('platform/config.c: %s_names: t07 does not know which group or list it '
                            'belongs to (add it to LIST_TABLES in t07_docs.sh)' % table)
            continue
        for n in re.findall(r'"([^"]+)"', body):
            names.add(where[table] + '.' + n if where[table] else n)
    for table, path in LIST_TABLES.items():
        if table in tables and path not in names:
            problems.append('t07: LIST_TABLES says %s_names sits in %s, which config.c does not accept'
                            % (table, path))
    if 'top' not in tables or len(names) < 40:
        problems.append('platform/config.c: could not read the name tables (found %d names)' % len(names))
    return names, problems


def covers(doc, name):
    """doc names the setting, or (for a group or list) one of its members."""
    return doc == name or doc.startswith(name + '.')


def conf_tags(page):
    """(names, body) of each item under SETTINGS; problems for odd tags."""
    out, problems = [], []
    for tag, body in items(page, 'SETTINGS'):
        names = [t for t in re.split(r'[,\s]+', tag.replace('.[N]', '')) if t]
        bad = [t for t in names if not SETTING.match(t)]
        if bad or not names:
            problems.append('linetime.conf.5: item "%s" under SETTINGS is not a list of setting names' % tag)
            continue
        out.append((names, body))
    return out, problems


def cmd_settings(config_c, page):
    names, problems = accepted(config_c)
    tags, p2 = conf_tags(page)
    problems += p2
    documented = {n for ns, _ in tags for n in ns}
    for n in sorted(names):
        if not any(covers(d, n) for d in documented):
            problems.append('linetime.conf.5: setting %s is accepted by config.c but not documented' % n)
    for d in sorted(documented - names):
        problems.append('linetime.conf.5: documents %s, which config.c does not accept' % d)
    print('\n'.join(problems)) if problems else None


def cmd_restart(config_c, page, linetimed_c):
    names, problems = accepted(config_c)
    src = open(linetimed_c).read()
    m = re.search(r'static void restart_only\(.*?\n}\n', src, re.S)
    if not m:
        print('control/linetimed.c: restart_only() not found')
        return
    restart = set()
    for r in re.findall(r'DIFF\(.*?,\s*"([^"]*)"\s*\);', m.group(0), re.S):
        r = r[:-2] if r.endswith('.*') else r
        if not any(covers(n, r) for n in names):
            problems.append('control/linetimed.c: restart_only() reports "%s", which is not a setting '
                            'name (t07 needs setting names to check linetime.conf.5)' % r)
            continue
        restart.add(r)
    if not restart:
        problems.append('control/linetimed.c: no settings found in restart_only()')
    tags, p2 = conf_tags(page)
    problems += p2
    for ns, body in tags:
        for n in ns:
            needs = any(covers(n, r) or covers(r, n) for r in restart)
            says_restart = re.search(r'\b[Rr]estart\b', body) and 'Reloadable' not in body
            if needs and not says_restart:
                problems.append('linetime.conf.5: %s: restart_only() says a reload cannot apply it; '
                                'the page must say which restart it needs' % n)
            elif not needs and 'Reloadable' not in body:
                problems.append('linetime.conf.5: %s: a reload applies it (restart_only() does not '
                                'report it); the page must say Reloadable' % n)
    print('\n'.join(problems)) if problems else None


def cmd_commands(usage, ctl_c, page):
    problems, listed, in_cmds = [], [], False
    for line in open(usage):
        if line.startswith('Commands:'):
            in_cmds = True
            continue
        if in_cmds:
            if not line.strip():
                break
            text = line.strip()
            name = re.split(r'\s{2,}', text)[0] if re.search(r'\s{2,}', text) else text.split()[0]
            listed.append(name)
    in_source = re.findall(r'\.name = "([^"]+)"', open(ctl_c).read())
    if sorted(listed) != sorted(in_source):
        problems.append('linetimectl -h lists %s but tools/linetimectl.c has %s'
                        % (sorted(listed), sorted(in_source)))
    tags = [tag for tag, _ in items(page, 'COMMANDS')]
    for name in listed:
        if not any(t == name or t.startswith(name + ' ') for t in tags):
            problems.append('linetimectl.1: command "%s" (linetimectl -h) is not documented under '
                            'COMMANDS' % name)
    print('\n'.join(problems)) if problems else None


def cmd_example(page):
    """The .nf block of the EXAMPLE section as plain text."""
    text, section, inside = [], None, False
    for line in open(page, encoding='ascii').read().split('\n'):
        if line.startswith('.SH'):
            section = plain(line)
        elif section == 'EXAMPLE' and line.startswith('.nf'):
            inside = True
        elif inside and line.startswith('.fi'):
            break
        elif inside:
            text.append(line.replace('\\-', '-').replace('\\&', '').replace('\\e', '\\'))
    sys.stdout.write('\n'.join(text) + '\n')


def cmd_meta(page, mandir):
    """.TH matches the file name; linetime pages named in SEE ALSO exist."""
    import os
    problems = []
    base = os.path.basename(page)
    name, sect = base.rsplit('.', 1)
    src = open(page, 'rb').read()
    if any(b > 127 for b in src):
        problems.append('%s: non-ASCII bytes (write roff escapes such as \\(em)' % base)
    text = src.decode('ascii', 'replace')
    th = re.search(r'^\.TH (\S+) (\S+)', text, re.M)
    if not th or th.group(1).replace('\\-', '-').lower() != name or th.group(2) != sect:
        problems.append('%s: .TH should be "%s %s"' % (base, name.upper(), sect))
    if '\n.TS' in text and not text.startswith('\'\\" t\n'):
        problems.append('%s: has a table; its first line must be \'\\" t so man runs tbl' % base)
    for ref, rsect in sorted(set(re.findall(r'^\.BR (linetime[a-z.\\-]*) \((\d)\)', text, re.M))):
        ref = ref.replace('\\-', '-')
        if not os.path.exists(os.path.join(mandir, '%s.%s' % (ref, rsect))):
            problems.append('%s: refers to %s(%s), which docs/man does not have' % (base, ref, rsect))
    print('\n'.join(problems)) if problems else None


globals()['cmd_' + sys.argv[1]](*sys.argv[2:])
EOF

for tool in groff man; do
	command -v "$tool" >/dev/null || { fail "$tool is installed (Debian: groff-base, man-db)"; finish; }
done
pages=("$MAN"/*.[1-8])
check "docs/man holds the four pages" test "${#pages[@]}" -ge 4 -a -f "$MAN/linetimectl.1" \
	-a -f "$MAN/linetime.conf.5" -a -f "$MAN/linetimed.8" -a -f "$MAN/linetime-dp.8"

# Formatting: groff with every warning on, then man as a reader runs it.
for p in "${pages[@]}"; do
	b=$(basename "$p")
	expect_empty "$b: groff -man -ww reports nothing" "$(groff -t -man -ww -z "$p" 2>&1)"
	out=$(LC_ALL=C MANWIDTH=80 man -l "$p" 2>&1 >/dev/null) || out="man -l failed${out:+: $out}"
	expect_empty "$b: man -l renders it without a message" "$out"
	expect_empty "$b: name, section, ASCII, references" "$("$PY" "$DOCS_PY" meta "$p" "$MAN")"
done

# Commands: what linetimectl -h lists is what linetimectl.1 documents.
if "$CTL" -h >"$TMPD/usage.txt" 2>&1; then
	expect_empty "every command of linetimectl -h is documented in linetimectl.1" \
		"$("$PY" "$DOCS_PY" commands "$TMPD/usage.txt" "$ROOT/tools/linetimectl.c" "$MAN/linetimectl.1")"
else
	fail "linetimectl -h runs (build it first: make)"
fi

# Settings: the name tables of config.c against linetime.conf.5, both ways.
expect_empty "every setting config.c accepts is in linetime.conf.5, and no other" \
	"$("$PY" "$DOCS_PY" settings "$ROOT/platform/config.c" "$MAN/linetime.conf.5")"
expect_empty "linetime.conf.5 says restart exactly where restart_only() does" \
	"$("$PY" "$DOCS_PY" restart "$ROOT/platform/config.c" "$MAN/linetime.conf.5" "$ROOT/control/linetimed.c")"

# The example is a file linetimed accepts.
"$PY" "$DOCS_PY" example "$MAN/linetime.conf.5" >"$TMPD/example.conf"
out=$("$ROOT/build/linetimed" -t -c "$TMPD/example.conf" 2>&1); rc=$?
echo "  linetimed -t: $out"
check "linetime.conf.5's EXAMPLE is a valid configuration" \
	test "$rc" -eq 0 -a "$(grep -c '=' "$TMPD/example.conf")" -ge 10
finish
