"""C2PA content credentials for the media the studio writes (WAV, MP4, PNG, JPEG, PDF…).

Every image, audio and video file halqa writes carries a signed C2PA manifest naming
what was done (created by an algorithm, graded, keyed, cut) and from which sources,
plus halqa's own ``Provenance`` as a custom assertion (``org.halqa.provenance``). The
manifest is built and embedded by the C2PA reference library (``c2pa-python``).

Signing needs a certificate. A real one (from a CA on the C2PA trust list) is named by
``HALQA_C2PA_CERT`` (PEM chain, leaf first) and ``HALQA_C2PA_KEY`` (PEM private key),
with ``HALQA_C2PA_ALG`` (default ``es256``). Without them halqa signs with a local
development certificate it creates once in ``<studio folder>/credentials/``: the
manifest is then intact and readable but *untrusted* by validators, which is the honest
state of an asset nobody has vouched for. ``test_signer`` makes the same pair for tests.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from halqa import __version__
from halqa.errors import BackendUnavailableError, ConfigError, DataError
from halqa.studio.common.provenance import Provenance

PROVENANCE_LABEL = "org.halqa.provenance"
# IPTC digital source types (https://cv.iptc.org/newscodes/digitalsourcetype/).
TRAINED_ALGORITHMIC = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
ALGORITHMIC = "http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia"
COMPOSITE_WITH_TRAINED = (
    "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
)

_MIME = {
    ".wav": "audio/wav",
    ".mp3": "audio/mpeg",
    ".flac": "audio/flac",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".m4v": "video/x-m4v",
    ".avi": "video/avi",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".pdf": "application/pdf",
}


def _c2pa() -> Any:
    try:
        import c2pa
    except ImportError as exc:  # pragma: no cover - the studio extra installs it
        raise BackendUnavailableError(
            "content credentials need c2pa-python: pip install 'halqa[studio]'"
        ) from exc
    return c2pa


def mime_type(path: Path) -> str:
    try:
        return _MIME[path.suffix.lower()]
    except KeyError:
        raise DataError(
            f"{path}: cannot carry a C2PA manifest (supported: {', '.join(sorted(_MIME))})"
        ) from None


@dataclass(frozen=True)
class ContentSigner:
    """A certificate chain and its private key (PEM), and the anchors that trust it."""

    cert_chain_pem: bytes
    private_key_pem: bytes
    alg: str = "es256"
    trust_anchors_pem: bytes | None = None
    development: bool = False

    @classmethod
    def from_files(
        cls,
        cert: str | os.PathLike[str],
        key: str | os.PathLike[str],
        alg: str = "es256",
        trust: str | os.PathLike[str] | None = None,
    ) -> ContentSigner:
        try:
            return cls(
                Path(cert).read_bytes(),
                Path(key).read_bytes(),
                alg.lower(),
                Path(trust).read_bytes() if trust else None,
            )
        except OSError as exc:
            raise ConfigError(
                f"{exc.filename}: cannot read the signing credential ({exc.strerror})"
            ) from exc

    @classmethod
    def from_env(cls) -> ContentSigner | None:
        """The signer named by ``HALQA_C2PA_CERT``/``_KEY`` (``_ALG``, ``_TRUST``), if set."""
        cert, key = os.environ.get("HALQA_C2PA_CERT"), os.environ.get("HALQA_C2PA_KEY")
        if not cert and not key:
            return None
        if not (cert and key):
            raise ConfigError("set both HALQA_C2PA_CERT and HALQA_C2PA_KEY (or neither)")
        return cls.from_files(
            cert, key, os.environ.get("HALQA_C2PA_ALG", "es256"), os.environ.get("HALQA_C2PA_TRUST")
        )

    @classmethod
    def default(cls, studio_root: str | os.PathLike[str] | None = None) -> ContentSigner:
        """The configured signer, else the studio folder's development certificate."""
        from halqa.studio.common.proposals import studio_dir

        configured = cls.from_env()
        if configured is not None:
            return configured
        root = Path(studio_root) if studio_root is not None else studio_dir()
        signer = _development_signer(root / "credentials", "halqa development signer (untrusted)")
        # Nobody vouched for this CA: read-backs must not trust it (HALQA_C2PA_TRUST can opt in).
        return replace(signer, trust_anchors_pem=None)

    def c2pa_signer(self) -> Any:
        c2pa = _c2pa()
        info = c2pa.C2paSignerInfo(
            self.alg.encode(), self.cert_chain_pem, self.private_key_pem, None
        )
        try:
            return c2pa.Signer.from_info(info)
        except c2pa.C2paError as exc:
            raise ConfigError(f"the C2PA signing credential was refused: {exc}") from exc


def test_signer(folder: str | os.PathLike[str]) -> ContentSigner:
    """A CA and a signing certificate made locally (for tests), trusted by its own CA."""
    return _development_signer(Path(folder), "halqa test signer")


test_signer.__test__ = False  # type: ignore[attr-defined]  # a helper, not a pytest test


