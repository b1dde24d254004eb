"""The web app is served at / for every page path, with a strict CSP; the API keeps its own answers."""

import pytest

from tests.node import WEB_DIR, node_bin, npm_ci, require_npm, run


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/login",
        "/verify-email?token=abc",
        "/cancel-email-change?token=abc",
        "/households/3",
        "/invites/accept",
    ],
)
def test_every_page_path_answers_the_app_with_a_strict_content_security_policy(
    client, path, settings, tmp_path
):
    settings.WEB_BUILD_DIR = tmp_path
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "main.js").write_text("")
    response = client.get(path)
    assert response.status_code == 200
    assert b'<script type="module" src="/assets/main.js">' in response.content
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_without_a_build_the_page_says_how_to_build_it(client, settings, tmp_path):
    settings.WEB_BUILD_DIR = tmp_path
    response = client.get("/")
    assert response.status_code == 503
    assert b"make run" in response.content


def test_api_paths_are_not_the_app(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert client.post("/login").status_code == 405


def test_the_web_app_type_checks_strictly_against_the_generated_client():
    require_npm()
    npm_ci(WEB_DIR)
    run([node_bin(WEB_DIR, "tsc"), "--noEmit", "-p", "tsconfig.json"], cwd=WEB_DIR)
