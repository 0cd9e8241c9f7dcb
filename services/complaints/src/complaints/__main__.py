from pathlib import Path

from sunlight.cli import service_main

from complaints.settings import ComplaintsSettings

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def main() -> None:
    service_main(ComplaintsSettings, "complaints.app:create_app", MIGRATIONS)


if __name__ == "__main__":
    main()
