"""Evidence: run manifests sealed by the operator, verdicts that name them, the signed ledger,
signing keys and trust, verification, and dossiers.

The public names below are imported from their modules on first use (PEP 562), so importing
one evidence module (say hashing) does not import the services-level ones
(verdicts, dossiers) and the layers they use.
"""

from heatproof.lazy import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "analyze_dossier": "dossier",
        "export_dossier": "dossier",
        "verify_dossier": "dossier",
        "exclude_run": "exclusions",
        "ImportLimits": "dossier",
        "merkle_root": "hashing",
        "sha256_hex": "hashing",
        "key_dir": "keys",
        "sign_file": "keys",
        "head": "ledger",
        "read_ledger": "ledger",
        "repair": "ledger",
        "revoke": "ledger",
        "rotate": "ledger",
        "sign_evidence": "ledger",
        "seal_campaign": "manifest",
        "seal_run": "manifest",
        "Trust": "trust",
        "load_trust": "trust",
        "load_trusts": "trust",
        "local_trust": "trust",
        "trust_toml": "trust",
        "decide_with_evidence": "verdicts",
        "Discrepancy": "verify",
        "VerifyReport": "verify",
        "verify_workspace": "verify",
    },
)
