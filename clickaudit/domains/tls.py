"""TLS of a tracking or destination host: trust, host name, expiry, protocol version, HSTS.

This module observes (a :class:`TlsReport` whose ``failure`` says what went wrong);
judge/domains.py decides what to tell the user. The connection goes to the address the engine
resolved (never the operating system's lookup) with the host name as SNI, and is verified
against certifi or the user's CA bundle. When verification fails, a second, unverified
handshake reads the certificate anyway so the report can say what is wrong with it ("expired
on 2026-10-01, issued by X").
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from clickaudit.model import TlsFailure, TlsReport, evolve

if TYPE_CHECKING:
    from cryptography import x509

MAX_TLS_ADDRESSES = 3  # a host with fifty addresses is still probed at three at most
# OpenSSL's verification result codes (x509_vfy.h), as ssl.SSLCertVerificationError carries them
X509_V_ERR_CERT_HAS_EXPIRED = 10
X509_V_ERR_SELF_SIGNED = frozenset({18, 19})  # depth-zero self-signed, self-signed in chain
X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY = 20
X509_V_ERR_HOSTNAME_MISMATCH = 62


async def probe_tls(
    host: str,
    port: int,
    addresses: Sequence[str],
    context: ssl.SSLContext,
    *,
    timeout: float,
) -> TlsReport:
    """Handshake with ``host`` at the first reachable address; what it presented.

    One deadline, ``timeout`` from now, covers the whole probe of the host: every address tried,
    the HSTS request and the second look at a certificate that failed verification. At most
    :data:`MAX_TLS_ADDRESSES` addresses are tried, each given an equal share of the time left,
    so a host whose fifty addresses all stall costs one timeout, not fifty.
    """
    if not addresses:
        return TlsReport(ok=False, error="no address to connect to", failure=TlsFailure.NO_ADDRESS)
    last_error = "no connection"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    tried = list(dict.fromkeys(addresses))[:MAX_TLS_ADDRESSES]
    for index, address in enumerate(tried):
        share = (deadline - loop.time()) / (len(tried) - index)
        if share <= 0:
            last_error = "no answer in time"
            break
        try:
            der, version, hsts = await _handshake(
                address, port, host, context, share, deadline, hsts=True
            )
        except ssl.SSLCertVerificationError as error:
            details = await _unverified_details(address, port, host, deadline)
            return _verification_failed(error, details)
        except ssl.SSLError as error:
            return TlsReport(
                ok=False,
                error=f"TLS handshake failed: {error.reason or error}",
                failure=TlsFailure.HANDSHAKE,
            )
        except (OSError, TimeoutError) as error:
            last_error = _connect_error(error)
            continue
        return _report(der, version, hsts=hsts)
    return TlsReport(ok=False, error=last_error, failure=TlsFailure.UNREACHABLE)


def _left(deadline: float) -> float:
    """Seconds until the probe's deadline, never less than a token amount for a last step."""
    return max(deadline - asyncio.get_running_loop().time(), 0.05)


async def _handshake(
    address: str,
    port: int,
    host: str,
    context: ssl.SSLContext,
    connect_within: float,
    deadline: float,
    *,
    hsts: bool,
) -> tuple[bytes | None, str | None, str | None]:
    """Connect and handshake within ``connect_within`` seconds; anything after, by ``deadline``."""
    async with asyncio.timeout(connect_within):
        reader, writer = await asyncio.open_connection(
            address, port, ssl=context, server_hostname=host, ssl_handshake_timeout=connect_within
        )
    try:
        ssl_object = writer.get_extra_info("ssl_object")
        der = ssl_object.getpeercert(binary_form=True) if ssl_object else None
        version = ssl_object.version() if ssl_object else None
        header = None
        if hsts:
            header = await _hsts_header(reader, writer, host, _left(deadline))
        return der, version, header
    finally:
        writer.close()
        try:
            async with asyncio.timeout(min(_left(deadline), 2.0)):
                await writer.wait_closed()
        except (OSError, TimeoutError, ssl.SSLError):
            pass


async def _hsts_header(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, timeout: float
) -> str | None:
    """Strict-Transport-Security from a HEAD of the site's root (not a click: no tracked path)."""
    try:
        request = f"HEAD / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: clickaudit\r\n"
        writer.write((request + "Connection: close\r\n\r\n").encode())
        await writer.drain()
        async with asyncio.timeout(timeout):
            head = await reader.readuntil(b"\r\n\r\n")
    except (
        OSError,
        TimeoutError,
        asyncio.IncompleteReadError,
        asyncio.LimitOverrunError,
        ssl.SSLError,
    ):
        return None
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "strict-transport-security":
            return value.strip()
    return None


async def _unverified_details(
    address: str, port: int, host: str, deadline: float
) -> TlsReport | None:
    try:
        der, version, _ = await _handshake(
            address, port, host, _unverified_context(), _left(deadline), deadline, hsts=False
        )
    except (OSError, TimeoutError, ssl.SSLError):
        return None
    return _report(der, version, hsts=None)


@cache
def _unverified_context() -> ssl.SSLContext:
    """The context of the second look only (reading a certificate that failed verification, never
    sending a request over it): one per process, like the verifying one it stands beside."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def _report(der: bytes | None, version: str | None, *, hsts: str | None) -> TlsReport:
    if der is None:
        return TlsReport(ok=True, version=version, hsts=hsts)
    from cryptography import x509  # read a certificate only once one was presented

    cert = x509.load_der_x509_certificate(der)
    not_after = cert.not_valid_after_utc
    days_left = (not_after - dt.datetime.now(dt.UTC)).days
    try:
        sans = tuple(
            cert.extensions.get_extension_for_class(
                x509.SubjectAlternativeName
            ).value.get_values_for_type(x509.DNSName)
        )
    except x509.ExtensionNotFound:
        sans = ()
    return TlsReport(
        ok=True,
        issuer=_name(cert.issuer),
        subject=_name(cert.subject),
        not_after=not_after.date().isoformat(),
        days_left=days_left,
        version=version,
        sans=sans,
        hsts=hsts,
    )


def _name(name: x509.Name) -> str:
    from cryptography.x509.oid import NameOID

    for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
        values = name.get_attributes_for_oid(oid)
        if values:
            return str(values[0].value)
    return name.rfc4514_string()


def _verification_failed(
    error: ssl.SSLCertVerificationError, details: TlsReport | None
) -> TlsReport:
    """The certificate the unverified look saw, with why verification failed (by OpenSSL's code)."""
    base = details or TlsReport(ok=False)
    code = error.verify_code
    if code == X509_V_ERR_HOSTNAME_MISMATCH:
        names = ", ".join(base.sans) or base.subject or "another name"
        return evolve(
            base, ok=False, error=f"certificate for {names}", failure=TlsFailure.HOSTNAME_MISMATCH
        )
    if code == X509_V_ERR_CERT_HAS_EXPIRED:
        failure = TlsFailure.EXPIRED
        why = (
            f"the certificate expired on {base.not_after}"
            if base.not_after
            else "the certificate has expired"
        )
    elif code in X509_V_ERR_SELF_SIGNED:
        failure, why = TlsFailure.SELF_SIGNED, "the certificate is self-signed"
    elif code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        failure = TlsFailure.UNTRUSTED_ISSUER
        why = f"the certificate's issuer ({base.issuer or 'unknown'}) is not trusted"
    else:
        failure, why = TlsFailure.INVALID, error.verify_message or str(error)
    return evolve(base, ok=False, error=why, failure=failure)


def _connect_error(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "no answer in time"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused on the HTTPS port"
    return str(error) or type(error).__name__
