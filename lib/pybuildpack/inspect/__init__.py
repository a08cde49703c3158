"""What the app is: pure functions over its directory, no side effects.

Each fact carries its origin (file and line) so messages can say where it came
from. Submodules are imported explicitly: `files` must work on a bare python3
(bin/detect runs before any tool is installed), the others may use `packaging`.
"""
