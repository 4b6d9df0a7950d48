def test_register_then_me(anon, db):
    response = anon.post(
        "/api/auth/register/",
        {"username": "asha", "email": "Asha@Example.com", "password": "Str0ng-pass-phrase"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["user"]["role"] == "USER"
