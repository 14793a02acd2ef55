"""Seeds, determinism, device choice and quiet logs: the set-up every chapter calls first.

Explained in the Preface, section "How the book is tested".

Importing this module changes nothing. :func:`setup` is the one place where the book
touches global state: environment variables read by TensorFlow, PyTorch and
transformers at import time, random seeds, deterministic kernels, log levels and the
matplotlib house style. Frameworks are imported only when a chapter names them, so a
NumPy-only chapter does not pay for importing PyTorch or TensorFlow.
"""

from __future__ import annotations

import difflib
import importlib
import logging
import os
import platform
import random
import re
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "FRAMEWORKS",
    "MEMORY_BUDGET_MB",
    "Runtime",
    "import_tensorflow",
    "release_memory",
    "setup",
    "select_device",
    "threads",
    "versions",
]

#: Frameworks that :func:`setup` knows how to seed and configure.
FRAMEWORKS: tuple[str, ...] = ("torch", "tensorflow")

# Read by the libraries when they are imported, so they are set before any import.
# setdefault: a reader or a CI job that sets one on purpose keeps its value.
_ENVIRONMENT: dict[str, str] = {
    "TF_CPP_MIN_LOG_LEVEL": "3",  # TensorFlow's C++ logs
    "TF_ENABLE_ONEDNN_OPTS": "0",  # oneDNN changes float results from CPU to CPU
    "KERAS_BACKEND": "tensorflow",
    "CUBLAS_WORKSPACE_CONFIG": ":4096:8",  # needed by deterministic cuBLAS
    "TRANSFORMERS_VERBOSITY": "error",
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "TQDM_DISABLE": "1",
}

_DEVICE_PATTERN = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")
_MAX_SEED = 2**32 - 1


@dataclass(frozen=True)
class Runtime:
    """What :func:`setup` chose; chapters pass ``device`` on instead of writing ``"cuda"``.

    Attributes
    ----------
    seed : int
        The seed given to Python, NumPy and every framework set up.
    device : str
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.
    frameworks : tuple of str
        Frameworks imported and configured, in the order given.
    deterministic : bool
        Whether deterministic kernels were requested.
    """

    seed: int
    device: str
    frameworks: tuple[str, ...]
    deterministic: bool

    def rng(self, offset: int = 0) -> np.random.Generator:
        """A fresh NumPy generator seeded with ``seed + offset``.

        Examples
        --------
        >>> rt = Runtime(seed=1, device="cpu", frameworks=(), deterministic=True)
        >>> float(rt.rng().random()) == float(rt.rng().random())
        True
        """
        return np.random.default_rng(_check_seed(self.seed + offset, "seed + offset"))

    def torch_device(self) -> Any:
        """The chosen device as a ``torch.device`` (imports torch)."""
        torch = importlib.import_module("torch")
        return torch.device(self.device)

    def describe(self) -> str:
        """One line per fact: device, seed, threads and library versions (varies by machine)."""
        lines = [f"device: {self.device}", f"seed: {self.seed}"]
        lines += [f"{name}: {count}" for name, count in threads().items()]
        lines += [f"{name}: {version}" for name, version in versions().items()]
        return "\n".join(lines)