def embed_c2pa(
    source: str | os.PathLike[str],
    dest: str | os.PathLike[str],
    *,
    provenance: Provenance,
    actions: list[dict[str, Any]],
    signer: ContentSigner | None = None,
    ingredients: Sequence[tuple[str | os.PathLike[str], str]] = (),
    title: str | None = None,
) -> dict[str, Any]:
    """Copy ``source`` to ``dest`` with a signed manifest; returns the manifest as read back.

    ``actions`` are C2PA action dicts (``{"action": "c2pa.created", "digitalSourceType": …}``;
    halqa is filled in as the software agent); ``ingredients`` are ``(path, relationship)``
    pairs, relationship ``parentOf`` (the clip that was graded) or ``componentOf`` (a
    music bed under a trailer). ``source`` and ``dest`` may be the same file.
    """
    c2pa = _c2pa()
    source, dest = Path(source), Path(dest)
    signer = signer or ContentSigner.default()
    agent = {"name": "halqa", "version": __version__}
    manifest = {
        "claim_generator_info": [agent],
        "title": title or dest.name,
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {"actions": [{"softwareAgent": agent, **a} for a in actions]},
            },
            {"label": PROVENANCE_LABEL, "data": provenance.model_dump(mode="json")},
        ],
    }
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=dest.suffix)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with c2pa.Builder(manifest) as builder:
            for path, relationship in ingredients:
                _add_ingredient(builder, Path(path), relationship)
            with open(source, "rb") as src, open(tmp, "w+b") as out:
                builder.sign(signer.c2pa_signer(), mime_type(dest), src, out)
        os.replace(tmp, dest)
    except c2pa.C2paError as exc:
        raise DataError(f"{source}: could not embed a C2PA manifest ({exc})") from exc
    except OSError as exc:
        raise DataError(f"{exc.filename or source}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return read_c2pa(dest, trust_anchors_pem=signer.trust_anchors_pem)


def read_c2pa(
    path: str | os.PathLike[str], *, trust_anchors_pem: bytes | None = None
) -> dict[str, Any]:
    """The file's manifest store as JSON, with ``validation_state`` and, for convenience,
    ``active`` (the active manifest), ``actions`` and ``provenance`` (halqa's assertion)."""
    c2pa = _c2pa()
    path = Path(path)
    try:
        if trust_anchors_pem:
            settings = c2pa.Settings.from_dict(
                {
                    "verify": {"verify_trust": True},
                    "trust": {"trust_anchors": trust_anchors_pem.decode()},
                }
            )
            reader = c2pa.Reader(str(path), context=c2pa.Context(settings))
        else:
            reader = c2pa.Reader(str(path))
        with reader:
            store = json.loads(reader.json())
            store["validation_state"] = reader.get_validation_state()
    except c2pa.C2paError as exc:
        raise DataError(f"{path}: no readable C2PA manifest ({exc})") from exc
    active = store.get("manifests", {}).get(store.get("active_manifest", ""), {})
    store["active"] = active
    store["actions"] = [
        a
        for assertion in active.get("assertions", [])
        if assertion.get("label", "").startswith("c2pa.actions")
        for a in assertion.get("data", {}).get("actions", [])
    ]
    store["provenance"] = next(
        (a["data"] for a in active.get("assertions", []) if a.get("label") == PROVENANCE_LABEL),
        None,
    )
    return store


def _add_ingredient(builder: Any, path: Path, relationship: str) -> None:
    if relationship not in {"parentOf", "componentOf", "inputTo"}:
        raise ConfigError(
            f"ingredient relationship {relationship!r}: use parentOf, componentOf or inputTo"
        )
    with open(path, "rb") as stream:
        # the label lets an action name this ingredient
        # (``"parameters": {"ingredientIds": [name]}``): C2PA requires a ``c2pa.opened`` action to
        # point at its parent ingredient
        builder.add_ingredient(
            {"title": path.name, "relationship": relationship, "label": path.name},
            mime_type(path),
            stream,
        )


def _development_signer(folder: Path, common_name: str) -> ContentSigner:
    """A local CA and an ES256 signing certificate under ``folder``, made once and reused."""
    chain, key, anchor = folder / "signer-chain.pem", folder / "signer-key.pem", folder / "ca.pem"
    if not (chain.exists() and key.exists() and anchor.exists()):
        folder.mkdir(parents=True, exist_ok=True)
        chain_pem, key_pem, ca_pem = _make_certificates(common_name)
        anchor.write_bytes(ca_pem)
        chain.write_bytes(chain_pem)
        fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key_pem)
    return ContentSigner(
        chain.read_bytes(), key.read_bytes(), "es256", anchor.read_bytes(), development=True
    )


def _make_certificates(common_name: str) -> tuple[bytes, bytes, bytes]:
    """(leaf+CA chain, leaf key, CA) in PEM. C2PA refuses a self-signed leaf and wants
    a digitalSignature key usage with an e-mail-protection (or document-signing) EKU."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "halqa (not a trusted issuer)"),
            ]
        )

    def usage(*, ca: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=True,
            key_cert_sign=ca,
            crl_sign=ca,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            encipher_only=False,
            decipher_only=False,
        )

    now = dt.datetime.now(dt.UTC)
    ca_key, leaf_key = (
        ec.generate_private_key(ec.SECP256R1()),
        ec.generate_private_key(ec.SECP256R1()),
    )
    ca_name = name(f"{common_name} CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage(ca=True), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name(common_name))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(ca=False), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    key_pem = leaf_key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return leaf.public_bytes(pem) + ca.public_bytes(pem), key_pem, ca.public_bytes(pem)
