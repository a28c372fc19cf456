"""Rotating a signing secret with an overlap: while it lasts every delivery carries both
signatures and verifies with either secret in the reference `standardwebhooks` library; after
it, only the new secret verifies. `--time-scale 600` makes a 1-hour overlap last 6 s."""

from __future__ import annotations

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.sandbox.conftest import assert_error, own_sandbox, wait_for
from tests.sandbox.webhook_ops_fixtures import make_endpoint
from tests.sandbox.webhook_ops_receiver import Accepted, OpsReceiver


def _verifies(secret: str, delivery: Accepted) -> bool:
    try:
        Webhook(secret).verify(delivery.body, delivery.headers)
    except WebhookVerificationError:
        return False
    return True


def test_both_secrets_verify_during_the_overlap_and_only_the_new_one_after(tmp_path) -> None:
    with own_sandbox(tmp_path, time_scale=600) as (_process, client, _credentials), OpsReceiver() as receiver:
        created = client.post("webhooks", json={"name": "rotating", "url": receiver.url,
                                                "event_types": ["contact.created"]}).json()["data"]
        old = created["signing_secret"]
        path = f"webhooks/{created['id']}"
        assert_error(client.post(f"{path}/rotate-secret", json={"overlap_hours": 169}), 422, "VALIDATION_ERROR")

        rotated = client.post(f"{path}/rotate-secret", json={"overlap_hours": 1})
        assert rotated.status_code == 200, rotated.text
        new = rotated.json()["data"]["signing_secret"]
        assert new != old and rotated.json()["data"]["previous_secret_expires_at"]
        assert "signing_secret" not in client.get(path).json()["data"]
        assert client.get(path).json()["data"]["previous_secret_expires_at"] == \
            rotated.json()["data"]["previous_secret_expires_at"]
        during = client.post(f"{path}/test").json()["data"]
        delivery = wait_for(lambda: [a for a in receiver.accepted if a.event["id"] == during["event_id"]])[0]
        assert len(delivery.headers["webhook-signature"].split(" ")) == 2
        assert _verifies(new, delivery) and _verifies(old, delivery)

        wait_for(lambda: client.get(path).json()["data"]["previous_secret_expires_at"] is None, 30,
                 "the overlap did not end")
        after = client.post(f"{path}/test").json()["data"]
        delivery = wait_for(lambda: [a for a in receiver.accepted if a.event["id"] == after["event_id"]])[0]
        assert len(delivery.headers["webhook-signature"].split(" ")) == 1
        assert _verifies(new, delivery) and not _verifies(old, delivery)


@pytest.mark.parametrize("body", [None, {"overlap_hours": 0}])
def test_no_overlap_retires_the_old_secret_at_once_and_the_default_is_24_hours(tmp_path, body) -> None:
    with own_sandbox(tmp_path) as (_process, client, _credentials), OpsReceiver() as receiver:
        endpoint = make_endpoint(client, receiver.url)
        answer = client.post(f"webhooks/{endpoint['id']}/rotate-secret", **({"json": body} if body else {}))
        assert answer.status_code == 200, answer.text
        expires = answer.json()["data"]["previous_secret_expires_at"]
        assert (expires is None) == (body is not None)
        delivery = client.post(f"webhooks/{endpoint['id']}/test").json()["data"]
        got = wait_for(lambda: [a for a in receiver.accepted if a.event["id"] == delivery["event_id"]])[0]
        assert _verifies(answer.json()["data"]["signing_secret"], got)
        assert _verifies(endpoint["signing_secret"], got) == (body is None)
