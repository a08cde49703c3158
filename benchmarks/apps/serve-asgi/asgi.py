"""The serve benchmark's ASGI app (Starlette): a dynamic page and a tiny JSON endpoint."""

import asyncio

from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route


async def page(request):
    customer = request.query_params.get("customer", "someone")
    rows = "".join(f"<tr><td>{n}</td><td>item {n}</td><td>{n * 1.25:.2f}</td></tr>" for n in range(30))
    return HTMLResponse(f"<!doctype html><title>Orders</title><h1>Orders for {customer}</h1><table>{rows}</table>")


async def tiny_json(request):
    return JSONResponse({"ok": True})


async def slow(request):
    await asyncio.sleep(0.3)
    return HTMLResponse("done")


application = Starlette(routes=[Route("/", page), Route("/json", tiny_json), Route("/slow", slow)])
