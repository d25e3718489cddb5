"""`python -m scripts.migrate up|down|status` against MONGODB_URI / MONGODB_DB."""

from __future__ import annotations

import argparse
import asyncio

from gigsta.database import connect
from gigsta.settings import get_settings
from scripts.migrate import migrate_down, migrate_up, migration_status


async def _run(args: argparse.Namespace) -> int:
    settings = get_settings()
    client = connect(settings.require_mongodb_uri())
    db = client[settings.mongodb_db]
    try:
        if args.command == "up":
            applied = await migrate_up(db, target=args.to)
            print("applied:", ", ".join(applied) if applied else "nothing to do")
        elif args.command == "down":
            reverted = await migrate_down(db, steps=args.steps)
            print("reverted:", ", ".join(reverted) if reverted else "nothing to do")
        else:
            for migration, applied_at in await migration_status(db):
                state = (
                    f"applied {applied_at:%Y-%m-%d %H:%M:%S}"
                    if applied_at
                    else "pending"
                )
                print(f"{migration.version} {migration.name:<30} {state}")
    finally:
        await client.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.migrate")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="apply pending migrations")
    up.add_argument("--to", help="stop after this version (e.g. 0002)")
    down = commands.add_parser("down", help="revert the latest migration(s)")
    down.add_argument("--steps", type=int, default=1)
    commands.add_parser("status", help="list migrations and whether applied")
    return asyncio.run(_run(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
