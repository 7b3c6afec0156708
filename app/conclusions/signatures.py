"""Checks of detached CMS (CAdES-BES / PKCS#7) signatures of a conclusion PDF.

A signature passes when it is made for exactly this document by the key of the certificate it
carries, and that certificate's dates cover the signing time and now. It does not check the
chain to a trusted CA or revocation: who signed is what the certificate says.
"""
import base64
import binascii
import datetime
import hmac
import re
from dataclasses import dataclass

from asn1crypto import cms, pem
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from flask_babel import lazy_gettext as _l

NOT_A_SIGNATURE = _l(
    "The file is not an electronic signature: a detached CMS (PKCS#7) signature is expected "
    "(.sig, .sgn, .p7s)"
)
OTHER_DOCUMENT = _l("The signature was made for another document, not for this conclusion")
TAMPERED = _l("The signature is damaged or forged: it does not match the signer's certificate")
CERTIFICATE_MISSING = _l(
    "The signature does not contain the signer's certificate: sign again with the certificate "
    "included"
)
GOST_UNSUPPORTED = _l("Signatures by GOST R 34.10-2012 cannot be verified by the portal yet")

# Russian algorithms (GOST R 34.10/34.11, both 2001 and 2012) all live under this arc.
GOST_OID_PREFIX = "1.2.643."
HASHES = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
# What OpenSSL (-----BEGIN CMS-----) and other tools (PKCS7) write in a PEM header.
PEM_TYPES = {"PKCS7", "CMS", "PKCS #7 SIGNED DATA"}
# Short names of RFC 4519 for the parts of a person's name; others stay as RFC 4514 makes them.
NAME_OVERRIDES = {NameOID.SURNAME: "SN", NameOID.GIVEN_NAME: "givenName", NameOID.TITLE: "title"}
SIGNATURE_KINDS = {  # asn1crypto's name → (key type, label)
    "rsassa_pkcs1v15": (rsa.RSAPublicKey, "RSA"),
    "rsassa_pss": (rsa.RSAPublicKey, "RSA-PSS"),
    "ecdsa": (ec.EllipticCurvePublicKey, "ECDSA"),
}


@dataclass(frozen=True)
class SignerInfo:
    signer: str  # surname and given names (SN + G), or the CN
    subject: str  # RFC 4514
    issuer: str  # RFC 4514
    serial: str  # hex, upper case
    signing_time: datetime.datetime | None  # naive UTC, as the signer's clock claimed it
    not_before: datetime.datetime  # naive UTC
    not_after: datetime.datetime  # naive UTC
    algorithm: str  # e.g. "RSA/SHA-256"


