#!/usr/bin/env python3
"""The API example ships inside the addon: msp_psa/examples/sync_example.py.

This wrapper keeps ``python3 scripts/sync_example.py`` working from a clone.
"""

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "msp_psa" / "examples" / "sync_example.py"

if __name__ == "__main__":
    runpy.run_path(str(EXAMPLE), run_name="__main__")
