"""Serves anonymous public pages from the shared cache and hands Wagtail the per-process site (cache.py)."""

from django.core.cache import cache as shared
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from . import cache, figures, site_data


class PublicPageCacheMiddleware:
    """Serves and stores anonymous public pages; sits right after WhiteNoise, before sessions."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = cache.entry_key(request)
        if key:
            # Counted again at most every FIGURES_RECHECK_SECONDS per process; new numbers start a new
            # generation before it is read below, so a stored home page never outlives its figures.
            figures.current_numbers()
        found = shared.get_many([cache.GENERATION_KEY, key] if key else [cache.GENERATION_KEY])
        generation = cache.read_generation(found.get(cache.GENERATION_KEY))
        today = timezone.localdate().isoformat()
        entry = found.get(key) if key else None
        if entry is not None and entry[0] == generation and entry[1] == today:
            return self._from_entry(request, entry)

        token = cache.request_generation.set(generation)
        try:
            if not request.path.startswith(cache.SKIPPED_PREFIXES) and site_data.allowed_host(request):
                request._wagtail_site = site_data.site_for_request(request)
            response = self.get_response(request)
        finally:
            cache.request_generation.reset(token)
        if key and cache.storable(request, response):
            cache.add_public_headers(response)
            response["X-Cache"] = "miss"
            headers = [(name, value) for name, value in response.items() if name.lower() != "x-cache"]
            shared.set(key, (generation, today, headers, response.content), cache.cache_seconds())
        elif getattr(request, "resolver_match", None) is not None and not response.has_header("Cache-Control"):
            if request.resolver_match.url_name == "wagtail_serve":
                # Rendered for this visitor (signed in, or a restricted page): no proxy may keep it.
                patch_cache_control(response, private=True)
        return response

    @staticmethod
    def _from_entry(request, entry) -> HttpResponse:
        _generation, _date, headers, content = entry
        response = HttpResponse(b"" if request.method == "HEAD" else content)
        for name, value in headers:
            response[name] = value
        if request.method == "HEAD":
            response["Content-Length"] = str(len(content))
        response["X-Cache"] = "hit"
        return response
