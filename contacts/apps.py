from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"

    def ready(self) -> None:
        from connections.hooks import SyncStep, register_sync_step
        from contacts import sync  # also registers the contact write operations (connections.writes)
        from contacts.models import Contact

        register_sync_step(
            SyncStep(
                name="contacts",
                order=10,
                pull=lambda *, since, **context: sync.pull_contacts(**context),  # contacts have no updated filter
                mirrored=lambda connection: Contact.objects.filter(connection=connection),
            )
        )
