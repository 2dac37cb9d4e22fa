"""Where the API lives in the URL space: one prefix, spelled once.

Two questions are asked of a path, and they differ on the API's documentation pages:

- `under_api(path)`: served by the API's mount (its routes, its OpenAPI schema, its Swagger UI
  and ReDoc pages). The API's edge asks this one: CORS, problem documents for 404/405/413/500/503,
  rate limits and Idempotency-Key all cover the docs pages as they always did.
- `is_api_call(path)`: an API call proper, the docs pages excepted. The pages' middleware asks
  this one: the docs pages are pages (session, language, frame headers), API calls are not.
"""

API_PREFIX = "/v2/"
API_DOCS = f"{API_PREFIX}docs"  # Swagger UI
API_PAGES = (API_DOCS, f"{API_PREFIX}redoc")


def under_api(path: str) -> bool:
    return path.startswith(API_PREFIX)


def is_api_call(path: str) -> bool:
    return path.startswith(API_PREFIX) and not path.startswith(API_PAGES)


def api_path(route: str) -> str:
    """The absolute path of an API route given without the prefix (`"token"` → `/v2/token`)."""
    return API_PREFIX + route.lstrip("/")
