"""Detached CMS signatures of a conclusion: what passes, what is refused and with which message.

Messages are read outside an app, so they come out as their English msgids.
"""
import base64
import datetime
import shutil
import subprocess

import pytest
from asn1crypto import cms
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from app.conclusions.signatures import SignatureError, verify_detached
from tests.crypto_helpers import DAY, make_ca, make_doctor, sign_detached, write_pem

DOCUMENT = b"%PDF-1.7\n% conclusion of consultation 42\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
OTHER_DOCUMENT = DOCUMENT.replace(b"42", b"43")

NOT_A_SIGNATURE = (
    "The file is not an electronic signature: a detached CMS (PKCS#7) signature is expected "
    "(.sig, .sgn, .p7s)"
)
FOR_ANOTHER_DOCUMENT = "The signature was made for another document, not for this conclusion"
TAMPERED = "The signature is damaged or forged: it does not match the signer's certificate"
NO_CERTIFICATE = (
    "The signature does not contain the signer's certificate: sign again with the certificate "
    "included"
)
GOST = "Signatures by GOST R 34.10-2012 cannot be verified by the portal yet"

needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl CLI")


@pytest.fixture(scope="module")
def ca():
    return make_ca()


@pytest.fixture(scope="module")
def doctor(ca):
    return make_doctor(ca, serial=0x0A1B2C3D4E5F)


@pytest.fixture(scope="module")
def ec_doctor():
    return make_doctor(make_ca("ecdsa"), "ecdsa")


@pytest.fixture(scope="module")
def signature(doctor):
    return sign_detached(DOCUMENT, doctor.certificate, doctor.key)


@pytest.fixture
def pem_files(tmp_path, doctor):
    document = tmp_path / "conclusion.pdf"
    document.write_bytes(DOCUMENT)
    return (document, write_pem(tmp_path / "cert.pem", doctor.certificate),
            write_pem(tmp_path / "key.pem", doctor.key))


def openssl_sign(pem_files, *options: str) -> bytes:
    document, cert, key = pem_files
    return subprocess.run(
        ["openssl", "cms", "-sign", "-binary", "-outform", "DER", "-in", str(document),
         "-signer", str(cert), "-inkey", str(key), *options],
        check=True, capture_output=True,
    ).stdout


def refusal(document: bytes, signature: bytes, **kwargs) -> str:
    with pytest.raises(SignatureError) as raised:
        verify_detached(document, signature, **kwargs)
    return str(raised.value.message)


def moment(value: datetime.datetime) -> str:
    return value.strftime("%d.%m.%Y %H:%M UTC")


def test_rsa_signature_and_its_signer(doctor, signature):
    before = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)
    fresh = sign_detached(DOCUMENT, doctor.certificate, doctor.key)
    after = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)

    [signer] = verify_detached(DOCUMENT, fresh)

    certificate = doctor.certificate
    assert signer.signer == "Петров Пётр Петрович"
    assert signer.serial == "0A1B2C3D4E5F"
    assert signer.issuer == "CN=Тестовый УЦ ТМК,O=Тестовый удостоверяющий центр,C=RU"
    assert "SN=Петров" in signer.subject and "1.2.643.100.3=11223344595" in signer.subject
    assert before <= signer.signing_time <= after
    assert signer.not_before == certificate.not_valid_before_utc.replace(tzinfo=None)
    assert signer.not_after == certificate.not_valid_after_utc.replace(tzinfo=None)
    assert signer.algorithm == "RSA/SHA-256"


def test_ecdsa_signature(ec_doctor):
    signature = sign_detached(DOCUMENT, ec_doctor.certificate, ec_doctor.key)
    [signer] = verify_detached(DOCUMENT, signature)
    assert signer.algorithm == "ECDSA/SHA-256"
    assert signer.signer == "Петров Пётр Петрович"


@pytest.mark.parametrize("hash_algorithm", [hashes.SHA224(), hashes.SHA384(), hashes.SHA512()])
def test_other_sha2_digests(doctor, hash_algorithm):
    signature = sign_detached(DOCUMENT, doctor.certificate, doctor.key,
                              hash_algorithm=hash_algorithm)
    [signer] = verify_detached(DOCUMENT, signature)
    assert signer.algorithm == f"RSA/SHA-{hash_algorithm.digest_size * 8}"


