"""The intake page and API: owners set up the doors, the password never comes back, the log is filterable."""

from intake.models import IntakeItem, Mailbox


def mailbox_form(**overrides: str) -> dict[str, str]:
    return {
        "enabled": "on",
        "host": "127.0.0.1",
        "port": "1",
        "security": "none",
        "username": "belege",
        "password": "secret-mail-password",
        "folder": "INBOX",
        "processed_folder": "Lexhub-processed",
        "failed_folder": "Lexhub-failed",
        "allowed_senders": "",
        **overrides,
    }


def test_the_owner_sets_up_a_mailbox_and_the_password_is_stored_encrypted_never_shown(alice_client, intake_connection):
    url = f"/intake/{intake_connection.pk}/"
    response = alice_client.post(f"{url}mailbox/", mailbox_form())
    assert response.status_code == 302
    mailbox = Mailbox.objects.get()
    assert mailbox.password == "secret-mail-password"
    assert "secret-mail-password" not in mailbox.password_encrypted
    page = alice_client.get(url)
    assert page.status_code == 200
    assert b"secret-mail-password" not in page.content
    # Saving again without a password keeps the stored one.
    alice_client.post(f"{url}mailbox/", mailbox_form(password="", port="2"))
    mailbox.refresh_from_db()
    assert (mailbox.port, mailbox.password) == (2, "secret-mail-password")


def test_a_failed_test_connection_says_why_without_the_password(alice_client, intake_connection):
    from harness.processes import free_port

    url = f"/intake/{intake_connection.pk}/"
    alice_client.post(f"{url}mailbox/", mailbox_form(port=str(free_port())))
    response = alice_client.post(f"{url}mailbox/test/", follow=True)
    assert "cannot be reached" in response.content.decode()
    assert "secret-mail-password" not in response.content.decode()


def test_others_cannot_see_or_change_the_intake(bob_client, intake_connection):
    assert bob_client.get(f"/intake/{intake_connection.pk}/").status_code == 404
    assert bob_client.post(f"/intake/{intake_connection.pk}/mailbox/", mailbox_form()).status_code == 404
    assert not Mailbox.objects.exists()


def test_a_folder_outside_the_root_is_refused_with_a_message(alice_client, intake_connection, intake_root):
    response = alice_client.post(f"/intake/{intake_connection.pk}/folder/", {"enabled": "on", "path": "../../etc"})
    assert response.status_code == 400
    assert "inside the intake root" in response.content.decode()


def test_the_log_and_the_api_list_items_filtered_by_state(alice_client, intake_connection):
    for n, state in enumerate(["uploaded", "skipped", "refused"]):
        IntakeItem.objects.create(
            connection=intake_connection,
            source="mail",
            source_key=f"INBOX:1:1:{n}",
            message_key="INBOX:1:1",
            filename=f"f{n}.pdf",
            state=state,
            reason="The file looks truncated or damaged." if state == "refused" else "",
        )
    page = alice_client.get(f"/intake/{intake_connection.pk}/?state=refused").content.decode()
    assert "f2.pdf" in page and "f0.pdf" not in page
    api = alice_client.get("/api/v1/intake/items/", {"state": "skipped"}).json()
    assert [i["filename"] for i in api["results"]] == ["f1.pdf"]


def test_the_api_creates_a_mailbox_with_a_write_only_password(alice_client, intake_connection):
    body = {**mailbox_form(), "connection": intake_connection.pk, "enabled": True, "port": 143}
    response = alice_client.post("/api/v1/intake/mailboxes/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert "password" not in response.json()
    listed = alice_client.get("/api/v1/intake/mailboxes/").content.decode()
    assert "secret-mail-password" not in listed
    assert Mailbox.objects.get().password == "secret-mail-password"
