import pytest

ME = "/api/v1/auth/me/"
pytestmark = pytest.mark.django_db


def test_me_requires_authentication(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert "error" in response.json()


def test_patch_changes_names_but_not_email_or_role(auth_client, user):
    response = auth_client.patch(
        ME, {"first_name": "Ada", "email": "evil@example.com", "role": "admin"}, format="json"
    )
    assert response.status_code == 400  # strict writes: read-only fields are named, nothing is applied
    assert set(response.json()) == {"email", "role"}
    assert auth_client.get(ME).data["first_name"] != "Ada"
    response = auth_client.patch(ME, {"first_name": "Ada"}, format="json")
    assert response.status_code == 200
    assert response.data["first_name"] == "Ada"
    me = auth_client.get(ME).data
    assert (me["email"], me["role"], me["first_name"]) == (user.email, "member", "Ada")


def test_patch_rejects_overlong_name(auth_client):
    response = auth_client.patch(ME, {"first_name": "x" * 500}, format="json")
    assert response.status_code == 400
    assert "first_name" in response.json()
