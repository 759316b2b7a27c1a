"""Write the design and ilo_* columns of the PSA LFS PUF (November 2022, mapping psa_lfs_puf) to CSV
for make_reference.R (a temporary file: the PUF itself is never copied into the repository).

    python tests/indicators/r/export_psa.py ../shared/data /tmp/psa_puf.csv
"""
from __future__ import annotations

import sys
from pathlib import Path

from evidencekit.microdata import read

COLUMNS = ["ilo_wgt", "PUFREG", "PUFPSU", "ilo_sex", "ilo_wap", "ilo_lfs", "ilo_joball_tru"]


def main(shared: str, path: str) -> None:
    s = read(Path(shared) / "microdata/phl_lfs_puf_2022/LFS_PUF_November_2022.dcf", mapping="psa_lfs_puf")
    s.data[COLUMNS].to_csv(path, index=False, float_format="%.17g")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