def setup(
    seed: int = 0,
    *,
    frameworks: Iterable[str] = (),
    device: str = "auto",
    deterministic: bool = True,
    quiet: bool = True,
    style: bool = True,
) -> Runtime:
    """Make a chapter reproducible: seeds, deterministic kernels, device, quiet logs, style.

    Parameters
    ----------
    seed : int
        Seed for Python's ``random``, NumPy's global generator and each framework;
        an integer in ``[0, 2**32 - 1]``.
    frameworks : iterable of str
        Which of ``"torch"`` and ``"tensorflow"`` to import and configure. Frameworks that
        are already imported are configured as well. Default: none (a NumPy-only chapter).
    device : str
        ``"auto"`` (CUDA, then Apple MPS, then CPU), ``"cpu"``, ``"cuda"``, ``"cuda:N"``
        or ``"mps"``. The environment variable ``COMPANION_DEVICE`` overrides ``"auto"``.
    deterministic : bool
        Ask every framework for deterministic kernels and switch TF32 off, so that
        repeated runs on one machine agree and CPU and GPU agree to rounding.
    quiet : bool
        Silence TensorFlow, absl, transformers and tqdm output.
    style : bool
        Apply the matplotlib house style (:func:`companion.plots.use_house_style`) and
        wrap printed pandas tables and NumPy arrays at ``TEXT_WIDTH`` (80) characters.

    Returns
    -------
    Runtime
        The seed, device and frameworks that were set up.

    Raises
    ------
    TypeError
        If ``seed`` is not an integer, ``frameworks`` is not an iterable (``None``: pass
        ``()``), a framework name is not a string, or ``deterministic``, ``quiet`` or
        ``style`` is not a bool.
    ValueError
        If ``seed`` is out of range, a framework or device name is unknown, or the
        requested device is not available.

    Examples
    --------
    >>> rt = setup(seed=0, device="cpu", style=False)
    >>> rt.seed, rt.device
    (0, 'cpu')
    """
    seed = _check_seed(seed, "seed")
    names = _check_frameworks(frameworks)
    _check_device_name(device)
    import numpy as np

    for flag, given in (("deterministic", deterministic), ("quiet", quiet), ("style", style)):
        if not isinstance(given, (bool, np.bool_)):
            raise TypeError(f"{flag} must be True or False (got {type(given).__name__}: {given!r})")
    if quiet:
        for key, value in _ENVIRONMENT.items():
            os.environ.setdefault(key, value)
    # Frameworks imported earlier by the reader are configured too.
    names = names + tuple(n for n in FRAMEWORKS if n in sys.modules and n not in names)
    random.seed(seed)
    np.random.seed(seed)
    for name in names:
        _CONFIGURE[name](seed, deterministic, quiet)
    if quiet:
        _quiet_python_logs()
    if style:
        from companion.plots import use_house_style

        use_house_style()
        _text_width(TEXT_WIDTH)
    chosen = select_device(device, frameworks=names)
    return Runtime(seed=seed, device=chosen, frameworks=names, deterministic=deterministic)


#: Printed lines (tables, arrays) fit this many characters: a phone or a narrow column.
TEXT_WIDTH = 80

#: Peak memory of a chapter's kernel, MB (``make bench`` checks it): 1.5 GB leaves room for
#: the Jupyter server within Binder's 2 GB.
MEMORY_BUDGET_MB = 1536.0


def _text_width(width: int) -> None:
    """Wrap printed pandas tables and NumPy arrays at ``width`` characters."""
    np.set_printoptions(linewidth=width)
    try:
        import pandas as pd
    except ImportError:  # pandas is optional for a NumPy-only chapter
        return
    pd.set_option("display.width", width)


def select_device(device: str = "auto", *, frameworks: Iterable[str] = ("torch",)) -> str:
    """Resolve a device name against the hardware the given frameworks can see.

    Parameters
    ----------
    device : str
        ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.
    frameworks : iterable of str
        Frameworks whose view of the hardware counts; with none, only ``"cpu"`` is
        available. Frameworks are imported here only if they already are.

    Returns
    -------
    str
        A concrete device name (never ``"auto"``).

    Raises
    ------
    TypeError
        If ``frameworks`` is not an iterable of names.
    ValueError
        For an unknown name or a device that is not available.

    Examples
    --------
    >>> select_device("cpu")
    'cpu'
    """
    _check_device_name(device)
    if device == "auto":
        device = os.environ.get("COMPANION_DEVICE", "auto") or "auto"
        _check_device_name(device, source="COMPANION_DEVICE")
    available = _available_devices(_check_frameworks(frameworks))
    if device == "auto":
        return next(d for d in ("cuda", "mps", "cpu") if d in available)
    if device.split(":")[0] not in available:
        raise ValueError(
            f"device={device!r} is not available here (available: {sorted(available)}); "
            "use device='auto' to take the best available one"
        )
    if device.startswith("cuda:"):
        index = int(device.split(":")[1])
        count = _cuda_count()
        if index >= count:
            raise ValueError(
                f"device={device!r} does not exist: this machine has {count} CUDA device(s)"
            )
    return device


def versions() -> dict[str, str]:
    """Versions of Python and of the book's libraries that are importable without importing them.

    Examples
    --------
    >>> "python" in versions() and "numpy" in versions()
    True
    """
    from importlib import metadata

    found = {"python": platform.python_version(), "platform": platform.machine()}
    for dist in ("numpy", "pandas", "matplotlib", "torch", "tensorflow", "keras", "transformers"):
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return found


