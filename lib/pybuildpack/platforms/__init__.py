"""Platform adapters: where a build puts things and how it hands over processes.

The only code that knows a platform's directory layout. Each executes the same
BuildPlan through the phases in `pybuildpack.build`.
"""
