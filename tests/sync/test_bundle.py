"""Offline bundles and receipts: sealed with the device key, refused when altered or foreign."""

from __future__ import annotations

import json

import pytest

from sync import bundle


def sample() -> bundle.Bundle:
    return bundle.Bundle(
        bundle_id="b-1",
        device_id="dev-1",
        counter_id="c-01",
        created_at="2026-11-23T10:00:00+08:00",
        ratings=[{"id": "r-1", "comment": "很好"}],
        sessions=[],
    )


def test_a_sealed_bundle_verifies_under_its_device_key() -> None:
    key = bundle.device_key("token-of-dev-1")
    data = bundle.seal(sample().document(), key)
    document = bundle.read(data, bundle.BUNDLE_FORMAT)
    bundle.verify(document, key)
    assert bundle.Bundle.from_document(document) == sample()


def test_an_altered_bundle_is_refused() -> None:
    key = bundle.device_key("token-of-dev-1")
    document = json.loads(bundle.seal(sample().document(), key))
    document["ratings"][0]["comment"] = "很差"
    with pytest.raises(bundle.BundleError, match="altered"):
        bundle.verify(bundle.read(json.dumps(document).encode(), bundle.BUNDLE_FORMAT), key)


def test_a_bundle_sealed_by_another_device_is_refused() -> None:
    data = bundle.seal(sample().document(), bundle.device_key("token-of-dev-2"))
    with pytest.raises(bundle.BundleError, match="another device"):
        bundle.verify(bundle.read(data, bundle.BUNDLE_FORMAT), bundle.device_key("token-of-dev-1"))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff\xfe",
        b"[]",
        b'{"format": "zip"}',
        b'{"format": "hallrate-bundle", "version": 9}',
        b'{"format": "hallrate-bundle", "version": true, "device_id": "d", "mac": "m"}',
        b'{"format": "hallrate-bundle", "version": 2.0, "device_id": "d", "mac": "m"}',
        b"[" * 100_000,
    ],
    ids=["empty", "binary", "list", "zip", "version-9", "version-true", "version-float", "deep"],
)
def test_files_that_are_not_bundles_get_a_clear_error(data: bytes) -> None:
    with pytest.raises(bundle.BundleError):
        bundle.read(data, bundle.BUNDLE_FORMAT)


def test_the_device_key_is_not_the_token_hash_the_server_keeps() -> None:
    import hashlib

    key = bundle.device_key("abc")
    assert key != hashlib.sha256(b"abc").hexdigest()
    assert len(key) == 64
    assert key == bundle.device_key("abc")


def test_a_version_1_bundle_is_refused_with_what_to_do() -> None:
    document = {**sample().document(), "version": 1, "mac": "0" * 64}
    with pytest.raises(bundle.BundleError, match="export it again"):
        bundle.read(json.dumps(document).encode(), bundle.BUNDLE_FORMAT)
