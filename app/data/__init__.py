"""The desk's data layer: one Qt-free store per resource between the client and the panels.

A store owns its records: it reads through the page cache (the first paint and the offline
source), writes through to the server, syncs, merges a colleague's concurrent change three ways
on 412, and tells its listeners what changed through an `Observable`. Panels bind to stores (the
Qt adapter is `app.ui.store_binding`); they never call the client or the cache themselves, and
everything a user reads as a count, a total or a banner is derived from a store.

    sandbox ⇢ HTTP ⇢ app.api (typed client) ⇢ app.data (stores; app.cache inside) ⇢ app.ui adapters ⇢ panels
"""
