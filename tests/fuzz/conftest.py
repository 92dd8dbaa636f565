"""The fuzz helpers (cli_harness, toml_mutations) import as top-level modules in these tests."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
