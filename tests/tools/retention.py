#!/usr/bin/python3
"""retention.py - what one client may make the server keep.

usage: retention.py BASE_URL CA_FILE DB UPDATE_ID

Prints TAP lines for t_retention.sh:
 1. an event dated 9999-12-31 does not pin a status: a later failure
    still decides it; a TimeAtTarget more than 300 s ahead is stored as
    the arrival time, one within 300 s as sent;
 2. a computer that reports 6,000 events keeps the newest 5,000
    (LIMIT_EVENTS_PER_COMPUTER), the oldest by arrival dropped;
 3. new computers from one address: the 500th of the hour is registered
    (LIMIT_REGISTRATIONS_PER_ADDR), the next gets ServerBusy, a report
    from a never-registered computer too; a known computer still
    registers.
Computers R1 (workstation), R2 (workstation) and R3 (server) stay for the
retention part the shell script runs after a restart.
"""
import sqlite3
import sys
import time
import uuid

from wsus_soap import Session, Tap, error_code, now_iso, text_of

R1 = "a1a1a1a1-0000-4000-8000-000000000001"
R2 = "a2a2a2a2-0000-4000-8000-000000000002"
R3 = "a3a3a3a3-0000-4000-8000-000000000003"
EVENTS_KEEP = 5000            # LIMIT_EVENTS_PER_COMPUTER
NEW_PER_ADDR = 500            # LIMIT_REGISTRATIONS_PER_ADDR
SKEW = 300                    # LIMIT_EVENT_CLOCK_SKEW_S


def q(db, sql, *args):
    """One value, or None (a column an older schema lacks, say)."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    try:
        return con.execute(sql, args).fetchone()[0]
    except sqlite3.Error as e:
        print("sqlite: %s" % e)
        return None
    finally:
        con.close()


def main():
    base, ca, db, update = sys.argv[1:5]
    t = Tap()

    # 1. The future does not win.
    r1 = Session(base, ca, client_id=R1, dns="r1.retention.test").login().register()
    r1.report([{"id": 183, "update": update, "time": "9999-12-31T23:59:59Z"}])
    state = q(db, "SELECT state FROM update_status s JOIN computers c ON c.id = s.computer_ref "
                  "WHERE c.computer_id = ?", R1)
    t.check(state == "installed", "R1 reports 183 dated 9999-12-31: installed (%s)" % state)
    latest = q(db, "SELECT max(time_at_target) FROM events e JOIN computers c ON c.id = e.computer_ref "
                   "WHERE c.computer_id = ?", R1)
    t.check(latest is not None and latest <= time.time() + 5,
            "its TimeAtTarget, more than %d s ahead, is stored as the arrival time (%s)" % (
                SKEW, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(min(latest or 0, 2**31 - 1)))))
    r1.report([{"id": 182, "update": update, "time": now_iso(), "hresult": -2145124329}])
    state = q(db, "SELECT state FROM update_status s JOIN computers c ON c.id = s.computer_ref "
                  "WHERE c.computer_id = ?", R1)
    t.check(state == "failed", "a failure reported now still decides the status (%s)" % state)
    ahead = now_iso(SKEW - 60)
    r1.report([{"id": 183, "update": update, "time": ahead}])
    latest = q(db, "SELECT max(time_at_target) FROM events e JOIN computers c ON c.id = e.computer_ref "
                   "WHERE c.computer_id = ?", R1)
    t.check(latest is not None and latest >= time.time() + SKEW - 120,
            "a TimeAtTarget %d s ahead (a skewed clock) is kept as sent" % (SKEW - 60))
    r1.report([{"id": 182, "update": update, "time": now_iso(SKEW - 30), "hresult": -2145124329}])

    # 2. The per-computer cap.
    r2 = Session(base, ca, client_id=R2, dns="r2.retention.test").login().register()
    first = [str(uuid.uuid4()) for _ in range(1000)]
    r2.report([{"id": 156, "instance": i} for i in first])
    for _ in range(4):
        r2.report([{"id": 156} for _ in range(1000)])
    last = [str(uuid.uuid4()) for _ in range(1000)]
    r2.report([{"id": 156, "instance": i} for i in last])
    n = q(db, "SELECT count(*) FROM events e JOIN computers c ON c.id = e.computer_ref WHERE c.computer_id = ?", R2)
    t.check(n == EVENTS_KEEP, "R2 reported 6,000 events, %d kept (cap %d)" % (n, EVENTS_KEEP))
    old = q(db, "SELECT count(*) FROM events WHERE event_instance_id IN (%s)" % ",".join("'%s'" % i for i in first))
    new = q(db, "SELECT count(*) FROM events WHERE event_instance_id IN (%s)" % ",".join("'%s'" % i for i in last))
    t.check(old == 0 and new == 1000, "the oldest 1,000 dropped, the newest 1,000 kept (%d, %d)" % (old, new))

    # R3, a server (OldProductType 3), for the retention part.
    r3 = Session(base, ca, client_id=R3, dns="r3.retention.test", product_type=3).login().register()
    r3.report([{"id": 156}, {"id": 156}])

    # 3. New computers per address and hour.
    s = Session(base, ca, dns="new.retention.test")
    admitted = busy = None
    for k in range(NEW_PER_ADDR + 1):
        s.client_id = str(uuid.uuid4())
        s.login()
        st, body, _ = s.register_post()
        if st != 200:
            busy = (k, st, body)
            break
    have = q(db, "SELECT count(*) FROM computers WHERE registered_from = '127.0.0.1'")
    t.check(busy is not None and have == NEW_PER_ADDR,
            "new computers from 127.0.0.1 stop at %d (%s stored from it%s)" % (
                NEW_PER_ADDR, have, "" if busy else "; all %d more registered" % (NEW_PER_ADDR + 1)))
    if busy:
        k, st, body = busy
        t.check(st == 500 and error_code(body) == "ServerBusy" and "try again later" in (text_of(body, "Message") or ""),
                "the next one gets ServerBusy: HTTP %d %s \"%s\"" % (st, error_code(body), text_of(body, "Message")))
        t.check(q(db, "SELECT count(*) FROM computers WHERE computer_id = ?", s.client_id) == 0,
                "and is not stored")
    s.client_id = str(uuid.uuid4())
    s.login()
    st, body, _ = s.report_post([{"id": 156}])
    t.check(st == 500 and error_code(body) == "ServerBusy",
            "a report from a never-registered computer: ServerBusy (HTTP %d %s)" % (st, error_code(body)))
    st, body, _ = r1.login().register_post()
    t.check(st == 200, "a known computer still registers (HTTP %d)" % st)
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
