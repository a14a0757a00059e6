"""moto_server with the project's corrections (scripts/moto_patches/, one module a service),
started by scripts/moto.sh on 127.0.0.1; never used against real AWS."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import moto_patches  # noqa: E402,F401  (patches moto before the server imports its backends)
from moto.server import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
