from academy.accounts.models import User


def test_profile_edit_saves_name_phone_zone_language(client, db, login, make_user):
    user = login(make_user())
    r = client.post(
        "/profile",
        data={
            "profile-name": "Elena Vasile",
            "profile-phone": "+40 721 234 567",
            "profile-timezone": "America/New_York",
            "profile-language": "ro",
        },
    )
    assert r.status_code == 302
    db.session.expire_all()
    saved = db.session.get(User, user.id)
    assert (saved.name, saved.phone, saved.timezone, saved.language) == (
        "Elena Vasile",
        "+40 721 234 567",
        "America/New_York",
        "ro",
    )
    page = client.get("/profile").text
    assert '<html lang="ro">' in page  # the profile language now drives the pages
    assert "Profilul" in page or "profil" in page.lower()


def test_profile_errors_beside_fields_and_nothing_lost(client, login, make_user):
    login(make_user())
    r = client.post(
        "/profile",
        data={
            "profile-name": "Elena",
            "profile-phone": "0721",
            "profile-timezone": "Nowhere/Town",
            "profile-language": "en",
        },
    )
    assert r.status_code == 200
    assert 'id="profile-phone-error"' in r.text and "+40 721 234 567" in r.text
    assert 'id="profile-timezone-error"' in r.text
    assert 'value="0721"' in r.text and 'value="Elena"' in r.text


def test_change_password_needs_the_current_one(client, login, make_user):
    user = login(make_user(password="old-password-1"))
    r = client.post(
        "/profile", data={"pw-current_password": "not-it-at-all", "pw-password": "new-password-1"}
    )
    assert 'id="pw-current_password-error"' in r.text
    r = client.post(
        "/profile", data={"pw-current_password": "old-password-1", "pw-password": "new-password-1"}
    )
    assert r.status_code == 302
    client.post("/logout")
    assert (
        client.post("/login", data={"email": user.email, "password": "new-password-1"}).status_code
        == 302
    )
