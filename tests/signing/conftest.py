"""A real PKCS#11 token for the signing tests: SoftHSM2 with its own token directory.

SoftHSM2 reads ``SOFTHSM2_CONF`` when the module is initialised, and a PKCS#11 module is
initialised once per process, so every token the tests need is made up front in one session
fixture: keys are imported with ``softhsm2-util --import`` (PKCS#8), certificates are created as
PKCS#11 objects through python-pkcs11 (softhsm2-util cannot import certificates).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")
PIN = "123456"
SO_PIN = "87654321"
HOLDER = "Phạm Thu Trang"

needs_softhsm = pytest.mark.skipif(
    not SOFTHSM.exists() or shutil.which("softhsm2-util") is None,
    reason="SoftHSM2 is not installed (Debian package softhsm2, listed in .ci/apt-packages.txt)",
)


@dataclass(frozen=True)
class SoftToken:
    """What the tests know about the SoftHSM set-up."""

    module: str
    conf: Path
    tokendir: Path
    ca_cert: x509.Certificate


def make_cert(key: rsa.RSAPrivateKey, holder: str, ca_key: rsa.RSAPrivateKey, ca_name: x509.Name,
              not_before: dt.datetime, not_after: dt.datetime) -> x509.Certificate:
    """A signing certificate for ``key`` issued by the test CA."""
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                         x509.NameAttribute(NameOID.COMMON_NAME, holder)])
    return (
        x509.CertificateBuilder().subject_name(subject).issuer_name(ca_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )


def _run(*args: str, env: dict[str, str]) -> None:
    subprocess.run(args, check=True, env=env, capture_output=True, text=True, timeout=60)


def init_token(label: str, env: dict[str, str]) -> None:
    """A fresh SoftHSM2 token with the test PINs."""
    _run("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", SO_PIN, "--pin", PIN, env=env)


def put_key_and_cert(label: str, key: rsa.RSAPrivateKey, cert: x509.Certificate, work: Path,
                     env: dict[str, str], *, key_id: str = "01") -> None:
    """Import ``key`` (softhsm2-util) and ``cert`` (a PKCS#11 certificate object) under ``key_id``."""
    pem = work / f"{label}.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    _run("softhsm2-util", "--import", str(pem), "--token", label, "--label", "officer", "--id", key_id,
         "--pin", PIN, env=env)
    pem.unlink()  # a private key in the clear: not left lying around even in a temp dir
    _pending_certs.append((label, bytes.fromhex(key_id), cert))


_pending_certs: list[tuple[str, bytes, x509.Certificate]] = []


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> SoftToken:
    """Tokens: 'CB-Trang' (valid), 'CB-HetHan' (expired), 'CB-KhongKhop' (key ≠ certificate),
    'CB-SapHetHan' (10 days left), 'CB-SaiPIN' (for wrong PINs), 'CB-Rut' (pulled out mid-batch)."""
    if not SOFTHSM.exists() or shutil.which("softhsm2-util") is None:
        pytest.skip("SoftHSM2 is not installed")
    work = tmp_path_factory.mktemp("softhsm")
    tokendir = work / "tokens"
    tokendir.mkdir()
    conf = work / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokendir}\nobjectstore.backend = file\nlog.level = ERROR\n"
                    "slots.removable = true\n", encoding="utf-8")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read by the module when this process first loads it
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA thử nghiệm Quầy Một Cửa")])
    ca_cert = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key()).serial_number(1)
               .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
               .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
               .sign(ca_key, hashes.SHA256()))
    keys = [rsa.generate_private_key(public_exponent=65537, key_size=2048) for _ in range(3)]
    year = (now - dt.timedelta(days=1), now + dt.timedelta(days=365))
    _pending_certs.clear()
    for label, key, cert in (
        ("CB-Trang", keys[0], make_cert(keys[0], HOLDER, ca_key, ca_name, *year)),
        ("CB-HetHan", keys[0], make_cert(keys[0], HOLDER, ca_key, ca_name, now - dt.timedelta(days=400),
                                         now - dt.timedelta(days=35))),
        ("CB-KhongKhop", keys[1], make_cert(keys[2], HOLDER, ca_key, ca_name, *year)),
        ("CB-SapHetHan", keys[0], make_cert(keys[0], HOLDER, ca_key, ca_name, now - dt.timedelta(days=300),
                                            now + dt.timedelta(days=10, hours=1))),
        ("CB-SaiPIN", keys[0], make_cert(keys[0], HOLDER, ca_key, ca_name, *year)),
        ("CB-Rut", keys[0], make_cert(keys[0], HOLDER, ca_key, ca_name, *year)),
    ):
        init_token(label, env)
        put_key_and_cert(label, key, cert, work, env)

    from pkcs11 import Attribute, CertificateType, ObjectClass

    from counter_app.scanning import pkcs11_signing

    lib = pkcs11_signing._load(str(SOFTHSM))
    for label, cid, cert in _pending_certs:
        token = lib.get_token(token_label=label)
        with token.open(user_pin=PIN, rw=True) as session:
            session.create_object({
                Attribute.CLASS: ObjectClass.CERTIFICATE,
                Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                Attribute.TOKEN: True,
                Attribute.LABEL: "officer",
                Attribute.ID: cid,
                Attribute.SUBJECT: cert.subject.public_bytes(),
                Attribute.ISSUER: cert.issuer.public_bytes(),
                Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER),
            })
    return SoftToken(module=str(SOFTHSM), conf=conf, tokendir=tokendir, ca_cert=ca_cert)
