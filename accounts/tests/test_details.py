import pytest


@pytest.mark.django_db
def test_details_page_shows_the_account_and_invoice_fields(owner_client):
    response = owner_client.get("/account/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "owner@example.com" in body
    for name in ["invoice_email", "invoice_company", "invoice_address"]:
        assert f'name="{name}"' in body
    assert "/accounts/password/change/" in body
    assert "/accounts/email/" in body


@pytest.mark.django_db
def test_details_edit_with_valid_input_saves_every_field(owner_client, owner):
    response = owner_client.post(
        "/account/",
        {
            "invoice_email": "billing@acme.test",
            "invoice_company": "  Acme Ltd ",
            "invoice_address": "1 Main St\nSpringfield",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.invoice_email == "billing@acme.test"
    assert owner.invoice_company == "Acme Ltd"
    assert owner.invoice_address == "1 Main St\nSpringfield"
    assert "Account details saved." in owner_client.get("/account/").content.decode()


@pytest.mark.django_db
def test_details_edit_with_a_bad_email_shows_the_error_and_changes_nothing(owner_client, owner):
    response = owner_client.post(
        "/account/", {"invoice_email": "not-an-email", "invoice_company": "Acme", "invoice_address": "Here"}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("invoice_email")
    body = response.content.decode()
    assert 'value="not-an-email"' in body  # what was typed is kept
    assert 'aria-invalid="true"' in body
    owner.refresh_from_db()
    assert (owner.invoice_email, owner.invoice_company, owner.invoice_address) == ("", "", "")


@pytest.mark.django_db
def test_details_edit_with_a_too_long_company_name_changes_nothing(owner_client, owner):
    response = owner_client.post(
        "/account/", {"invoice_email": "", "invoice_company": "x" * 201, "invoice_address": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("invoice_company")
    owner.refresh_from_db()
    assert owner.invoice_company == ""


@pytest.mark.django_db
def test_details_edit_refuses_a_null_character(owner_client, owner):
    response = owner_client.post(
        "/account/", {"invoice_email": "", "invoice_company": "Acme\x00", "invoice_address": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("invoice_company")


@pytest.mark.django_db
def test_details_page_requires_sign_in(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
