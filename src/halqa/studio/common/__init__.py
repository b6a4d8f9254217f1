"""What the studio's assistants share: provenance, proposals awaiting a person's
decision, the language-model backend settings, and C2PA content credentials."""

from halqa.studio.common.credentials import ContentSigner, embed_c2pa, read_c2pa, test_signer
from halqa.studio.common.proposals import Proposal, ProposalBook, studio_dir
from halqa.studio.common.provenance import (
    InputRef,
    Provenance,
    read_sidecar,
    sha256_file,
    sha256_text,
    sidecar_path,
    write_sidecar,
)
from halqa.studio.common.settings import LlmSettings

__all__ = [
    "ContentSigner",
    "InputRef",
    "LlmSettings",
    "Proposal",
    "ProposalBook",
    "Provenance",
    "embed_c2pa",
    "read_c2pa",
    "read_sidecar",
    "sha256_file",
    "sha256_text",
    "sidecar_path",
    "studio_dir",
    "test_signer",
    "write_sidecar",
]
