"""Static files of the dashboard: its stylesheet and script, and plotly.js from the installed package.

Served by Handoff itself so that pages work offline and no request leaves the server (no CDN). The
files are read once and kept in memory with a content hash as their ETag; ``?v=<hash>`` in the pages'
URLs lets browsers cache them for a year.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import plotly
from fastapi import APIRouter, HTTPException, Request, Response

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
MEDIA_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}

router = APIRouter()


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    media_type: str
    digest: str


@cache
def static_file(name: str) -> StaticFile:
    path = PLOTLY_JS if name == "plotly.min.js" else STATIC_DIR / name
    if path.parent not in (STATIC_DIR, PLOTLY_JS.parent) or not path.is_file():
        raise FileNotFoundError(name)
    body = path.read_bytes()
    return StaticFile(body, MEDIA_TYPES[path.suffix], hashlib.sha256(body).hexdigest()[:16])


def asset_url(name: str) -> str:
    return f"/static/dashboard/{name}?v={static_file(name).digest}"


@router.get("/static/dashboard/{name}", include_in_schema=False)
def serve(name: str, request: Request) -> Response:
    if "/" in name or name.startswith(".") or Path(name).suffix not in MEDIA_TYPES:
        raise HTTPException(404, "no such file")
    try:
        found = static_file(name)
    except FileNotFoundError:
        raise HTTPException(404, "no such file") from None
    etag = f'"{found.digest}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=31536000, immutable"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)
