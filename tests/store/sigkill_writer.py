"""Test helper process: commits rows in a loop until killed, printing each id only after its COMMIT returned."""

import os
import random
import sys

import sqlcipher3


def main() -> None:
    path, round_no = sys.argv[1], int(sys.argv[2])
    conn = sqlcipher3.connect(path, isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{os.environ['CLINICDESK_TEST_KEY_HEX']}'\"")
    # The settings clinicdesk.store.engine applies to every connection; the parent checks they match the engine's.
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    settings = [conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("journal_mode", "synchronous",
                                                                        "foreign_keys")]
    print("pragmas", *settings, flush=True)
    rng = random.Random(round_no)
    next_id = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM kill_log").fetchone()[0]
    while True:
        # Mostly small rows, now and then one larger than a page, so some commits also write overflow pages.
        size = rng.randint(16, 240) if rng.random() < 0.97 else 6000
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO kill_log (id, round, payload) VALUES (?, ?, ?)",
                     (next_id, round_no, rng.randbytes(size)))
        conn.execute("COMMIT")
        sys.stdout.write(f"{next_id}\n")
        sys.stdout.flush()
        next_id += 1


if __name__ == "__main__":
    main()