def test_rsa_pss_signature(doctor):
    signature = sign_detached(DOCUMENT, doctor.certificate, doctor.key, pss=True)
    assert verify_detached(DOCUMENT, signature)[0].algorithm == "RSA-PSS/SHA-256"


def test_signature_without_signed_attributes_covers_the_document(doctor):
    signature = sign_detached(DOCUMENT, doctor.certificate, doctor.key, attributes=False)
    [signer] = verify_detached(DOCUMENT, signature)
    assert signer.signing_time is None
    assert refusal(OTHER_DOCUMENT, signature) == TAMPERED


def test_pem_signatures(doctor):
    pem = (
        pkcs7.PKCS7SignatureBuilder().set_data(DOCUMENT)
        .add_signer(doctor.certificate, doctor.key, hashes.SHA256())
        .sign(serialization.Encoding.PEM,
              [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
    )
    assert pem.startswith(b"-----BEGIN PKCS7-----")
    assert verify_detached(DOCUMENT, pem)[0].signer == "Петров Пётр Петрович"


def test_cryptopro_base64_with_line_breaks(signature):
    # SignCades returns base64 broken into lines with CRLF
    encoded = base64.encodebytes(signature).replace(b"\n", b"\r\n")
    assert verify_detached(DOCUMENT, encoded)[0].signer == "Петров Пётр Петрович"
    assert verify_detached(DOCUMENT, base64.b64encode(signature))[0].algorithm == "RSA/SHA-256"


@needs_openssl
def test_openssl_signature(pem_files):
    [signer] = verify_detached(DOCUMENT, openssl_sign(pem_files))
    assert signer.signer == "Петров Пётр Петрович"
    assert signer.signing_time is not None


@needs_openssl
def test_openssl_pem_signature_with_subject_key_identifier(pem_files):
    signature = openssl_sign(pem_files, "-keyid", "-md", "sha1", "-outform", "PEM")
    assert signature.startswith(b"-----BEGIN CMS-----")
    assert verify_detached(DOCUMENT, signature)[0].algorithm == "RSA/SHA-1"


@needs_openssl
def test_openssl_attached_signature_of_this_document(pem_files):
    signature = openssl_sign(pem_files, "-nodetach")
    assert verify_detached(DOCUMENT, signature)[0].signer == "Петров Пётр Петрович"
    assert refusal(OTHER_DOCUMENT, signature) == FOR_ANOTHER_DOCUMENT


@needs_openssl
def test_openssl_signature_without_certificate(pem_files):
    assert refusal(DOCUMENT, openssl_sign(pem_files, "-nocerts")) == NO_CERTIFICATE


def test_signature_without_certificate(doctor):
    signature = sign_detached(DOCUMENT, doctor.certificate, doctor.key, include_certificate=False)
    assert refusal(DOCUMENT, signature) == NO_CERTIFICATE


def test_one_flipped_byte_of_the_document(signature):
    tampered = bytearray(DOCUMENT)
    tampered[100] ^= 0x01
    assert refusal(bytes(tampered), signature) == FOR_ANOTHER_DOCUMENT


def test_signature_of_another_file(doctor):
    signature = sign_detached(OTHER_DOCUMENT, doctor.certificate, doctor.key)
    assert refusal(DOCUMENT, signature) == FOR_ANOTHER_DOCUMENT


@pytest.mark.parametrize("identity", ["doctor", "ec_doctor"])
def test_one_flipped_byte_of_the_signature_value(request, identity):
    signer = request.getfixturevalue(identity)
    signature = sign_detached(DOCUMENT, signer.certificate, signer.key)
    value = cms.ContentInfo.load(signature)["content"]["signer_infos"][0]["signature"].native
    position = signature.rindex(value) + len(value) // 2
    tampered = bytearray(signature)
    tampered[position] ^= 0x01
    assert refusal(DOCUMENT, bytes(tampered)) == TAMPERED


def test_signature_of_another_signer_spliced_in(doctor, ca):
    """The signed attributes are right, but the value was made with another key."""
    impostor = make_doctor(ca, serial=doctor.certificate.serial_number)
    forged = sign_detached(DOCUMENT, impostor.certificate, impostor.key)
    info = cms.ContentInfo.load(forged)
    info["content"]["certificates"] = [
        cms.CertificateChoices.load(doctor.certificate.public_bytes(serialization.Encoding.DER))
    ]
    assert refusal(DOCUMENT, info.dump(force=True)) == TAMPERED


@pytest.mark.parametrize(
    "not_a_signature",
    [
        b"",
        b"garbage",
        b"\x30\x82\x01\x00garbage",
        DOCUMENT,  # the PDF itself instead of its signature
        base64.b64encode(b"not der at all"),
        cms.ContentInfo({"content_type": "data", "content": DOCUMENT}).dump(),
    ],
    ids=["empty", "garbage", "broken-der", "pdf", "base64-of-garbage", "cms-data"],
)
def test_not_a_signature(not_a_signature):
    assert refusal(DOCUMENT, not_a_signature) == NOT_A_SIGNATURE


def test_a_certificate_instead_of_a_signature(doctor):
    pem = doctor.certificate.public_bytes(serialization.Encoding.PEM)
    assert refusal(DOCUMENT, pem) == NOT_A_SIGNATURE


def test_truncated_signature(signature):
    assert refusal(DOCUMENT, signature[:-10]) == NOT_A_SIGNATURE


def test_expired_certificate(ca):
    now = datetime.datetime.now(datetime.UTC)
    expired = make_doctor(ca, not_before=now - 400 * DAY, not_after=now - DAY)
    signature = sign_detached(DOCUMENT, expired.certificate, expired.key)
    expires = moment(expired.certificate.not_valid_after_utc)
    assert refusal(DOCUMENT, signature) == f"The signer's certificate expired on {expires}"


def test_not_yet_valid_certificate(ca):
    now = datetime.datetime.now(datetime.UTC)
    future = make_doctor(ca, not_before=now + DAY, not_after=now + 30 * DAY)
    signature = sign_detached(DOCUMENT, future.certificate, future.key)
    starts = moment(future.certificate.not_valid_before_utc)
    assert refusal(DOCUMENT, signature) == f"The signer's certificate is valid only from {starts}"


def test_signed_before_the_certificate_was_valid(ca):
    now = datetime.datetime.now(datetime.UTC)
    future = make_doctor(ca, not_before=now + DAY, not_after=now + 30 * DAY)
    signature = sign_detached(DOCUMENT, future.certificate, future.key)
    message = refusal(DOCUMENT, signature, now=now + 2 * DAY)
    assert message.startswith("The document was signed on ")
    assert message.endswith(
        "outside the validity period of the signer's certificate "
        f"({moment(future.certificate.not_valid_before_utc)} – "
        f"{moment(future.certificate.not_valid_after_utc)})"
    )


def test_checked_at_the_given_moment(doctor, signature):
    later = doctor.certificate.not_valid_after_utc + DAY
    assert refusal(DOCUMENT, signature, now=later).startswith("The signer's certificate expired on ")
    assert verify_detached(DOCUMENT, signature, now=later.replace(tzinfo=None) - 2 * DAY)


@pytest.mark.parametrize("field, oid", [
    ("digest_algorithm", "1.2.643.7.1.1.2.2"),  # GOST R 34.11-2012, 256 bits
    ("signature_algorithm", "1.2.643.7.1.1.1.1"),  # GOST R 34.10-2012, 256 bits
])
def test_gost_signatures_are_not_verified_yet(signature, field, oid):
    info = cms.ContentInfo.load(signature)
    info["content"]["signer_infos"][0][field] = {"algorithm": oid}
    assert refusal(DOCUMENT, info.dump(force=True)) == GOST


def test_unsupported_digest(signature):
    info = cms.ContentInfo.load(signature)
    info["content"]["signer_infos"][0]["digest_algorithm"] = {"algorithm": "md5"}
    message = refusal(DOCUMENT, info.dump(force=True))
    assert message == "The signature algorithm is not supported: md5"
