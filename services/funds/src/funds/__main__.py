from pathlib import Path

from sunlight.cli import service_main

from funds.settings import FundsSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def main() -> None:
    service_main(FundsSettings, "funds.app:create_app", MIGRATIONS)


if __name__ == "__main__":
    main()
