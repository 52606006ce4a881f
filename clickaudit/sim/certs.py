"""Certificates for the tracking simulator: a private CA and per-host leaf certificates.

The demo and the tests need TLS that behaves like the real thing without the internet: valid
certificates, expired and expiring ones, a certificate for the wrong host, and a self-signed one.
Everything is made in memory with ``cryptography`` and written to a temporary folder only as far
as ``ssl`` needs files.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass(frozen=True, slots=True)
class LeafSpec:
    """How the certificate for one host should look.

    ``days_left`` negative makes it expired; ``names`` overrides the subject alternative names
    (a wrong-host certificate); ``self_signed`` skips the CA.
    """

    days_left: int = 365
    names: tuple[str, ...] | None = None
    self_signed: bool = False


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _san(names: tuple[str, ...]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


class SimCertificates:
    """A CA and the leaf certificates it signs, one per host, made on first use."""

    def __init__(
        self, specs: dict[str, LeafSpec] | None = None, *, ca_name: str = "clickaudit test CA"
    ):
        self.specs = dict(specs or {})
        self._folder = tempfile.TemporaryDirectory(prefix="clickaudit-sim-certs-")
        self.folder = Path(self._folder.name)
        self._ca_key = ec.generate_private_key(ec.SECP256R1())
        now = _now()
        self._ca_cert = (
            x509.CertificateBuilder()
            .subject_name(_name(ca_name))
            .issuer_name(_name(ca_name))
            .public_key(self._ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self._ca_key, hashes.SHA256())
        )
        self.ca_pem_path = self.folder / "ca.pem"
        self.ca_pem_path.write_bytes(self._ca_cert.public_bytes(serialization.Encoding.PEM))
        self._contexts: dict[str, ssl.SSLContext] = {}

    @property
    def ca_pem(self) -> str:
        return self.ca_pem_path.read_text("ascii")

    def client_context(self) -> ssl.SSLContext:
        """An SSL context that trusts this CA (and only it), as a client would use it."""
        context = ssl.create_default_context(cafile=str(self.ca_pem_path))
        return context

    def server_context(self, host: str) -> ssl.SSLContext:
        """The server-side context presenting ``host``'s certificate."""
        host = host.lower()
        if host not in self._contexts:
            cert_path, key_path = self._issue(host, self.specs.get(host, LeafSpec()))
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(cert_path, key_path)
            self._contexts[host] = context
        return self._contexts[host]

    def _issue(self, host: str, spec: LeafSpec) -> tuple[Path, Path]:
        key = ec.generate_private_key(ec.SECP256R1())
        now = _now()
        if spec.days_left < 0:
            not_before = now + dt.timedelta(days=spec.days_left - 90)
        else:
            not_before = now - dt.timedelta(days=1)
        not_after = now + dt.timedelta(days=spec.days_left, hours=1)
        names = spec.names or (host,)
        issuer_name = _name(host) if spec.self_signed else self._ca_cert.subject
        signer = key if spec.self_signed else self._ca_key
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(names[0]))
            .issuer_name(issuer_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(_san(names), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(signer, hashes.SHA256())
        )
        safe = host.replace("*", "_wild").replace(":", "_")
        cert_path = self.folder / f"{safe}.pem"
        key_path = self.folder / f"{safe}.key"
        chain = cert.public_bytes(serialization.Encoding.PEM)
        if not spec.self_signed:
            chain += self._ca_cert.public_bytes(serialization.Encoding.PEM)
        cert_path.write_bytes(chain)
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        return cert_path, key_path

    def sni_context(self, default_host: str = "localhost") -> ssl.SSLContext:
        """One server context that switches certificates by the SNI name the client sent."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        default_cert, default_key = self._issue(default_host, LeafSpec())
        context.load_cert_chain(default_cert, default_key)

        def choose(connection: ssl.SSLObject, server_name: str | None, _: ssl.SSLContext) -> None:
            if server_name:
                connection.context = self.server_context(server_name)

        context.sni_callback = choose
        return context

    def close(self) -> None:
        self._folder.cleanup()
