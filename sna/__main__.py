"""Run the command line: ``python -m sna``."""

from sna.cli import main

if __name__ == "__main__":
    main()
