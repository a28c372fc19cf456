"""Every number and name the client's request loop, auth and logging depend on, in one place.

Tests pin behaviour against these, and an operator tuning the client for a slow network reads
one file instead of hunting through the loop.
"""

from __future__ import annotations

# No httpx or package-version import here: the secret patterns below are read by the page cache
# on the console's first paint, which must not pay for loading the HTTP stack.

API_PREFIX = "/v1"

# Timeouts: a dead host should fail fast (connect); a big page on a slow link may take a while (read).
CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 30.0
WRITE_TIMEOUT_SECONDS = 30.0
POOL_TIMEOUT_SECONDS = 10.0
MAX_CONNECTIONS = 20
MAX_KEEPALIVE_CONNECTIONS = 10

# Retries: attempt n (1-based) that failed waits INITIAL * 2**(n-1), capped, times a jitter factor.
DEFAULT_MAX_RETRIES = 4
INITIAL_RETRY_DELAY_SECONDS = 0.5
MAX_RETRY_DELAY_SECONDS = 8.0
# Jitter scales a backoff down by up to this fraction, so clients that failed together spread out.
JITTER_FRACTION = 0.25
# A Retry-After longer than this is not waited out inside a call: the caller gets RateLimited.
MAX_RETRY_AFTER_SECONDS = 60.0
# Being told to wait (429 with Retry-After) is not a failure; it has its own, larger budget.
MAX_RATE_LIMIT_WAITS = 20

# Retried besides every 5xx: request timeout and rate limited.
RETRYABLE_STATUSES = frozenset({408, 429})
RETRYABLE_CONFLICT_CODE = "IDEMPOTENCY_KEY_IN_USE"
IDEMPOTENT_WRITE_METHODS = frozenset({"POST", "PATCH"})

# Headers the platform speaks.
HEADER_IDEMPOTENCY_KEY = "Idempotency-Key"
HEADER_IF_MATCH = "If-Match"
HEADER_REQUEST_ID = "X-Request-Id"
HEADER_RETRY_AFTER = "Retry-After"
HEADER_RATE_LIMIT = "X-RateLimit-Limit"
HEADER_RATE_REMAINING = "X-RateLimit-Remaining"
HEADER_RATE_RESET = "X-RateLimit-Reset"
HEADER_REPLAYED = "Idempotent-Replayed"

# User login: refresh when this little of the access token's life is left (the smaller of the two).
TOKEN_REFRESH_MARGIN_SECONDS = 60.0
TOKEN_REFRESH_MARGIN_FRACTION = 0.1
AUTH_TOKEN_PATH = "/auth/token"
AUTH_REFRESH_PATH = "/auth/refresh"

# Request records: bodies kept for troubleshooting are cut to this many bytes.
RECORD_BODY_LIMIT_BYTES = 4096
REDACTED = "[REDACTED]"
# Field names that hold a secret in the platform's own schemas (a webhook's signing_secret, a new
# key's secret, a login's password and tokens): dropped from cached records, masked in log text.
SECRET_FIELD_NAMES = frozenset({"secret", "signing_secret", "password", "access_token", "refresh_token"})
# JSON keys whose values are always masked in recorded bodies (compared case-insensitively).
SECRET_BODY_KEYS = SECRET_FIELD_NAMES | frozenset({
    "token", "api_key", "client_secret", "new_password", "current_password",
})
# Headers whose values are always masked, whatever they look like.
SECRET_HEADERS = frozenset({
    "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-internal-key",
})
# The prefixes of every secret the platform mints: API keys, webhook signing secrets, user access
# and refresh tokens. A cheap substring check on these skips the regex for most text.
SECRET_TOKEN_PREFIXES = ("opk_live_", "opk_test_", "whsec_", "opat_", "oprt_",
                         # The seed platforms' own shapes (app/api/dialects): BiVelio, BizBasics,
                         # Bi369, 8bit-ai keys and refresh tokens, and JWT access tokens.
                         "bv_live_sk_", "bv_test_sk_", "bv_live_pk_", "bv_test_pk_", "bbk_", "bbas_",
                         "b369_full_", "b369_read_", "8b_sk_", "8b_rt_", "eyJ")
# Token shapes masked wherever they appear (headers, bodies, URLs, error text, cache, logs, drafts).
# Secrets carry 32+ random characters; a shorter run is a display prefix (`opk_live_AbCd`,
# `whsec_MZ2Q…`), kept.
SECRET_TOKEN_PATTERNS = (
    r"opk_(?:live|test)_[A-Za-z0-9]{16,}",
    r"whsec_[A-Za-z0-9+/=_-]{16,}",
    r"opat_[A-Za-z0-9]{16,}",
    r"oprt_[A-Za-z0-9]{16,}",
    r"bv_(?:live|test)_(?:sk|pk)_[A-Za-z0-9]{16,}",
    r"bbk_[A-Za-z0-9]{16,}",
    r"bbas_[A-Za-z0-9]{16,}",
    r"b369_(?:full|read)_[A-Za-z0-9]{16,}",
    r"8b_(?:sk|rt)_[A-Za-z0-9]{16,}",
    # A JWT: base64url header and claims (both JSON objects, so both start `eyJ`) and a signature.
    r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*",
)
# A Bearer credential, whatever its shape (masked in recorded headers and free text).
BEARER_PATTERN = r"(?i:bearer)\s+[A-Za-z0-9._~+/=-]+"
# At the cut of a truncated body, any start of a token is masked: it may be the head of a secret.
SECRET_TOKEN_HEAD_PATTERN = (r"(?:opk_(?:live|test)_|whsec_|opat_|oprt_|bv_(?:live|test)_(?:sk|pk)_|bbk_|bbas_"
                             r"|b369_(?:full|read)_|8b_(?:sk|rt)_|eyJ)[A-Za-z0-9+/=_.-]*$")

# Name of the httpx request extension that carries the attempt number to the observed transport.
ATTEMPT_EXTENSION = "opsdesk.attempt"
