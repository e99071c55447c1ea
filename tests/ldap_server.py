"""A throwaway OpenLDAP server (Debian's slapd) for the LDAP sign-in tests: loopback port, its own
folder, the directory of tests/ldap/*.ldif, and a CA and certificate of its own for StartTLS.

Started once per test run (the `slapd` fixture in conftest), only when a test asks for it.
"""
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from string import Template

from deploy.ports import free_loopback_port

LDIF = Path(__file__).resolve().parent / "ldap"
SLAPD = "/usr/sbin/slapd"
SUFFIX = "dc=example,dc=org"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "directory-root-secret"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
SERVICE_DN = f"cn=reservia,ou=services,{SUFFIX}"
SERVICE_PASSWORD = "reservia-service-secret"


def directory_password(name):
    """The password tests/ldap/people.ldif gives each person."""
    return f"{name}-directory-secret"


def _openssl(*arguments, folder):
    subprocess.run(["openssl", *arguments], cwd=folder, check=True, capture_output=True)


# Elliptic-curve keys: two new RSA keys took most of a second of the directory's start.
KEY = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1")


def make_certificates(folder):
    """A CA, and a certificate for 127.0.0.1 and localhost signed by it."""
    _openssl("req", "-x509", *KEY, "-nodes", "-days", "2", "-subj", "/CN=Reservia test CA",
             "-keyout", "ca.key", "-out", "ca.crt", folder=folder)
    _openssl("req", *KEY, "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "server.key",
             "-out", "server.csr", folder=folder)
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-days", "2", "-extfile", "san.ext", "-out", "server.crt", folder=folder)


class LdapServer:
    """slapd on ldap://127.0.0.1:PORT until stop(); StartTLS with `ca_file` as its CA."""

    def __init__(self):
        if not Path(SLAPD).exists():
            raise RuntimeError("slapd is not installed: run scripts/test-setup.sh as root")
        # Readable by all: Apache's www-data processes read the CA file for mod_ldap.
        self.folder = Path(tempfile.mkdtemp(prefix="reservia-slapd-", dir="/var/tmp"))
        self.folder.chmod(0o755)
        self.port = None
        self.process = None

    @property
    def url(self):
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ca_file(self):
        return str(self.folder / "ca.crt")

    def start(self, timeout=30):
        make_certificates(self.folder)
        (self.folder / "data").mkdir()
        (self.folder / "slapd.d").mkdir()
        hashed = subprocess.run(["slappasswd", "-h", "{SSHA}", "-s", ROOT_PASSWORD], check=True,
                                capture_output=True, text=True).stdout.strip()
        config = self.folder / "config.ldif"
        config.write_text(Template((LDIF / "config.ldif").read_text()).substitute(folder=self.folder, rootpw=hashed))
        subprocess.run(["slapadd", "-q", "-n", "0", "-F", str(self.folder / "slapd.d"), "-l", str(config)],
                       check=True, capture_output=True)
        subprocess.run(["slapadd", "-q", "-F", str(self.folder / "slapd.d"), "-b", SUFFIX,
                        "-l", str(LDIF / "people.ldif")], check=True, capture_output=True)
        for _ in range(5):
            self.port = free_loopback_port()
            self.process = subprocess.Popen([SLAPD, "-d", "none", "-h", f"{self.url}/", "-F",
                                             str(self.folder / "slapd.d")],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if self._wait_until_answering(timeout):
                self.ldif("ldapadd", (LDIF / "groups.ldif").read_text())
                return self
            self.stop()
        raise RuntimeError("slapd did not start")

    def _wait_until_answering(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False  # the port was taken meanwhile, say: try another
            answer = subprocess.run(["ldapsearch", "-x", "-H", self.url, "-D", ROOT_DN, "-w", ROOT_PASSWORD,
                                     "-b", SUFFIX, "-s", "base", "-o", "nettimeout=2"], capture_output=True)
            if answer.returncode == 0:
                return True
            time.sleep(0.05)
        return False

    def ldif(self, command, text):
        """Run ldapadd or ldapmodify with this LDIF as the directory's administrator."""
        subprocess.run([command, "-x", "-H", self.url, "-D", ROOT_DN, "-w", ROOT_PASSWORD], input=text.encode(),
                       check=True, capture_output=True)

    def set_members(self, group, names):
        """The group has exactly these people as members from now on (groupOfNames needs one
        member at least: an empty group holds a DN that names nobody)."""
        members = "".join(f"member: uid={name},{PEOPLE}\n" for name in names) or f"member: cn=nobody,{SUFFIX}\n"
        self.ldif("ldapmodify", f"dn: cn={group},{GROUPS}\nchangetype: modify\nreplace: member\n{members}")

    def reservia_settings(self, **overrides):
        """Reservia's settings for signing in against this directory with its service account."""
        settings = {"RESERVIA_AUTH": "ldap", "RESERVIA_LDAP_URL": self.url,
                    "RESERVIA_LDAP_BIND_DN": SERVICE_DN, "RESERVIA_LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
                    "RESERVIA_LDAP_USER_BASE": PEOPLE, "RESERVIA_LDAP_CA_FILE": self.ca_file,
                    "RESERVIA_LDAP_TIMEOUT": 3}
        settings.update(overrides)
        return settings

    def pause(self):
        """Stop answering (SIGSTOP), as a directory that hangs does; resume() undoes it."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self):
        if self.process is not None:
            self.resume()
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process.stderr.close()
            self.process = None

    def remove(self):
        shutil.rmtree(self.folder, ignore_errors=True)
