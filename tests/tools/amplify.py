#!/usr/bin/python3
"""amplify.py - requests whose answer or work must not grow with repetition.

usage: amplify.py check BASE_URL CA_FILE DB    (TAP lines, for t_amplification.sh)
       amplify.py measure BASE_URL CA_FILE DB  (bytes and seconds of the hostile requests)

check: GetExtendedUpdateInfo with one XmlUpdateFragmentType repeated
10,000 times, every type repeated, one revision id 50 times, and
GetExtendedUpdateInfo2 with one update 50 times, each answer byte for byte
the answer to the plain request; more than LIMIT_EXTENDED_LOCALES (32)
locales is InvalidParameters "locales", 32 are answered; SyncUpdates pages
of a catalogue with large Core fragments stay within 5 MiB (Truncated) and
no page carries a revision twice, bundles sharing members included.
"""
import re
import sqlite3
import sys
import time

from wsus_soap import Session, Tap, error_code, text_of

LOCALES_MAX = 32                 # LIMIT_EXTENDED_LOCALES
PAGE_BYTES = 5 << 20             # LIMIT_SYNC_PAGE_XML_BYTES
PAGE_UPDATES = 50                # LIMIT_SYNC_PAGE


def ids(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    rows = con.execute("SELECT r.revision_id, u.update_id FROM revisions r JOIN updates u ON u.id = r.update_ref "
                       "WHERE r.is_latest = 1 AND u.kind = 'software' ORDER BY r.revision_id LIMIT 50").fetchall()
    con.close()
    return [r[0] for r in rows], [r[1] for r in rows]


def measure(s, rids, uids):
    cases = [
        ("50 revisions, Extended once", lambda: s.extended_post(rids, ["Extended"], ["en"])),
        ("50 revisions, Extended x 10,000", lambda: s.extended_post(rids, ["Extended"] * 10000, ["en"])),
        ("50 revisions, LocalizedProperties x 10,000", lambda: s.extended_post(
            rids, ["LocalizedProperties"] * 10000, ["en"])),
        ("50 revisions, LocalizedProperties, 3,000 locales", lambda: s.extended_post(
            rids, ["LocalizedProperties"], ["x%d-YY" % i for i in range(3000)])),
        ("50 revisions, LocalizedProperties x 20, 3,000 locales", lambda: s.extended_post(
            rids, ["LocalizedProperties"] * 20, ["x%d-YY" % i for i in range(3000)])),
        ("GetExtendedUpdateInfo2, 1 update x 50, Extended x 10,000", lambda: s.extended2_post(
            [uids[0]] * 50, ["Extended"] * 10000, ["en"])),
    ]
    for desc, fn in cases:
        st, body, secs = fn()
        print("%-58s HTTP %d %-18s %11d bytes %7.2f s" % (desc, st, error_code(body) or "", len(body), secs),
              flush=True)


def page_ids(body):
    m = re.search(r"<NewUpdates>(.*?)</NewUpdates>", body, re.S)
    block = m.group(1) if m else ""
    return [int(i) for i in re.findall(r"<UpdateInfo><ID>(\d+)</ID>", block)], len(block)


def check(s, rids, uids):
    t = Tap()
    same = lambda a, b: a[0] == 200 and b[0] == 200 and a[1] == b[1]

    # Five revisions keep the old, multiplying code from eating the machine.
    few = rids[:5]
    plain = s.extended_post(few, ["Extended"], ["en"])
    t.check(plain[0] == 200 and plain[1].count("<Update>") == len(few),
            "GetExtendedUpdateInfo, %d revisions, Extended: %d fragments, %d bytes" % (
                len(few), plain[1].count("<Update>"), len(plain[1])))
    rep = s.extended_post(few, ["Extended"] * 10000, ["en"])
    t.check(same(plain, rep), "Extended x 10,000: the same %d bytes (got HTTP %d, %d bytes)" % (
        len(plain[1]), rep[0], len(rep[1])))
    two = s.extended_post(few, ["Extended", "LocalizedProperties"], ["en"])
    many = s.extended_post(few, ["Extended", "LocalizedProperties"] * 2000 + ["Eula"] * 100, ["en"])
    t.check(same(two, many), "two types x 2,000 each: the same %d bytes as once each (got %d)" % (
        len(two[1]), len(many[1])))
    three = s.extended_post(few, ["Core", "Extended", "LocalizedProperties"], ["en"])
    thrice = s.extended_post(few, ["Core", "Extended", "LocalizedProperties", "Core", "Core"], ["en"])
    t.check(same(three, thrice) and three[1].count("<Update>") == 3 * len(few),
            "Core three times: once (%d vs %d bytes)" % (len(three[1]), len(thrice[1])))
    one = s.extended_post(rids[:1], ["Extended", "LocalizedProperties"], ["en"])
    fifty = s.extended_post(rids[:1] * 50, ["Extended", "LocalizedProperties"], ["en"])
    t.check(same(one, fifty), "one revision id 50 times: answered once (%d vs %d bytes)" % (
        len(one[1]), len(fifty[1])))
    t.check(one[1].count("<FileLocation>") == 1, "its file located once")

    st, body, _ = s.extended_post(rids, ["LocalizedProperties"], ["x%d-YY" % i for i in range(3000)])
    t.check(st == 500 and error_code(body) == "InvalidParameters" and text_of(body, "Message") == "locales",
            "3,000 locales: InvalidParameters \"locales\" (HTTP %d %s %s)" % (
                st, error_code(body), text_of(body, "Message")))
    st, body, _ = s.extended_post(rids, ["LocalizedProperties"], ["x%d-YY" % i for i in range(LOCALES_MAX + 1)])
    t.check(st == 500 and error_code(body) == "InvalidParameters",
            "%d locales: InvalidParameters (HTTP %d)" % (LOCALES_MAX + 1, st))
    loc_en = s.extended_post(rids, ["LocalizedProperties"], ["en"])
    loc_max = s.extended_post(rids, ["LocalizedProperties"],
                              ["x%d-YY" % i for i in range(LOCALES_MAX - 2)] + ["EN-us", "en"])
    t.check(same(loc_en, loc_max), "%d locales, en last: answered, the same %d bytes as \"en\" alone (got %d)" % (
        LOCALES_MAX, len(loc_en[1]), len(loc_max[1])))

    one2 = s.extended2_post(uids[:1], ["Extended", "LocalizedProperties"], ["en"])
    fifty2 = s.extended2_post(uids[:1] * 50, ["Extended", "LocalizedProperties"] * 100, ["en"])
    t.check(same(one2, fifty2) and one2[1].count("<Update>") == 2,
            "GetExtendedUpdateInfo2, one update x 50, types x 100: answered once (%d vs %d bytes)" % (
                len(one2[1]), len(fifty2[1])))
    st, body, _ = s.extended2_post(uids[:1], ["LocalizedProperties"], ["x%d" % i for i in range(3000)])
    t.check(st == 500 and error_code(body) == "InvalidParameters",
            "GetExtendedUpdateInfo2 with 3,000 locales: InvalidParameters (HTTP %d)" % st)

    # SyncUpdates: pages bounded in bytes, each revision at most once a page.
    pages, seen = s.scan()
    dups = [p for p in pages if len(set(page_ids(p[0])[0])) != len(page_ids(p[0])[0])]
    biggest = max(page_ids(p[0])[1] for p in pages)
    t.check(not dups, "no SyncUpdates page carries a revision twice (%d pages, %d with duplicates)" % (
        len(pages), len(dups)))
    t.check(biggest <= PAGE_BYTES, "largest NewUpdates %d bytes <= %d" % (biggest, PAGE_BYTES))
    cut = [p for p in pages if p[2] and p[1] < PAGE_UPDATES]
    t.check(len(cut) > 0, "a page cut short by the byte budget says Truncated (%d such pages)" % len(cut))
    t.check(all(p[1] > 0 for p in pages[:-1]), "every page but the last makes progress")
    t.note("scan: %d pages, %d revisions, sizes %s" % (
        len(pages), len(seen), [page_ids(p[0])[1] for p in pages]))
    return t, len(seen)


def main():
    mode, base, ca, db = sys.argv[1:5]
    rids, uids = ids(db)
    s = Session(base, ca, dns="amplify.test", timeout=900 if mode == "measure" else 120).login().register()
    if mode == "measure":
        measure(s, rids, uids)
        return 0
    t, nseen = check(s, rids, uids)
    if len(sys.argv) > 5:
        want = int(sys.argv[5])
        t.check(nseen == want, "the scan hands out all %d revisions (got %d)" % (want, nseen))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
