"""The REST API's root: one NinjaAPI, authenticated by API key, mounting each app's router."""

import logging
from http import HTTPStatus

from csp.decorators import csp_update
from django.http import Http404, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from apikeys.auth import api_key_auth
from usage.services import QuotaExceeded

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Mailsac accounts API",
    version="1.0.0",
    description=(
        "Authenticate with an API key in the `Mailsac-Key` header (or the `_mailsacKey` query "
        "parameter). Every error answers `{message, error, validationErrors}`."
    ),
    auth=api_key_auth,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Swagger UI draws some icons as data: images; the rest of the site's policy applies as is.
    docs_decorator=csp_update({"img-src": ["data:"]}),
)


def error_response(request, status: int, error: str, message: str, validation_errors: list[str] | None = None):
    return api.create_response(
        request,
        {"message": message, "error": error, "validationErrors": validation_errors or []},
        status=status,
    )


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return error_response(
        request, 401, "Unauthorized", "A valid API key is required in the Mailsac-Key header or _mailsacKey parameter."
    )


@api.exception_handler(ValidationError)
def invalid(request, exc):
    messages = []
    for error in exc.errors:
        location = ".".join(str(part) for part in error.get("loc", ()) if part not in ("query", "body", "path"))
        messages.append(f"{location}: {error.get('msg', 'invalid')}" if location else error.get("msg", "invalid"))
    return error_response(request, 422, "Unprocessable Entity", "The request is not valid.", messages)


@api.exception_handler(HttpError)
def http_error(request, exc):
    return error_response(request, exc.status_code, HTTPStatus(exc.status_code).phrase, str(exc))


@api.exception_handler(QuotaExceeded)
def over_quota(request, exc):
    response = error_response(request, 429, "Too Many Requests", str(exc))
    response["Retry-After"] = str(exc.quota.retry_after)
    return response


@api.exception_handler(Http404)
def not_found(request, exc):
    return error_response(request, 404, "Not Found", "Not found.")


@api.exception_handler(Exception)
def server_error(request, exc):
    logger.exception("Unhandled error in %s %s", request.method, request.path)
    return error_response(request, 500, "Internal Server Error", "Something went wrong on our side.")


api.add_router("", "apikeys.api.router")
api.add_router("", "accounts.api.router")
api.add_router("", "usage.api.router")
api.add_router("", "capture.api.router")


def unknown_path(request, path=""):
    """Any other /api/ URL: the API's 404 body, not the site's HTML page."""
    return JsonResponse({"message": "No such API endpoint.", "error": "Not Found", "validationErrors": []}, status=404)
