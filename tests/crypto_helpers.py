"""Test certificates and detached CMS signatures, made with `cryptography` the way a CA and
a doctor's signing tool would make them."""
import datetime
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

SNILS_OID = x509.ObjectIdentifier("1.2.643.100.3")
DOCTOR_SNILS = "11223344595"
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Identity:
    certificate: x509.Certificate
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def new_key(kind: str = "rsa"):
    if kind == "ecdsa":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_ca(kind: str = "rsa") -> Identity:
    key = new_key(kind)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "RU"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Тестовый удостоверяющий центр"),
        x509.NameAttribute(NameOID.COMMON_NAME, "Тестовый УЦ ТМК"),
    ])
    now = _now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - 3650 * DAY)
        .not_valid_after(now + 3650 * DAY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Identity(certificate, key)


def make_doctor(ca: Identity, kind: str = "rsa", not_before: datetime.datetime | None = None,
                not_after: datetime.datetime | None = None, serial: int | None = None,
                snils: str = DOCTOR_SNILS) -> Identity:
    """Петров Пётр Петрович's certificate, by default valid from yesterday for a year."""
    key = new_key(kind)
    now = _now()
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "RU"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ГБУЗ «Областная клиническая больница»"),
        x509.NameAttribute(NameOID.TITLE, "Врач-кардиолог"),
        x509.NameAttribute(NameOID.SURNAME, "Петров"),
        x509.NameAttribute(NameOID.GIVEN_NAME, "Пётр Петрович"),
        x509.NameAttribute(NameOID.COMMON_NAME, "Петров Пётр Петрович"),
        x509.NameAttribute(SNILS_OID, snils),
    ])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(not_before or now - DAY)
        .not_valid_after(not_after or now + 365 * DAY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False,
                          crl_sign=False, encipher_only=False, decipher_only=False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .sign(ca.key, hashes.SHA256())
    )
    return Identity(certificate, key)


def sign_detached(data: bytes, certificate: x509.Certificate, key, *,
                  hash_algorithm: hashes.HashAlgorithm | None = None, pss: bool = False,
                  attributes: bool = True, include_certificate: bool = True) -> bytes:
    """DER detached CMS, as `openssl cms -sign -binary -outform DER` makes it: signed attributes
    contentType, signingTime (now), SMIMECapabilities and messageDigest, unless `attributes` is
    off."""
    hash_algorithm = hash_algorithm or hashes.SHA256()
    rsa_padding = None
    if pss:
        rsa_padding = padding.PSS(mgf=padding.MGF1(hash_algorithm),
                                  salt_length=hash_algorithm.digest_size)
    options = [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary]
    if not attributes:
        options.append(pkcs7.PKCS7Options.NoAttributes)
    if not include_certificate:
        options.append(pkcs7.PKCS7Options.NoCerts)
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(data)
        .add_signer(certificate, key, hash_algorithm, rsa_padding=rsa_padding)
        .sign(serialization.Encoding.DER, options)
    )


def write_pem(path: Path, item) -> Path:
    """A certificate or an unencrypted private key as a PEM file, e.g. for the openssl CLI."""
    if isinstance(item, x509.Certificate):
        data = item.public_bytes(serialization.Encoding.PEM)
    else:
        data = item.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    path.write_bytes(data)
    return path


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
