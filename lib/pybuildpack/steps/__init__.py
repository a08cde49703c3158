"""The steps a build runs: runtime, dependencies, Django, hooks, relocation."""