class SignatureError(ValueError):
    """The signature is refused; .message tells the user why."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message


def verify_detached(
    document: bytes, signature: bytes, now: datetime.datetime | None = None
) -> list[SignerInfo]:
    """The signers of `signature` over `document`; SignatureError unless every one is valid.

    `signature`: DER, PEM or base64 of DER (what CryptoPro's SignCades returns).
    """
    now = _naive_utc(now or datetime.datetime.now(datetime.UTC))
    signed_data = _load_signed_data(signature)
    content = signed_data["encap_content_info"]["content"].native
    if content is not None and content != document:
        raise SignatureError(OTHER_DOCUMENT)
    certificates = [
        choice.chosen for choice in signed_data["certificates"] if choice.name == "certificate"
    ]
    signer_infos = list(signed_data["signer_infos"])
    if not signer_infos:
        raise SignatureError(NOT_A_SIGNATURE)
    return [_verify_signer(info, certificates, document, now) for info in signer_infos]


def _load_signed_data(signature: bytes) -> cms.SignedData:
    try:
        content_info = cms.ContentInfo.load(_der(signature), strict=True)
        # asn1crypto parses lazily: .native walks everything now, so that damage shows up here
        content_type = content_info.native["content_type"]
    except (ValueError, TypeError) as error:
        raise SignatureError(NOT_A_SIGNATURE) from error
    if content_type != "signed_data":
        raise SignatureError(NOT_A_SIGNATURE)
    return content_info["content"]


def _der(signature: bytes) -> bytes:
    if signature[:1] == b"\x30":  # a DER SEQUENCE; checked first since strip() could eat DER bytes
        return signature
    text = signature.strip()
    if pem.detect(text):
        try:
            pem_type, _headers, der = pem.unarmor(text)
        except ValueError as error:
            raise SignatureError(NOT_A_SIGNATURE) from error
        if pem_type not in PEM_TYPES:
            raise SignatureError(NOT_A_SIGNATURE)
        return der
    try:
        # CryptoPro breaks its base64 into lines
        return base64.b64decode(re.sub(rb"\s+", b"", text), validate=True)
    except binascii.Error as error:
        raise SignatureError(NOT_A_SIGNATURE) from error


def _verify_signer(info: cms.SignerInfo, certificates: list, document: bytes, now) -> SignerInfo:
    digest_oid = info["digest_algorithm"]["algorithm"].dotted
    signature_oid = info["signature_algorithm"]["algorithm"].dotted
    if digest_oid.startswith(GOST_OID_PREFIX) or signature_oid.startswith(GOST_OID_PREFIX):
        raise SignatureError(GOST_UNSUPPORTED)
    certificate = _load_certificate(_find_certificate(info["sid"], certificates))
    digest_name = info["digest_algorithm"]["algorithm"].native
    signed_attrs = info["signed_attrs"]
    if signed_attrs:
        _check_message_digest(signed_attrs, document, digest_name)
        # The signature covers the attributes DER-encoded as a SET (tag 0x31), not as the
        # [0] IMPLICIT field (tag 0xA0) that carries them in SignerInfo.
        signed_bytes = b"\x31" + signed_attrs.dump()[1:]
    else:
        signed_bytes = document
    algorithm = _verify_signature(info, certificate, signed_bytes, digest_name)
    signing_time = _attribute(signed_attrs, "signing_time")
    signing_time = _naive_utc(signing_time) if signing_time else None
    _check_validity(certificate, signing_time, now)
    return SignerInfo(
        signer=_person(certificate.subject),
        subject=certificate.subject.rfc4514_string(NAME_OVERRIDES),
        issuer=certificate.issuer.rfc4514_string(NAME_OVERRIDES),
        serial=_hex(certificate.serial_number),
        signing_time=signing_time,
        not_before=_naive_utc(certificate.not_valid_before_utc),
        not_after=_naive_utc(certificate.not_valid_after_utc),
        algorithm=algorithm,
    )


def _find_certificate(sid: cms.SignerIdentifier, certificates: list):
    if sid.name == "issuer_and_serial_number":
        issuer, serial = sid.chosen["issuer"], sid.chosen["serial_number"].native
        matches = (c for c in certificates if c.serial_number == serial and c.issuer == issuer)
    else:
        key_id = sid.chosen.native
        matches = (c for c in certificates if c.key_identifier == key_id)
    certificate = next(matches, None)
    if certificate is None:
        raise SignatureError(CERTIFICATE_MISSING)
    return certificate


def _load_certificate(certificate) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(certificate.dump())
    except ValueError as error:
        raise SignatureError(NOT_A_SIGNATURE) from error


def _check_message_digest(signed_attrs, document: bytes, digest_name: str) -> None:
    expected = _attribute(signed_attrs, "message_digest")
    if expected is None:  # CMS requires it whenever there are signed attributes
        raise SignatureError(NOT_A_SIGNATURE)
    digest = hashes.Hash(_hash(digest_name))
    digest.update(document)
    if not hmac.compare_digest(expected, digest.finalize()):
        raise SignatureError(OTHER_DOCUMENT)


def _attribute(signed_attrs, name: str):
    """The first value of the signed attribute `name`, or None."""
    for attribute in signed_attrs or []:
        if attribute["type"].native == name:
            return attribute["values"][0].native
    return None


def _verify_signature(info: cms.SignerInfo, certificate: x509.Certificate, data: bytes,
                      digest_name: str) -> str:
    """Checks the signature value over `data`; returns the algorithm's label, e.g. "RSA/SHA-256"."""
    algorithm = info["signature_algorithm"]
    try:
        kind = algorithm.signature_algo
        public_key = certificate.public_key()
    except (ValueError, UnsupportedAlgorithm) as error:
        raise _unsupported(algorithm["algorithm"].dotted) from error
    if kind not in SIGNATURE_KINDS:
        raise _unsupported(kind)
    key_type, label = SIGNATURE_KINDS[kind]
    if not isinstance(public_key, key_type):  # e.g. an ECDSA signature value with an RSA key
        raise SignatureError(TAMPERED)
    hash_name = _signature_hash_name(algorithm, digest_name)
    hash_algorithm = _hash(hash_name)
    signature = info["signature"].native
    try:
        if kind == "ecdsa":
            public_key.verify(signature, data, ec.ECDSA(hash_algorithm))
        elif kind == "rsassa_pss":
            public_key.verify(signature, data, _pss(algorithm["parameters"]), hash_algorithm)
        else:
            public_key.verify(signature, data, padding.PKCS1v15(), hash_algorithm)
    except InvalidSignature as error:
        raise SignatureError(TAMPERED) from error
    return f"{label}/SHA-{hash_name.removeprefix('sha')}"


def _signature_hash_name(algorithm, digest_name: str) -> str:
    """The hash named by the signature algorithm (sha256_ecdsa, RSA-PSS parameters) or, for
    bare rsaEncryption and ecdsa, the signer's digest algorithm."""
    try:
        return algorithm.hash_algo
    except ValueError:
        return digest_name


def _pss(parameters) -> padding.PSS:
    mask = parameters["mask_gen_algorithm"]
    if mask["algorithm"].native != "mgf1":
        raise _unsupported(mask["algorithm"].dotted)
    mgf_hash = _hash(mask["parameters"]["algorithm"].native)
    return padding.PSS(mgf=padding.MGF1(mgf_hash), salt_length=parameters["salt_length"].native)


def _hash(name: str) -> hashes.HashAlgorithm:
    if name not in HASHES:
        raise _unsupported(name)
    return HASHES[name]()


def _unsupported(algorithm: str) -> SignatureError:
    return SignatureError(
        _l("The signature algorithm is not supported: %(algorithm)s", algorithm=algorithm)
    )


def _check_validity(certificate: x509.Certificate, signing_time, now) -> None:
    not_before = _naive_utc(certificate.not_valid_before_utc)
    not_after = _naive_utc(certificate.not_valid_after_utc)
    if now > not_after:
        raise SignatureError(
            _l("The signer's certificate expired on %(date)s", date=_moment(not_after))
        )
    if now < not_before:
        raise SignatureError(
            _l("The signer's certificate is valid only from %(date)s", date=_moment(not_before))
        )
    if signing_time is not None and not not_before <= signing_time <= not_after:
        raise SignatureError(_l(
            "The document was signed on %(date)s, outside the validity period of the signer's "
            "certificate (%(start)s – %(end)s)",
            date=_moment(signing_time), start=_moment(not_before), end=_moment(not_after),
        ))


def _person(name: x509.Name) -> str:
    """Russian qualified certificates carry the surname (SN) and the given names with the
    patronymic (G); others only a CN."""
    parts = [attribute.value for oid in (NameOID.SURNAME, NameOID.GIVEN_NAME)
             for attribute in name.get_attributes_for_oid(oid)]
    if not parts:
        parts = [attribute.value for attribute in name.get_attributes_for_oid(NameOID.COMMON_NAME)]
    return " ".join(parts)


def _hex(number: int) -> str:
    """Upper-case hex of whole bytes, as certificate viewers show serial numbers."""
    digits = f"{number:X}"
    return digits.zfill(len(digits) + len(digits) % 2)


def _moment(moment: datetime.datetime) -> str:
    return moment.strftime("%d.%m.%Y %H:%M UTC")


def _naive_utc(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(datetime.UTC).replace(tzinfo=None)
