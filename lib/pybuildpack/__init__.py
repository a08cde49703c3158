"""pybuildpack: turn a Python web app's source tree into something that runs in production."""

__version__ = "0.1.0"