def threads() -> dict[str, int]:
    """CPU cores this process may use, and the thread pools of the frameworks already imported.

    Explained in chapter "Environment" (book/04_practice/environment). A framework's thread
    count changes the order in which it adds up numbers, so float32 results can differ in
    their last digits from machine to machine; it is reported, never changed, here.
    TensorFlow reports 0 for a pool whose size it chooses itself.

    Examples
    --------
    >>> threads()["cpu cores"] >= 1
    True
    """
    try:
        cores = len(os.sched_getaffinity(0))  # honours taskset and container CPU sets
    except AttributeError:  # macOS and Windows have no affinity call
        cores = os.cpu_count() or 1
    found = {"cpu cores": cores}
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        found["torch intra-op threads"] = int(torch.get_num_threads())
        found["torch inter-op threads"] = int(torch.get_num_interop_threads())
    if "tensorflow" in sys.modules:
        threading = sys.modules["tensorflow"].config.threading
        found["tensorflow intra-op threads"] = int(threading.get_intra_op_parallelism_threads())
        found["tensorflow inter-op threads"] = int(threading.get_inter_op_parallelism_threads())
    return found


# --- validation -------------------------------------------------------------------------


def _check_seed(seed: object, name: str) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{name} must be an int (got {type(seed).__name__}: {seed!r})")
    if not 0 <= int(seed) <= _MAX_SEED:
        raise ValueError(f"{name} must be in [0, 2**32 - 1] (got {name}={seed})")
    return int(seed)


def _check_frameworks(frameworks: Iterable[str]) -> tuple[str, ...]:
    if isinstance(frameworks, str):
        frameworks = (frameworks,)
    if not isinstance(frameworks, Iterable):
        raise TypeError(
            "frameworks must be a tuple of framework names such as ('torch',), or () for none "
            f"(got {type(frameworks).__name__}: {frameworks!r})"
        )
    names: list[str] = []
    for name in frameworks:
        if not isinstance(name, str):
            raise TypeError(f"frameworks must hold strings (got {type(name).__name__}: {name!r})")
        if name not in FRAMEWORKS:
            close = difflib.get_close_matches(name, FRAMEWORKS + ("tf",), n=1)
            hint = (
                f"; did you mean {'tensorflow' if close == ['tf'] else close[0]!r}?"
                if close
                else ""
            )
            raise ValueError(
                f"unknown framework {name!r} in frameworks (known: {', '.join(FRAMEWORKS)}){hint}"
            )
        if name not in names:
            names.append(name)
    return tuple(names)


def _check_device_name(device: object, source: str = "device") -> None:
    if not isinstance(device, str) or not _DEVICE_PATTERN.match(device):
        raise ValueError(
            f"unknown {source} {device!r}: expected 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'"
        )


# --- hardware -----------------------------------------------------------------------------


