"""The per-profile SQLite page cache (Qt-free): `PageCache`, and `AsyncPageCache` for the UI."""

from app.cache.async_cache import AsyncPageCache
from app.cache.list_pages import CachedList, canonical_query
from app.cache.page_cache import PageCache

__all__ = ["AsyncPageCache", "CachedList", "PageCache", "canonical_query"]
