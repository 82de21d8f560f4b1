"""An in-memory keyring backend: stands in for the desktop keyring, which a headless test machine lacks."""

import keyring.backend


class MemoryKeyring(keyring.backend.KeyringBackend):
    """Keeps test and benchmark keys in this process only."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def delete_password(self, service, username):
        self.secrets.pop((service, username), None)
