"""One module per resource, each exposing `router` (an APIRouter with its prefix); app_factory mounts them under /v1."""
