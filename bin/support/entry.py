"""What the bin/ shims run: `python bin/support/entry.py [--bootstrap CACHE_ROOT] COMMAND ...`.

Like `python -m pybuildpack`, but without putting the current directory (often
the app) first on sys.path, where an app's own json.py or toml.py would shadow
the modules pybuildpack imports. Python puts this script's directory there
instead; it is replaced with lib/.
"""

import os
import sys

sys.path[0] = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "lib")

if sys.argv[1:2] == ["--bootstrap"]:
    del sys.argv[1]
    from pybuildpack.bootstrap import main as bootstrap_main

    bootstrap_main()
else:
    kept = os.environ.pop("PYBUILDPACK_BYTECODE_DIR", None)   # pybuildpack.bytecode; never the app's
    if kept:
        from pybuildpack.bytecode import install

        install(kept)
    from pybuildpack.cli import main

    raise SystemExit(main())
