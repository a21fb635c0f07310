"""/docs: the API reference as a plain server-rendered page, read from /openapi.json.

FastAPI's Swagger UI loads script from a CDN and runs inline script, which the
Content-Security-Policy (rightly) blocks; this page needs no script at all.
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web.rendering import render

router = APIRouter(include_in_schema=False)


def _type(schema: dict) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type(s) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items', {}))}"
    if "enum" in schema:
        values = schema["enum"]
        return " | ".join(map(str, values[:6])) + (" | …" if len(values) > 6 else "")
    return schema.get("format") or schema.get("type") or "any"


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request):
    spec = request.app.openapi()
    operations = []
    for path, ops in spec.get("paths", {}).items():
        for method, op in ops.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "auth": bool(op.get("security")),
                    "params": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _type(p.get("schema", {})),
                            "description": p.get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "responses": [
                        {
                            "status": status,
                            "type": _type(
                                next(iter(r.get("content", {}).values()), {}).get("schema", {})
                            ),
                            "description": r.get("description", ""),
                        }
                        for status, r in op.get("responses", {}).items()
                    ],
                }
            )
    return render(request, "apidocs.html", {"spec": spec, "operations": operations})