def _available_devices(frameworks: tuple[str, ...]) -> set[str]:
    available = {"cpu"}
    if "torch" in frameworks or "torch" in sys.modules:
        torch = importlib.import_module("torch")
        if torch.cuda.is_available():
            available.add("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            available.add("mps")
    if "tensorflow" in frameworks or "tensorflow" in sys.modules:
        tf = import_tensorflow()
        if tf.config.list_physical_devices("GPU"):
            available.add("cuda")
    return available


def _cuda_count() -> int:
    if "torch" in sys.modules:
        return int(sys.modules["torch"].cuda.device_count())
    tf = import_tensorflow()
    return len(tf.config.list_physical_devices("GPU"))


# --- per-framework configuration ----------------------------------------------------------


def _configure_torch(seed: int, deterministic: bool, quiet: bool) -> None:
    torch = importlib.import_module("torch")
    torch.manual_seed(seed)  # seeds every CUDA device too
    torch.use_deterministic_algorithms(deterministic)
    torch.backends.cudnn.benchmark = not deterministic
    torch.backends.cudnn.deterministic = deterministic
    # TF32 matmuls differ from fp32 in the fourth digit; keep GPU results close to CPU.
    torch.backends.cuda.matmul.allow_tf32 = not deterministic
    torch.backends.cudnn.allow_tf32 = not deterministic


def _configure_tensorflow(seed: int, deterministic: bool, quiet: bool) -> None:
    tf = import_tensorflow(quiet=quiet)
    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # GPUs already initialised by an earlier call: keep as is
            break
    tf.keras.utils.set_random_seed(seed)  # Python, NumPy and TensorFlow
    if deterministic:
        tf.config.experimental.enable_op_determinism()
        tf.config.experimental.enable_tensor_float_32_execution(False)
    if quiet:
        tf.get_logger().setLevel(logging.ERROR)


def import_tensorflow(quiet: bool = True) -> Any:
    """Import TensorFlow quietly, as every module of :mod:`companion.tf` does.

    The first import of TensorFlow probes for CUDA and prints C++ messages straight to the
    process's stderr (not through Python, so ``warnings`` cannot catch them). With ``quiet``
    they go to ``/dev/null`` for the duration of the import; Python errors still propagate.
    An import that has already happened is returned as it is. The book's other TensorFlow
    settings (log level, oneDNN off, seeds, deterministic ops, memory growth) are applied by
    :func:`setup` with ``frameworks=("tensorflow",)``, which imports TensorFlow through this
    function; call it first in a chapter.

    Parameters
    ----------
    quiet : bool
        Silence the import-time messages (default); ``False`` imports TensorFlow plainly.

    Returns
    -------
    module
        The ``tensorflow`` module.

    Raises
    ------
    TypeError
        If ``quiet`` is not a bool.
    ImportError
        If TensorFlow is not installed (``pip install "llmbook-companion[tf]"``).

    Examples
    --------
    >>> tf = import_tensorflow()  # doctest: +SKIP
    >>> tf.constant([1.0, 2.0]).dtype.name  # doctest: +SKIP
    'float32'
    >>> import_tensorflow(quiet="yes")  # checked before anything is imported
    Traceback (most recent call last):
    ...
    TypeError: quiet must be True or False (got str: 'yes')
    """
    if not isinstance(quiet, (bool, np.bool_)):
        raise TypeError(f"quiet must be True or False (got {type(quiet).__name__}: {quiet!r})")
    if "tensorflow" in sys.modules or not quiet:
        return importlib.import_module("tensorflow")
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        sys.stderr.flush()
        os.dup2(devnull, 2)
        return importlib.import_module("tensorflow")
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


_CONFIGURE = {"torch": _configure_torch, "tensorflow": _configure_tensorflow}


def _quiet_python_logs() -> None:
    for name in ("tensorflow", "absl", "h5py", "transformers", "matplotlib", "jax"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if "transformers" in sys.modules:
        sys.modules["transformers"].logging.set_verbosity_error()
    for module in ("tensorflow", "keras", "transformers", "torch", "tf_keras", "google.protobuf"):
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=module)
        warnings.filterwarnings("ignore", category=FutureWarning, module=module)


def resident_mb() -> float:
    """Resident memory of this process now, in MB (0.0 where ``/proc`` is not available)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def release_memory(*, collect: bool = True) -> None:
    """Give memory that Python and PyTorch have freed back to the operating system.

    A chapter that trains a model and then exports it holds on to the training's freed
    memory: CPython's allocator and glibc's ``malloc`` keep freed blocks for reuse, so the
    kernel's resident memory stays near its peak and the next step's peak adds to it. This
    collects garbage, empties PyTorch's CUDA cache when CUDA is in use, and on Linux with
    glibc asks ``malloc_trim`` to return free heap pages. It changes no results; it only
    keeps a Binder kernel under its memory limit.

    Parameters
    ----------
    collect : bool
        Run the garbage collector first (default). It takes about 0.1 s with the frameworks
        loaded; inside a training loop, where tensors are freed as soon as they go out of
        scope, pass ``False`` to only return the free pages (about 2 ms).

    Raises
    ------
    TypeError
        If ``collect`` is not a bool.

    Examples
    --------
    >>> release_memory()  # safe anywhere: on other systems it only collects garbage
    """
    if not isinstance(collect, bool):
        raise TypeError(f"collect must be a bool (got {type(collect).__name__}: {collect!r})")
    if collect:
        import gc

        gc.collect()
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.empty_cache()
    if sys.platform.startswith("linux"):
        import ctypes
        import ctypes.util

        name = ctypes.util.find_library("c")
        try:
            libc = ctypes.CDLL(name) if name else None
            if libc is not None and hasattr(libc, "malloc_trim"):
                libc.malloc_trim(0)
        except OSError:  # a libc without malloc_trim (musl): nothing more to release
            pass
