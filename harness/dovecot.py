"""A private Dovecot IMAP server for tests, bench and chaos: its own config, mail store and password file in a
temporary directory, on a free loopback port; started and ended by pid, never the system's service.

`PrivateDovecot().start()`, `.add_user(name, password)`, `.append(user, password, raw_mail, folder)`,
`.uids(...)`, `.restart()`, `.stop()`, `.cleanup()`.
"""

import getpass
import imaplib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from harness.processes import free_port, spawn, stop_process
from harness.services import wait_for_port

CONFIG = """\
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = 0
mail_location = sdbox:{base}/mail/%u
default_internal_user = {internal}
default_login_user = {login}
mail_uid = {uid}
mail_gid = {gid}
shutdown_clients = yes
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
# No penalty delay after failed logins from 127.0.0.1 (the wrong-password tests would wait for it).
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
"""


class PrivateDovecot:
    """Its directory is a fresh one under the system's temp dir: Dovecot's own users must reach the password
    file and mail store, which pytest's private (0700) temp dirs would hide. `cleanup()` removes it."""

    def __init__(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="lexhub-dovecot-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.config = self.workdir / "dovecot.conf"
        self.passwd = self.workdir / "passwd"

    def start(self) -> None:
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not Path(binary).exists():
            raise RuntimeError("dovecot is not installed (apt-get install dovecot-imapd)")
        os.chmod(self.workdir, 0o755)  # noqa: S103 - Dovecot's unprivileged processes read it
        for name in ("run", "state", "mail", "home"):
            (self.workdir / name).mkdir(exist_ok=True)
            os.chmod(self.workdir / name, 0o755)  # noqa: S103 - whatever the umask (the tests' is 077)
        self.passwd.touch()
        os.chmod(self.passwd, 0o644)
        root = os.getuid() == 0
        me = getpass.getuser()
        # Dovecot refuses to keep mail as root: as root, the mail belongs to its own `dovecot` user.
        owner = pwd.getpwnam("dovecot") if root else pwd.getpwuid(os.getuid())
        uid, gid = owner.pw_uid, owner.pw_gid
        for name in ("mail", "home"):
            os.chown(self.workdir / name, uid, gid)
        self.config.write_text(
            CONFIG.format(
                base=self.workdir,
                port=self.port,
                uid=uid,
                gid=gid,
                internal="dovecot" if root else me,
                login="dovenull" if root else me,
            )
        )
        self.process = spawn([binary, "-F", "-c", str(self.config)], log_path=self.workdir / "dovecot.out")
        wait_for_port(self.port, 20, "private dovecot")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def restart(self) -> None:
        self.stop()
        self.start()

    def add_user(self, name: str, password: str) -> None:
        with self.passwd.open("a") as passwd:
            passwd.write(f"{name}:{{PLAIN}}{password}::::::\n")

    def client(self, user: str, password: str) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=20)
        imap.login(user, password)
        return imap

    def append(self, user: str, password: str, raw_mails: list[bytes], folder: str = "INBOX") -> None:
        imap = self.client(user, password)
        try:
            for raw in raw_mails:
                status, _ = imap.append(folder, "", None, raw)
                if status != "OK":
                    raise RuntimeError(f"APPEND to {folder} failed")
        finally:
            imap.logout()

    def count(self, user: str, password: str, folder: str) -> int:
        imap = self.client(user, password)
        try:
            status, data = imap.select(f'"{folder}"', readonly=True)
            return int(data[0]) if status == "OK" else -1
        finally:
            imap.logout()
