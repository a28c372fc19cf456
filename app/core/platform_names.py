"""The platforms a profile may name, without importing the client (the profiles file is read before
the first paint, and `app.api` pulls in httpx and the models). `app.api.dialects.DIALECTS` is the
same list with each adapter; tests/dialects/test_platform_names.py keeps the two equal."""

PLATFORMS: tuple[str, ...] = ("opsdesk", "platform004", "bi369", "8bit", "bivelio", "bizbasics")
