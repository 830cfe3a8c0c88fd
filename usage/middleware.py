def quota_headers(get_response):
    """`X-Quota-Limit` and `X-Quota-Remaining` on every response to a metered API call."""

    def middleware(request):
        response = get_response(request)
        quota = getattr(request, "quota", None)
        if quota is not None:
            response["X-Quota-Limit"] = str(quota.limit)
            response["X-Quota-Remaining"] = str(quota.remaining)
        return response

    return middleware
