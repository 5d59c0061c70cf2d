#!/bin/bash
# Answers that must not multiply: GetExtendedUpdateInfo(2) with repeated
# fragment types, repeated ids and thousands of locales; SyncUpdates pages
# of a catalogue whose Core fragments are large (the 5 MiB page budget,
# Truncated) and whose bundles share members (each revision once a page).
# Sizes are compared, never times: the answers must be the same bytes.
. tests/e2e/lib.sh
setup
W=("$TOP/$BUILD/wsusutil" -c "$T/wsusd.conf")
cd "$T" || exit 1
mkdir -p data
# 120 updates with 120 KB Core fragments: 50 of them are about 6 MB.
python3 "$TOP/tests/tools/gen_catalog.py" --docs docs --content data/content --manifest m.json \
	--updates 120 --file-size 64 --core-pad 120000 --shared-members >/dev/null
check "import-updates" "${W[@]}" import-updates docs
check "approve every update for All Computers" "${W[@]}" approve \
	$(python3 -c 'import json; print(" ".join(u["id"] for u in json.load(open("m.json"))["updates"]))') "All Computers"
docs=$(python3 -c 'import json; print(json.load(open("m.json"))["documents"])')
start_wsusd || { done_; exit 1; }
run_tap python3 "$TOP/tests/tools/amplify.py" check "https://localhost:$HTTPS_PORT" pki/ca.crt data/wsusd.db "$docs"
alive && ok "daemon alive" || fail "daemon died"
cd "$TOP" || exit 1
done_
