"""`python -m clinicdesk.server.reset_epoch DATABASE_URL`: gives HQ a new epoch after a restore or reset, so every
device on the old one is sent through a full resync instead of pushing stale data back."""

import sys
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from clinicdesk.server.database import make_engine, upgrade_to_head
from clinicdesk.server.sync_epoch import reset_epoch


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m clinicdesk.server.reset_epoch DATABASE_URL  (the owner role's URL on PostgreSQL)",
              file=sys.stderr)
        return 2
    engine = make_engine(args[0])
    try:
        upgrade_to_head(engine)
        with Session(engine) as session, session.begin():
            epoch = reset_epoch(session, datetime.now(UTC))
        print(f"HQ epoch is now {epoch}; devices on the previous epoch must run a full resync.")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
