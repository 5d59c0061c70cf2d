#!/usr/bin/python3
"""targeting.py - one client session as a WUA runs it, under a chosen identity.

usage: targeting.py BASE_URL CA_FILE DB CLIENT_ID GROUP

GetConfig, GetAuthorizationCookie with targetGroupName GROUP ("-": none),
GetCookie, RegisterComputer, then SyncUpdates rounds (every non-leaf update
taken as installed).  Prints the update ids of the leaf updates the scan
offered, sorted, one a line, so that the caller compares them with the
approvals of the group the computer should be in.  Any fault: exit 1.
"""
import sqlite3
import sys

from wsus_soap import Fault, Session


def main():
    base, ca, db, client_id, group = sys.argv[1:6]
    s = Session(base, ca, client_id=client_id, group=None if group == "-" else group,
                dns="%s.targeting.test" % client_id[:8])
    try:
        s.login().register()
        _, seen = s.scan()
    except Fault as e:
        print("fault: %s" % e, file=sys.stderr)
        return 1
    leaves = [rid for rid, leaf in seen.items() if leaf]
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    ids = []
    for rid in leaves:
        row = con.execute("SELECT u.update_id FROM revisions r JOIN updates u ON u.id = r.update_ref "
                          "WHERE r.revision_id = ?", (rid,)).fetchone()
        ids.append(row[0] if row else "unknown-%d" % rid)
    con.close()
    for u in sorted(ids):
        print(u)
    return 0


if __name__ == "__main__":
    sys.exit(main())
