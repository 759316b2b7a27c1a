"""Write the shipped SYNTHETIC sample to CSV for make_reference.R (R reads no Parquet here).

    python tests/indicators/r/export_synthetic.py /tmp/synthetic_lfs_sample.csv
"""
from __future__ import annotations

import sys

from evidencekit.microdata.synthetic import load_sample


def main(path: str) -> None:
    load_sample().data.to_csv(path, index=False, float_format="%.17g")


if __name__ == "__main__":
    main(sys.argv[1])
