"""`python -m beasiswa`: the same command line as the installed `beasiswa` script."""

from beasiswa.cli import app

if __name__ == "__main__":
    app(prog_name="beasiswa")
