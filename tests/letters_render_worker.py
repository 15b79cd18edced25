"""A `beasiswa` command line in a process of its own that starts when told, for the letters' race tests.

    python tests/letters_render_worker.py GO_FILE ARG...

Imports the command line, prints `ready`, waits until GO_FILE exists (so that every racer starts together),
then runs `beasiswa ARG...` and exits with its status.
"""

import sys
import time
from pathlib import Path

from beasiswa.cli import app


def main() -> None:
    go, args = Path(sys.argv[1]), sys.argv[2:]
    import beasiswa.letters.batch  # noqa: F401 - the heavy imports done before the start, not in the race
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    app(args)


if __name__ == "__main__":
    main()
