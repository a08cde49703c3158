"""The serve benchmark's WSGI app: a dynamic page, a tiny JSON endpoint and a slow one."""

import time

from flask import Flask, jsonify, render_template_string, request

app = Flask(__name__)

PAGE = """<!doctype html>
<title>Orders</title>
<h1>Orders for {{ customer }}</h1>
<table>
{% for order in orders %}<tr><td>{{ order.id }}</td><td>{{ order.item }}</td><td>{{ "%.2f"|format(order.total) }}</td></tr>
{% endfor %}</table>
"""


@app.route("/")
def page():
    orders = [{"id": n, "item": f"item {n}", "total": n * 1.25} for n in range(30)]
    return render_template_string(PAGE, customer=request.args.get("customer", "someone"), orders=orders)


@app.route("/json")
def tiny_json():
    return jsonify(ok=True)


@app.route("/slow")
def slow():
    time.sleep(0.3)
    return "done"


application = app
