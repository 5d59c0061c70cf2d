#!/bin/sh
# layout.sh BUILD - the architecture checks (tests/tools/layout.py): include
# rules per folder, no include or call circles, library doors, one private
# header per folder naming its files.  Needs the objects of BUILD.
exec python3 tests/tools/layout.py "${1:-build}"
