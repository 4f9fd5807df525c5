"""Greets from inside a distroless image."""

import datetime
import os
import platform
import zoneinfo


def main() -> None:
    paris = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Paris"))
    print(f"Hello from a distroless image! Python {platform.python_version()}, "
          f"uid {os.getuid()}, Paris time {paris:%Y-%m-%d %H:%M %Z}")


if __name__ == "__main__":
    main()
