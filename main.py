"""Start terrmap's desktop app (``make run``): ``python main.py [PROJECT.terrmap.gpkg]``."""

import sys

from terrmap.ui.app import run_app

if __name__ == "__main__":
    sys.exit(run_app(sys.argv[1] if len(sys.argv) > 1 else None))
