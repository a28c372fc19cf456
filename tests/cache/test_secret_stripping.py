"""No secret reaches the cache file: not by field name, not by shape, not in the request log."""

from __future__ import annotations

from app.cache import PageCache

API_KEY = "opk_live_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe"
TEST_KEY = "opk_test_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe"
SIGNING = "whsec_c2VjcmV0LXNpZ25pbmcta2V5LXZhbHVl"
PASSWORD = "pw-Only-In-A-Password-Field"
TOKEN = "tok-Only-In-A-Token-Field-123"
ACCESS = "opat_" + "Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz1Xc3Vb5Nm7Qw3"
REFRESH = "oprt_" + "Mn8Bv6Cx4Zl2Kj0Hg8Fd6Sa4Po2Iu0Yt8Re6Wq4Mn8"


def cache_bytes(path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.iterdir() if p.is_file())


def test_secrets_are_stripped_before_writing(cache_path, clock) -> None:
    with PageCache(cache_path, clock=clock) as cache:
        cache.put_records("webhooks", [{"id": "wh_1", "url": "https://hooks.example.com",
                                        "signing_secret": SIGNING, "signing_secret_preview": "whsec_…3d"}])
        cache.put_records("api_keys", [{"id": "key_1", "name": "ci", "secret": API_KEY, "prefix": "opk_live_Zx9"}])
        cache.put_list("contacts", {}, [{"id": "con_1", "name": "Leaky", "notes": f"key is {TEST_KEY}",
                                         "custom_fields": {"note": f"tokens {ACCESS} / {REFRESH} here"}}], None)
        cache.append_request_records([{
            "time": "2026-04-07T12:00:00Z", "method": "POST", "url": "http://127.0.0.1/v1/api-keys",
            "status": 201, "request_headers": {"Authorization": "Bearer [redacted]"},
            "response_body": {"data": {"id": "key_2", "secret": API_KEY}}, "access_token": TOKEN,
        }])

        webhook = cache.get_record("webhooks", "wh_1")
        assert "signing_secret" not in webhook and webhook["signing_secret_preview"] == "whsec_…3d"
        assert cache.get_record("api_keys", "key_1") == {"id": "key_1", "name": "ci", "prefix": "opk_live_Zx9"}
        contact = cache.get_record("contacts", "con_1")
        assert contact["notes"] == "key is [redacted]"
        assert contact["custom_fields"] == {"note": "tokens [redacted] / [redacted] here"}
        logged = cache.recent_request_records()[0]
        assert logged["response_body"] == {"data": {"id": "key_2"}} and "access_token" not in logged

    stored = cache_bytes(cache_path)
    assert b"Leaky" in stored  # the scan does see the file's contents
    for secret in (API_KEY, TEST_KEY, SIGNING, TOKEN, ACCESS, REFRESH):
        assert secret.encode() not in stored


def test_credential_headers_are_kept_with_their_values_masked(cache_path, clock) -> None:
    access_token = "eyJhbGciOiJIUzI1NiJ9.payload-part.signature-part"
    with PageCache(cache_path, clock=clock) as cache:
        cache.append_request_records([{
            "time": 1.0, "method": "GET", "url": "http://127.0.0.1/v1/me", "status": 200,
            "request_headers": {"Authorization": f"Bearer {access_token}", "Cookie": "session=abc123; theme=dark",
                                "Accept": "application/json"},
            "response_body": {"data": {"subject": "Bearer of bad news"}},
        }])
        logged = cache.recent_request_records()[0]
    assert logged["request_headers"] == {"Authorization": "Bearer [redacted]", "Cookie": "[redacted]",
                                         "Accept": "application/json"}
    assert logged["response_body"]["data"]["subject"] == "Bearer of bad news"
    stored = cache_bytes(cache_path)
    assert access_token.encode() not in stored and b"abc123" not in stored


def test_user_data_named_like_a_secret_is_kept(cache_path, clock) -> None:
    """Only the platform's own secret fields go, at a record's top level; custom fields are the user's."""
    custom = {"loyalty_token": "GOLD-2291", "password": "hint: the dog's name", "api_key_owner": "Ops team",
              "nested": {"secret": "surprise party on friday"}}
    with PageCache(cache_path, clock=clock) as cache:
        cache.put_records("contacts", [{"id": "con_2", "name": "Tokens & Co", "custom_fields": custom,
                                        "notes": "our token_refresh_day is Monday", "password": PASSWORD}])
        contact = cache.get_record("contacts", "con_2")
    assert contact["custom_fields"] == custom
    assert contact["notes"] == "our token_refresh_day is Monday"
    assert "password" not in contact
    assert PASSWORD.encode() not in cache_bytes(cache_path)


def test_request_records_as_the_console_keeps_them(cache_path, clock) -> None:
    """Headers as (name, value) pairs and bodies as text, the way `record_to_dict` sends them."""
    with PageCache(cache_path, clock=clock) as cache:
        cache.append_request_records([{
            "time": "2026-04-07T12:00:00Z", "method": "POST", "url": "http://127.0.0.1/v1/contacts",
            "status": 201, "request_headers": [["Authorization", "Bearer xyz.abc"], ["Accept", "application/json"]],
            "request_body": f'{{"notes": "access {ACCESS} ok"}}', "response_body": "",
        }])
        logged = cache.recent_request_records()[0]
    assert logged["request_headers"] == [["Authorization", "Bearer [redacted]"], ["Accept", "application/json"]]
    assert logged["request_body"] == '{"notes": "access [redacted] ok"}'
    stored = cache_bytes(cache_path)
    assert ACCESS.encode() not in stored and b"xyz.abc" not in stored
