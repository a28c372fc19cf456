"""One resource object per API area; `AdminClient` builds them over its request loop."""
