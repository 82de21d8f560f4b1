"""`python -m clinicdesk.server.migrate OWNER_URL`: brings an HQ database to the schema head as its owner role, which
on PostgreSQL is not the role the server runs as (the server's role cannot change the schema or bypass isolation)."""

import sys

from clinicdesk.server.database import current_revision, make_engine, upgrade_to_head


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m clinicdesk.server.migrate DATABASE_URL  (the owner role's URL; a password is best "
              "kept in ~/.pgpass rather than on the command line)", file=sys.stderr)
        return 2
    engine = make_engine(args[0])
    try:
        upgrade_to_head(engine)
        print(f"HQ database schema at revision {current_revision(engine)}")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
