"""``python -m terrmap``: the same as the ``terrmap`` command."""

from terrmap.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
