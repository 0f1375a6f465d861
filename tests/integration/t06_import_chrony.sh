#!/bin/bash
# linetime-import-chrony on every chrony.conf fixture: exit codes (0, 4 with
# --strict, 2 on bad usage, 1 on a missing or unreadable input), linetimed -t
# accepts each output, and -o writes atomically and replaces a file only
# with -f. Needs neither the lab nor the network.
. "$(dirname "$0")/lib.sh"
# No lab here: remove only what this test made (lib.sh's cleanup takes the lab down).
cleanup() { rm -rf "$TMPD"; }
quiet() { "$@" >/dev/null; }

IMPORT=${LT_IMPORT_CHRONY:-$ROOT/build/linetime-import-chrony}
LINETIMED=${LT_LINETIMED:-$ROOT/build/linetimed}
FIX=$ROOT/tests/data/chrony
export TMPDIR=$TMPD/tmp
mkdir -p "$TMPDIR"

for f in "$FIX"/*/chrony.conf; do
	name=$(basename "$(dirname "$f")")
	out=$TMPD/$name.conf
	"$IMPORT" "$f" >"$out" 2>"$TMPD/$name.err"; rc=$?
	check "$name: converted (exit 0)" test "$rc" -eq 0
	check "$name: warnings name file and line" grep -q "^$f:[0-9]*: " "$TMPD/$name.err"
	check "$name: the last warning is about the ports" \
		bash -c "tail -1 '$TMPD/$name.err' | grep -q '^$f: dataplane: the ports are not converted'"
	check "$name: every warning is also in the output" \
		bash -c "while IFS= read -r w; do grep -qxF \"# \$w\" '$out' || exit 1; done <'$TMPD/$name.err'"
	check "$name: linetimed -t accepts the output" quiet "$LINETIMED" -t -c "$out"
	"$IMPORT" --strict "$f" >/dev/null 2>&1; rc=$?
	check "$name: --strict, with something not carried over, exits 4" test "$rc" -eq 4
done
# Everything carried over: --strict is satisfied (the ports reminder does not count).
printf 'server 198.18.0.11 iburst\nallow 198.18.0.0/15\ndriftfile /var/lib/chrony/chrony.drift\n' >"$TMPD/clean.conf"
"$IMPORT" --strict "$TMPD/clean.conf" >"$TMPD/clean.out" 2>"$TMPD/clean.err"; rc=$?
check "a chrony.conf carried over whole: --strict exits 0, one reminder (ports)" \
	bash -c "[ $rc -eq 0 ] && [ \$(wc -l <'$TMPD/clean.err') -eq 1 ] && grep -q 'dataplane: the ports' '$TMPD/clean.err'"
check "stdout output leaves no temporary file" bash -c "[ -z \"\$(ls -A '$TMPDIR')\" ]"

# -o: atomic, refuses to replace without -f, same text as stdout.
conf=$FIX/lan-server/chrony.conf
dest=$TMPD/out/linetime.conf
mkdir -p "$TMPD/out"
(umask 022; "$IMPORT" -o "$dest" "$conf" 2>/dev/null); rc=$?
check "-o writes the file (exit 0)" test "$rc" -eq 0
check "-o writes what stdout gets" cmp -s "$dest" "$TMPD/lan-server.conf"
check "-o's file is readable like a config file (0644 under umask 022)" \
	test "$(stat -c %a "$dest")" = 644
echo "keep me" >"$dest"
msg=$("$IMPORT" -o "$dest" "$conf" 2>&1); rc=$?
check "-o refuses to replace a file without -f (exit 1)" test "$rc" -eq 1
check "-o says why" grep -q "exists: give -f to replace it" <<<"$msg"
check "-o left the file alone" grep -qx "keep me" "$dest"
"$IMPORT" -f -o "$dest" "$conf" 2>/dev/null; rc=$?
check "-f -o replaces it (exit 0)" test "$rc" -eq 0
check "the replaced file is the conversion" cmp -s "$dest" "$TMPD/lan-server.conf"
check "-o leaves no temporary file beside the output" \
	test "$(ls -A "$TMPD/out")" = "linetime.conf"
"$IMPORT" -o "$TMPD/no/such/dir/x.conf" "$conf" 2>/dev/null; rc=$?
check "-o into a missing directory is an error (exit 1)" test "$rc" -eq 1

# Usage errors exit 2; -h exits 0 and documents the exit codes.
usage() { "$IMPORT" "$@" >/dev/null 2>&1; test $? -eq 2; }
check "an unknown option exits 2" usage --bogus "$conf"
check "-o without a file exits 2" usage -o
check "two input files exit 2" usage "$conf" "$conf"
check "an empty -o exits 2" usage -o "" "$conf"
help=$("$IMPORT" -h); rc=$?
check "-h exits 0" test "$rc" -eq 0
check "-h documents exit status 4" grep -q "^  4  " <<<"$help"

# Inputs that cannot be read exit 1 and say why.
msg=$("$IMPORT" "$TMPD/missing.conf" 2>&1); rc=$?
check "a missing chrony.conf exits 1" test "$rc" -eq 1
check "... naming it" grep -q "$TMPD/missing.conf: cannot open: No such file or directory" <<<"$msg"
printf 'include loop.conf\n' >"$TMPD/loop.conf"
msg=$("$IMPORT" "$TMPD/loop.conf" 2>&1); rc=$?
check "an include loop exits 1" test "$rc" -eq 1
check "... saying so" grep -q "include loop" <<<"$msg"
printf 'server a.example.net\ninclude nothing-here/*.conf\n' >"$TMPD/nomatch.conf"
"$IMPORT" "$TMPD/nomatch.conf" >/dev/null 2>&1; rc=$?
check "an include that matches nothing exits 1" test "$rc" -eq 1
head -c 4096 /dev/urandom >"$TMPD/garbage.conf"
"$IMPORT" "$TMPD/garbage.conf" >/dev/null 2>&1; rc=$?
check "random bytes exit 1, not a crash" test "$rc" -eq 1
finish
