"""Signed media links: a short-lived URL that opens one stored file without a token (video
players and image URLs cannot send a Bearer header), with HTTP Range for seeking."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from backend_stub.config import Settings
from backend_stub.crud import media as media_crud
from backend_stub.messages import MESSAGES
from tests.backend.test_media import (
    appeal_with_after_photo,
    appeal_with_file,
    make_operator,
    plain_jpeg,
    real_video,
    upload,
)
from tests.conftest import sign_in


def link(client: TestClient, media_id: str, headers: dict[str, str]) -> str:
    r = client.post(f"/api/v1/media/{media_id}/link", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["expires_at"] > time.time()
    return str(body["url"])


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return parts.path + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_owner_gets_a_link_that_serves_the_bytes_without_a_token(
    client: TestClient, resident: dict[str, str]
) -> None:
    media = upload(client, resident, plain_jpeg()).json()
    url = link(client, media["id"], resident)
    assert url.startswith(f"/api/v1/media/{media['id']}/content?")
    r = client.get(url)  # no Authorization header at all
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/jpeg"
    assert r.content == client.get(media["url"], headers=resident).content
    assert r.headers["x-content-type-options"] == "nosniff"
    # A page of another origin that is cross-origin isolated (the Flet web client) may embed it.
    assert r.headers["cross-origin-resource-policy"] == "cross-origin"


def test_only_who_may_read_the_file_gets_a_link(
    client: TestClient, resident: dict[str, str]
) -> None:
    media = upload(client, resident, plain_jpeg()).json()
    stranger = sign_in(client)
    hidden = client.post(f"/api/v1/media/{media['id']}/link", headers=stranger)
    missing = client.post(f"/api/v1/media/{'0' * 32}/link", headers=stranger)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert client.post(f"/api/v1/media/{media['id']}/link").status_code == 401
    operator = make_operator(client)  # staff: once the file is attached to an appeal they see
    assert client.post(f"/api/v1/media/{media['id']}/link", headers=operator).status_code == 404
    appeal_with_file(client, resident, resident, media["id"])
    assert client.get(link(client, media["id"], operator)).status_code == 200

    # the appeal's owner may link an operator's "after" photo attached to the appeal
    after = upload(client, operator, plain_jpeg()).json()
    assert client.post(f"/api/v1/media/{after['id']}/link", headers=resident).status_code == 404
    appeal_with_after_photo(client, resident, operator, after["id"])
    assert client.get(link(client, after["id"], resident)).status_code == 200


def test_tampered_moved_or_expired_links_are_refused_in_kk_and_ru(
    client: TestClient, resident: dict[str, str], settings: Settings
) -> None:
    first = upload(client, resident, plain_jpeg()).json()
    second = upload(client, resident, plain_jpeg(size=(30, 30))).json()
    url = link(client, first["id"], resident)
    sig = parse_qs(urlsplit(url).query)["sig"][0]
    exp = int(parse_qs(urlsplit(url).query)["exp"][0])
    flipped = ("0" if sig[0] != "0" else "1") + sig[1:]
    bad = [
        with_query(url, sig=flipped),  # tampered signature
        with_query(url, exp=str(exp + 60)),  # stretched expiry
        url.replace(first["id"], second["id"]),  # moved to another file
        f"/api/v1/media/{first['id']}/content?exp={exp}&sig=",  # no signature
        f"/api/v1/media/{first['id']}/content",  # nothing at all
        f"/api/v1/media/{first['id']}/content?exp=%C2%B2&sig={sig}",  # not an ASCII number
        with_query(url, sig="é" * 64),  # a non-ASCII signature with a live expiry: no 500
    ]
    # an expired one, signed by this server a TTL and a bit ago
    old_sig, old_exp = media_crud.sign_link(
        settings, first["id"], now=time.time() - settings.media_link_ttl_s - 5
    )
    bad.append(f"/api/v1/media/{first['id']}/content?exp={old_exp}&sig={old_sig}")
    for candidate in bad:
        for lang in ("kk", "ru"):
            r = client.get(candidate, headers={"Accept-Language": lang})
            assert r.status_code == 403, (candidate, r.status_code)
            assert r.json()["error"]["code"] == "media_link_invalid"
            assert r.json()["error"]["message"] == MESSAGES["media_link_invalid"][lang]
    r = client.get(bad[0], headers={"Accept-Language": "ru"})
    assert r.status_code == 403 and "Ссылка" in r.json()["error"]["message"]
    r = client.get(bad[-1], headers={"Accept-Language": "kk"})
    assert r.status_code == 403 and "сілтемесі" in r.json()["error"]["message"]
    # a link signed with another server's secret opens nothing here
    other = Settings(data_dir=settings.data_dir, secret_key="another-secret" * 3, _env_file=None)
    foreign_sig, foreign_exp = media_crud.sign_link(other, first["id"])
    r = client.get(f"/api/v1/media/{first['id']}/content?exp={foreign_exp}&sig={foreign_sig}")
    assert r.status_code == 403


def test_range_requests_get_206_with_the_right_bytes(
    client: TestClient, resident: dict[str, str]
) -> None:
    media = upload(client, resident, real_video(frames=30), "clip.mp4", "video/mp4").json()
    assert media["kind"] == "video"
    url = link(client, media["id"], resident)
    whole = client.get(url)
    data = whole.content  # the stored file: a remux of the upload (test_media.py)
    assert whole.status_code == 200 and len(data) == media["size"] > 1100
    assert whole.headers["accept-ranges"] == "bytes"
    r = client.get(url, headers={"Range": "bytes=100-1099"})
    assert r.status_code == 206
    assert r.content == data[100:1100]
    assert r.headers["content-range"] == f"bytes 100-1099/{len(data)}"
    assert r.headers["content-type"] == "video/mp4"
    tail = client.get(url, headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.content == data[-500:]
    assert client.get(url, headers={"Range": f"bytes={len(data) + 10}-"}).status_code == 416
