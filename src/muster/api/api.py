"""The API object: the routers of each part, token authentication on every operation."""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.errors import ValidationError

from muster.api import authority, figures, marks, roster, tasks
from muster.api.auth import TokenAuth, TokenRateThrottle
from muster.api.common import Refused

THROTTLE = TokenRateThrottle()

api = NinjaAPI(
    title="Muster API",
    version="1",
    description="Attendance registers, figures and tasks for schools, local authorities and the Virtual "
    "School. Authenticate with `Authorization: Bearer <token>` (made with `muster api token create`); "
    "every call acts as, is scoped to and is audited as the token's user. Calls beyond the rate limit "
    "per token are refused with 429.",
    auth=TokenAuth(),
    throttle=[THROTTLE],
    urls_namespace="api",
    docs_url=None,
)
api.add_router("", marks.router)
api.add_router("", figures.router)
api.add_router("", tasks.router)
api.add_router("", roster.router)
api.add_router("", authority.router)


@api.exception_handler(Refused)
def refused(request, error: Refused):
    return api.create_response(request, {"detail": error.detail}, status=error.status)


@api.exception_handler(ValidationError)
def invalid_request(request, error: ValidationError):
    """A request that does not fit the schema: each problem with the index of the item (the mark's
    position in a batch), the field and the reason, in the same shape as a refused batch of marks."""
    problems = []
    for e in error.errors:
        where = [part for part in e.get("loc", ()) if part not in ("body", "query", "path", "header")]
        index = next((part for part in where if isinstance(part, int)), None)
        names = [str(part) for part in where if not isinstance(part, int)]
        value = e.get("input")
        problems.append({"index": index, "field": names[-1] if names else "",
                         "value": value if isinstance(value, str) else "", "reason": e.get("msg", "invalid")})
    return api.create_response(
        request, {"detail": f"{len(problems)} problem(s) in the request; nothing was changed", "errors": problems},
        status=422,
    )


def schema() -> dict:
    """The OpenAPI 3 document, as served at /api/v1/openapi.json and committed in docs/openapi.json."""
    return api.get_openapi_schema(path_prefix="/api/v1")
