"""A keyring backend that keeps secrets in this process only: the portal demo, tests and benchmarks use it."""

import keyring.backend


class ProcessKeyring(keyring.backend.KeyringBackend):
    """Secrets live as long as the process; nothing is written to the computer's real keyring."""

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
