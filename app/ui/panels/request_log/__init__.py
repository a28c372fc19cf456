"""The request log panel: every exchange this console made, and the server's own view."""
