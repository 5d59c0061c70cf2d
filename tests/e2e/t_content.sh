#!/bin/bash
# Content over plain HTTP: /Content/XX/SHA1.ext with Range, conditionals,
# HEAD, multipart, and no way out of the content directory.
. tests/e2e/lib.sh
setup
mkdir -p "$T/data/content"
head -c 1048576 /dev/urandom >"$T/payload"
SHA1=$(sha1sum "$T/payload" | cut -c1-40 | tr a-f A-F)
XX=${SHA1:38:2}
mkdir -p "$T/data/content/$XX"
cp "$T/payload" "$T/data/content/$XX/$SHA1.cab"
URL="$HTTP/Content/$XX/$SHA1.cab"
start_wsusd || { done_; exit 1; }

"${CURL[@]}" -D "$T/h" -o "$T/got" "$URL"
cmp -s "$T/got" "$T/payload" && ok "GET whole file, bytes equal" || fail "GET whole file"
hdr() { tr -d '\r' <"$T/h" | grep -i "^$1:" | head -1 | cut -d' ' -f2-; }
[ "$(head -1 "$T/h" | cut -d' ' -f2)" = 200 ] && ok "200" || fail "status $(head -1 "$T/h")"
[ "$(hdr Content-Type)" = application/octet-stream ] && ok "Content-Type octet-stream" || fail "Content-Type $(hdr Content-Type)"
[ "$(hdr Accept-Ranges)" = bytes ] && ok "Accept-Ranges: bytes" || fail "Accept-Ranges"
ETAG=$(hdr ETag); LM=$(hdr Last-Modified)
[[ "$ETAG" =~ ^\"[0-9a-f]+:0\"$ ]] && ok "strong IIS-style ETag $ETAG" || fail "ETag '$ETAG'"
[ -n "$LM" ] && ok "Last-Modified $LM" || fail "no Last-Modified"
[ "$(hdr Content-Length)" = 1048576 ] && ok "Content-Length" || fail "Content-Length $(hdr Content-Length)"

# Delivery Optimization style: Range for the whole file -> 206.
"${CURL[@]}" -D "$T/h" -o "$T/got" -H 'Range: bytes=0-1048575' "$URL"
[ "$(head -1 "$T/h" | cut -d' ' -f2)" = 206 ] && cmp -s "$T/got" "$T/payload" && ok "whole-file Range -> 206" || fail "whole-file range"
[ "$(hdr Content-Range)" = "bytes 0-1048575/1048576" ] && ok "Content-Range whole" || fail "Content-Range $(hdr Content-Range)"
"${CURL[@]}" -D "$T/h" -o "$T/got" -H 'Range: bytes=1000-1999' "$URL"
cmp -s "$T/got" <(tail -c +1001 "$T/payload" | head -c 1000) && [ "$(hdr Content-Range)" = "bytes 1000-1999/1048576" ] &&
	ok "middle range bytes and Content-Range" || fail "middle range"
"${CURL[@]}" -o "$T/got" -H 'Range: bytes=-100' "$URL"
cmp -s "$T/got" <(tail -c 100 "$T/payload") && ok "suffix range" || fail "suffix range"
expect_status "unsatisfiable range 416" 416 -H 'Range: bytes=2000000-' "$URL"
"${CURL[@]}" -D "$T/h" -o /dev/null -H 'Range: bytes=2000000-' "$URL"
[ "$(hdr Content-Range)" = "bytes */1048576" ] && ok "416 Content-Range bytes */size" || fail "416 Content-Range"
expect_status "malformed Range ignored -> 200" 200 -H 'Range: bytes=abc' "$URL"

# Multipart.
"${CURL[@]}" -D "$T/h" -o "$T/mp" -H 'Range: bytes=0-9,100-109' "$URL"
ct=$(hdr Content-Type)
if [[ "$ct" == multipart/byteranges* ]] && python3 - "$T/mp" "$T/payload" "$ct" <<'PY'
import sys, email.parser
body=open(sys.argv[1],'rb').read(); data=open(sys.argv[2],'rb').read()
msg=email.parser.BytesParser().parsebytes(b"Content-Type: "+sys.argv[3].encode()+b"\r\n\r\n"+body)
parts=msg.get_payload()
assert len(parts)==2, len(parts)
assert parts[0].get_payload(decode=True)==data[0:10]
assert parts[1].get_payload(decode=True)==data[100:110]
assert parts[1]["Content-Range"]=="bytes 100-109/1048576"
PY
then ok "multipart/byteranges 206 parses, parts equal"; else fail "multipart ($ct)"; fi

# Conditionals.
expect_status "If-None-Match -> 304" 304 -H "If-None-Match: $ETAG" "$URL"
expect_status "If-Modified-Since -> 304" 304 -H "If-Modified-Since: $LM" "$URL"
expect_status "If-None-Match other -> 200" 200 -H 'If-None-Match: "0:0"' "$URL"
expect_status "If-Range match -> 206" 206 -H "If-Range: $ETAG" -H 'Range: bytes=0-9' "$URL"
expect_status "If-Range mismatch -> 200" 200 -H 'If-Range: "0:0"' -H 'Range: bytes=0-9' "$URL"

# HEAD.
"${CURL[@]}" -I -o "$T/h" "$URL"
[ "$(head -1 "$T/h" | cut -d' ' -f2)" = 200 ] && [ "$(hdr Content-Length)" = 1048576 ] && ok "HEAD 200 with length" || fail "HEAD"

# Names and escapes.
lower=$(echo "$SHA1" | tr A-F a-f)
expect_status "lower-case name finds the file" 200 "$HTTP/Content/$(echo "$XX" | tr A-F a-f)/$lower.cab"
expect_status "missing file 404" 404 "$HTTP/Content/$XX/0000000000000000000000000000000000000$XX.cab"
expect_status "wrong folder 404" 404 "$HTTP/Content/ZZ/$SHA1.cab"
expect_status "no extension 404" 404 "$HTTP/Content/$XX/$SHA1"
expect_status "directory listing 404" 404 "$HTTP/Content/$XX/"
expect_status "content root 404" 404 "$HTTP/Content/"
expect_status "dot-dot 404" 404 --path-as-is "$HTTP/Content/../wsusd.conf"
expect_status "encoded dot-dot 404" 404 --path-as-is "$HTTP/Content/%2E%2E/data/wsusd.db"
echo secret >"$T/secret.txt"
FAKE=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
mkdir -p "$T/data/content/AA"
ln -s "$T/secret.txt" "$T/data/content/AA/$FAKE.txt"
expect_status "symlinked file not followed" 404 "$HTTP/Content/AA/$FAKE.txt"
ln -s "$T" "$T/data/content/BB"
ln -s "$T/secret.txt" "$T/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB.txt"
expect_status "symlinked folder not followed" 404 "$HTTP/Content/BB/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB.txt"

# Content over HTTPS works too (it is not Require-SSL); keep-alive reuse.
expect_status "content over HTTPS" 206 -H 'Range: bytes=0-99' "$HTTPS/Content/$XX/$SHA1.cab"
n=$("${CURL[@]}" -o /dev/null -o /dev/null -o /dev/null -w '%{num_connects}\n' "$URL" "$URL" "$URL" | awk '{s+=$1} END {print s}')
[ "$n" = 1 ] && ok "keep-alive: 3 requests, 1 connection" || fail "keep-alive connects: $n"
done_
