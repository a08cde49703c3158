"""A small Flask app, built by its factory."""

import os

from flask import Flask


def create_app() -> Flask:
    app = Flask(__name__)

    @app.route("/")
    def index() -> str:
        greeting = os.environ.get("GREETING", "Hello")
        return f"{greeting} from Flask, served by pybuildpack\n"

    return app
