#!/bin/bash
# Both daemons refuse a bad configuration with file, line and setting named,
# exit 1, and start nothing; -t accepts the lab's file.
. "$(dirname "$0")/lib.sh"

# The lab's file with a region of this test's own, so "-t creates no
# region" is judged on a path nothing else uses.
good="$TMPD/good.conf"
sed 's|^region = .*|region = "'"$TMPD"'/t.region";|' "$CONF" >"$good"
bad="$TMPD/bad.conf"
sed 's|"198.18.0.1/24"|"198.18.0.1/33"|' "$CONF" >"$bad"
line=$(grep -n '198.18.0.1/33' "$bad" | cut -d: -f1)

for d in linetimed linetime-dp; do
	out=$("$BINDIR/$d" -t -c "$bad" 2>&1); rc=$?
	echo "  $d: $out"
	check "$d rejects a bad prefix length (exit 1)" test "$rc" -eq 1
	check "$d names file, line and setting" grep -q "$bad:$line: dataplane.ports.\[0\].addresses: \"198.18.0.1/33\"" <<<"$out"
	out=$("$BINDIR/$d" -t -c "$TMPD/missing.conf" 2>&1); rc=$?
	check "$d: a missing file is an error naming it" bash -c "[ $rc -eq 1 ] && grep -q '$TMPD/missing.conf' <<<'$out'"
	check "$d -t accepts the lab configuration" "$BINDIR/$d" -t -c "$good"
done
printf 'local = { stratum = 10; };\nholdovr = 5;\n' >"$TMPD/typo.conf"
out=$("$BINDIR/linetimed" -t -c "$TMPD/typo.conf" 2>&1)
echo "  linetimed: $out"
check "a misspelt setting is an error, not a silent default" grep -q "typo.conf:2: holdovr" <<<"$out"
check "the test config has its own region" grep -q "^region = \"$TMPD/t.region\";" "$good"
check "no region was created by -t" test ! -e "$TMPD/t.region"
finish
